"""The context entries that matter when two result sets are compared."""

from __future__ import annotations

from ..base.text import one_line
from .series import ResultFile


CONTEXT_KEYS = ("host_name", "num_cpus", "cpus_usable", "cpus_cgroup_quota", "cvp_profile",
                "cvpbench_version", "libuv_version", "tbb_version", "openssl_version",
                "timer_slack_ns", "uv_threadpool_size", "tbb_default_concurrency",
                "library_build_type", "python_implementation", "python_version", "python_gil",
                "uvloop_version")


def context_differences(old: list[ResultFile], new: list[ResultFile]) -> list[str]:
    def ctx(files: list[ResultFile]) -> dict:
        merged_ctx: dict = {}
        for f in files:
            merged_ctx.update(f.context)
        return merged_ctx

    a, b = ctx(old), ctx(new)
    return [f"{k}: {one_line(a.get(k, '—'), 80)} -> {one_line(b.get(k, '—'), 80)}"
            for k in CONTEXT_KEYS if str(a.get(k)) != str(b.get(k))]
