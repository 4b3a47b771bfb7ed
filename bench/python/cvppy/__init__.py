"""cvppy: the CPython half of cvpbench, mirroring src/ (workloads, models) and bench/ (runner)."""
