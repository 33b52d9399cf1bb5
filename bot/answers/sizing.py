"""Size advice from the product's size chart, framed as a suggestion (E8)."""

from __future__ import annotations

from bot.answers.catalogue import resolve_product
from bot.answers.common import Facts, Outcome, Reply, answer, ask, fmt_number
from bot.shop import ShopRepository
from bot.shop.models import Product, SizeChart


def recommend_size(shop: ShopRepository, facts: Facts) -> Outcome:
    """Recommend a size of the buyer's product from their measurements."""
    product = resolve_product(shop, facts, "utter_ask_product_for_size")
    if isinstance(product, Outcome):
        return product
    chart = shop.size_chart(product.size_chart)
    advisers = {
        "height_weight": _adult,
        "height_age": _kids,
        "foot_length": _shoes,
    }
    outcome = advisers[chart.measure](product, chart, facts)
    slots = {"product": product.name, **outcome.slots}
    if outcome.missing is not None or outcome.offer is not None:
        return Outcome(outcome.replies, slots, outcome.missing, outcome.offer)
    fit = Reply("utter_size_fit_note", {"fit_note": product.fit_note})
    return answer(*outcome.replies, fit, slots=slots)


def _row_index(chart: SizeChart, measure: str, value: float) -> int | None:
    """Index of the first row whose [min, max) range of ``measure`` holds ``value``."""
    for index, row in enumerate(chart.rows):
        low, high = row.ranges[measure]
        if low <= value < high:
            return index
    return None


def _chart_limits(chart: SizeChart, measure: str) -> dict[str, str]:
    return {
        "min": fmt_number(chart.rows[0].ranges[measure][0]),
        "max": fmt_number(chart.rows[-1].ranges[measure][1]),
    }


def _out_of_chart(
    response: str, product: Product, chart: SizeChart, measure: str, value: float
) -> Outcome:
    params = {"product": product.name, "value": fmt_number(value), **_chart_limits(chart, measure)}
    return answer(Reply(response, params), offer="human")


def _adult(product: Product, chart: SizeChart, facts: Facts) -> Outcome:
    if facts.height is None and facts.weight is None:
        return ask("utter_ask_height_weight", "height")
    if facts.height is None:
        return ask("utter_ask_height", "height")
    if facts.weight is None:
        return ask("utter_ask_weight", "weight")
    by_height = _row_index(chart, "height", facts.height)
    if by_height is None:
        return _out_of_chart(
            "utter_size_out_of_chart_height", product, chart, "height", facts.height
        )
    by_weight = _row_index(chart, "weight", facts.weight)
    if by_weight is None:
        return _out_of_chart(
            "utter_size_out_of_chart_weight", product, chart, "weight", facts.weight
        )
    params = {
        "product": product.name,
        "height": fmt_number(facts.height),
        "weight": fmt_number(facts.weight),
        "height_size": chart.rows[by_height].size,
        "weight_size": chart.rows[by_weight].size,
        "size": chart.rows[max(by_height, by_weight)].size,
    }
    response = (
        "utter_size_recommend_adult"
        if by_height == by_weight
        else ("utter_size_recommend_adult_between")
    )
    return answer(Reply(response, params))


def _by_one_measure(
    product: Product,
    chart: SizeChart,
    measure: str,
    value: float,
    response: str,
    out_of_chart: str,
) -> Outcome:
    """Recommend from one measurement's column of the chart, or say it is outside it."""
    index = _row_index(chart, measure, value)
    if index is None:
        return _out_of_chart(out_of_chart, product, chart, measure, value)
    params = {"product": product.name, measure: fmt_number(value), "size": chart.rows[index].size}
    return answer(Reply(response, params))


def _kids(product: Product, chart: SizeChart, facts: Facts) -> Outcome:
    if facts.height is not None:  # height first: it fits better than age
        return _by_one_measure(
            product,
            chart,
            "height",
            facts.height,
            "utter_size_recommend_kids",
            "utter_size_out_of_chart_kids_height",
        )
    if facts.age is not None:
        return _by_one_measure(
            product,
            chart,
            "age",
            facts.age,
            "utter_size_recommend_kids_by_age",
            "utter_size_out_of_chart_kids_age",
        )
    return ask("utter_ask_kids_height", "height")


def _shoes(product: Product, chart: SizeChart, facts: Facts) -> Outcome:
    if facts.foot_length is None:
        return ask("utter_ask_foot_length", "foot_length")
    return _by_one_measure(
        product,
        chart,
        "foot_length",
        facts.foot_length,
        "utter_size_recommend_shoes",
        "utter_size_out_of_chart_foot",
    )
