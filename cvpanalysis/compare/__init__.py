"""The compare command, in three parts as pyperf's _compare.py has them: the
arithmetic is the statistics layer (stats.change, stats.metrics, stats.gate),
the rendering is table.py and files.py (with charts.changes), the
orchestration is command.py."""
