"""One module per chart: each has STEM, the file name it draws, and
draw(workloads, chart) returning STEM, or None when the inputs have nothing
for it (the timelines and the charts of foreign files take their own
arguments). A new chart is one new module and one line in every.py."""
