"""summary.md: who is fastest per question, what handing out work costs, the
primitives' limits, lost updates, and notes on faults, noise and load."""
