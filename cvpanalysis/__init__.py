"""cvpbench's analysis: result files in, charts, summary.md, report.html and
comparisons out.

Layers, each importing only from the layers before it (tests/test_analysis_layers.py
checks this, and that there is no import cycle):

  base      one-line text, the errors, the stop signals, the command-line plumbing
  reading   result and trace files read with bounds, the result-file model, model facts
  stats     intervals, the t quantile, the U test, changes and their verdicts (no I/O)
  output    files published whole or not at all; plot.py's manifest
  figures   matplotlib set-up, model styles, what every chart shares
  charts    one module per chart;  summary: summary.md's tables
  report    report.html, from the statistics layer (never from the compare command)
  compare   the compare command;  plotting: the plot command

plot.py and compare.py at the repository root are the command lines. Importing
any module here needs only the standard library: matplotlib, numpy and scipy
are imported when a chart is drawn or a test is run, so plot.py can start
under a Python without them and re-run itself under one that has them.
"""
