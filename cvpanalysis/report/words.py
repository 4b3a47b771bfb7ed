"""Figures in words, as the page prints them."""

from __future__ import annotations

FAMILY_WORDS = {"one_thread": "one thread", "threads": "threads", "processes": "processes",
                "unknown": "several workers"}


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def times(value: float) -> str:
    return f"{value:.2f}x"


def task_count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def span(values: list[float]) -> str:
    """"lo-hi" with two decimals, or one number when they print alike."""
    lo, hi = f"{min(values):.2f}", f"{max(values):.2f}"
    return lo if lo == hi else f"{lo}-{hi}"


def us(value: float) -> str:
    return f"{value:,.0f} µs".replace(",", " ") if abs(value) >= 100 else f"{value:.3g} µs"
