"""Output: files published whole or not at all, and plot.py's manifest."""
