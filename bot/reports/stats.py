"""Percentiles and ratios of the figures."""

from __future__ import annotations

from collections.abc import Sequence


def nearest_rank(values: Sequence[float], percent: int) -> float | None:
    """The ``percent``-th percentile by the nearest-rank method; None for no values.

    The smallest value such that at least ``percent`` % of the values are at most it:
    ``sorted(values)[ceil(percent / 100 * n) - 1]`` (and the minimum for 0). It is always
    one of the observed values ("90 % of the buyers were accepted within 42 s, one of
    them waited exactly 42 s"), never an interpolation between two of them.

    Raises:
        ValueError: ``percent`` outside 0 … 100.
    """
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be within 0 and 100, got {percent}")
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-percent * len(ordered) // 100)  # ceil, in integers
    return ordered[max(rank, 1) - 1]


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None
