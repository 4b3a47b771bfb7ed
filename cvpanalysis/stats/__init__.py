"""Statistics: intervals, the t quantile, the U test, changes between two runs
and their verdicts, ties and rankings. Pure functions of the numbers: no file,
no terminal, no chart."""
