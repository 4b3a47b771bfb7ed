"""The project's helper scripts, run from the repository root as modules
(python3 -m scripts.aa_summary ...), so the analysis package imports."""
