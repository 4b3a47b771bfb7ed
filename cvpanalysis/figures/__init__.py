"""Figures: matplotlib set-up, model styles, what every chart shares, and the
interpreter that can draw them."""
