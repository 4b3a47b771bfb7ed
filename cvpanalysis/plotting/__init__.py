"""The plot command: every chart, summary.md and report.html drafted in a
staging folder, then moved into the output folder together, replacing only
what plot.py wrote there before."""
