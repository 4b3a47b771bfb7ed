"""report.html: one self-contained page that answers "does an event loop run
in parallel?" from the results of this run.

plot.py writes it beside the charts every time it runs. In this order it
holds: the question; the answer table, whose verdicts and figures are
computed here from the result files (a claim without the rows it needs says
"not measured in this run"); every chart, inline as SVG, with a two-line
reading; the timelines, each trace with its scenario and model; the summary
table; the machine and software context of every file; and, when the result
folder holds previous/, the comparison of that run against this one, by the
statistics compare.py uses.

The page needs no network: no script, font or image is fetched; the charts
are inline SVG whose text is drawn as paths. Models are chosen by the facts
the files describe (family, concurrency, language, twin), inferred where a
file predates them; the only names here are the two models the README's
claims name (the sequential and the blocking event loop).
"""
