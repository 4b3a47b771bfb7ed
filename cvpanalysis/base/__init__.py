"""The bottom layer: one-line text, errors, stop signals, command-line plumbing."""
