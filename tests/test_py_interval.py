"""Tests for bench/python/cvppy/interval.py: the same intervals as bench/interval.cpp."""

import math
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "python"))
from cvppy import interval  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_t95_table_is_the_cpp_table():
    cpp = (ROOT / "bench" / "interval.cpp").read_text()
    table = re.search(r"kT95\{([^}]*)\}", cpp).group(1)
    values = [float(v) for v in table.replace("\n", " ").split(",")]
    assert values == [interval.t95(df) for df in range(1, 31)]


def test_t95_beyond_the_table_approaches_the_normal_quantile():
    assert abs(interval.t95(60) - 2.0003) < 0.005
    assert abs(interval.t95(120) - 1.9799) < 0.005
    assert math.isnan(interval.t95(0))


def test_interval_bounds_the_mean_by_students_t():
    # mean 3, s = sqrt(2.5), n = 5: half width 2.776 * 1.5811 / 2.2361 = 1.9629.
    assert abs(interval.ci95_low([1, 2, 3, 4, 5]) - (3 - 1.9629)) < 1e-3
    assert abs(interval.ci95_high([1, 2, 3, 4, 5]) - (3 + 1.9629)) < 1e-3


def test_one_repetition_bounds_nothing():
    assert math.isnan(interval.ci95_low([4.0]))
    assert math.isnan(interval.ci95_high([4.0]))
