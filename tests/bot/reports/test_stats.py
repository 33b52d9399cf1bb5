"""Nearest-rank percentiles and ratios."""

from __future__ import annotations

import pytest

from bot.reports.stats import nearest_rank, ratio

WIKIPEDIA = [15, 20, 35, 40, 50]  # the nearest-rank example of the Wikipedia article


@pytest.mark.parametrize(
    ("values", "percent", "want"),
    [
        (WIKIPEDIA, 5, 15),
        (WIKIPEDIA, 30, 20),
        (WIKIPEDIA, 40, 20),  # rank exactly 2: the value itself, not the next one
        (WIKIPEDIA, 50, 35),
        (WIKIPEDIA, 100, 50),
        (WIKIPEDIA, 0, 15),
        (list(range(1, 11)), 90, 9),  # not 9.1 as linear interpolation would say
        (list(range(1, 11)), 50, 5),  # not 5.5
        (list(range(10, 0, -1)), 50, 5),  # order of the input does not matter
        ([7.5], 90, 7.5),
        ([3, 1, 2], 67, 3),  # ceil(2.01) = 3
        ([3, 1, 2], 66, 2),  # ceil(1.98) = 2
    ],
)
def test_nearest_rank(values: list[float], percent: int, want: float) -> None:
    assert nearest_rank(values, percent) == want


def test_the_result_is_always_an_observed_value() -> None:
    values = [0.3, 12.25, 4.0, 99.9, 30.0, 29.999, 7.0]
    for percent in range(101):
        assert nearest_rank(values, percent) in values


def test_no_values_no_percentile_and_bad_percents_are_refused() -> None:
    assert nearest_rank([], 50) is None
    with pytest.raises(ValueError):
        nearest_rank([1], 101)
    with pytest.raises(ValueError):
        nearest_rank([1], -1)


def test_ratio() -> None:
    assert ratio(1, 4) == 0.25
    assert ratio(0, 0) is None
