"""One module per workload, as src/workloads/: what one task computes and how it waits."""
