"""Stock: asks for what is missing, answers from the SKUs, says "sold out" positively (E5)."""

from __future__ import annotations

from bot.answers.cards import LOW_STOCK, product_card
from bot.answers.catalogue import resolve_product
from bot.answers.common import Facts, Outcome, Reply, answer, ask, fmt_date, fmt_sku, join
from bot.shop import ShopRepository
from bot.shop.models import Product

MAX_ALTERNATIVES = 4


def answer_stock(shop: ShopRepository, facts: Facts) -> Outcome:
    """Answer "is it in stock?" for the product, colour and size the buyer gave."""
    product = resolve_product(shop, facts, "utter_ask_product_for_stock")
    if isinstance(product, Outcome):
        return product
    slots = {"product": product.name}
    colour = _pick_colour(product, facts.colour)
    if colour is None:
        response = "utter_colour_not_offered" if facts.colour else "utter_ask_colour"
        slots["colour"] = None
        return ask(response, "colour", slots, product=product.name, colours=join(product.colours))
    slots["colour"] = colour
    if facts.size not in product.sizes:
        slots["size"] = None
        if facts.size:
            return ask(
                "utter_size_not_offered",
                "size",
                slots,
                product=product.name,
                sizes=join(product.sizes),
            )
        in_stock = [s.size for s in product.skus if s.colour == colour and s.in_stock]
        if not in_stock:
            return _colour_sold_out(shop, product, colour, slots)
        return ask(
            "utter_ask_size_for_stock",
            "size",
            slots,
            product=product.name,
            colour=colour,
            sizes=join(in_stock),
        )
    return _sku_answer(shop, product, colour, facts.size, slots)


def _pick_colour(product: Product, wanted: str | None) -> str | None:
    if wanted in product.colours:
        return wanted
    if wanted is None and len(product.colours) == 1:
        return product.colours[0]
    return None


def _sku_answer(
    shop: ShopRepository, product: Product, colour: str, size: str, slots: dict
) -> Outcome:
    sku = product.sku(colour, size)
    params = {"product": product.name, "colour": colour, "size": size}
    if sku is None:
        slots["size"] = None
        return ask(
            "utter_sku_not_offered",
            "size",
            slots,
            **params,
            sizes=join(s.size for s in product.skus if s.colour == colour),
        )
    slots["size"] = size
    card = (product_card(product, colour, size),)
    if sku.in_stock:
        response = "utter_stock_low" if sku.stock < LOW_STOCK else "utter_stock_available"
        return answer(
            Reply(response, {**params, "count": str(sku.stock)}), slots=slots, custom=card
        )
    if sku.restock:
        first = Reply("utter_stock_out_restock", {**params, "restock": fmt_date(sku.restock)})
    else:
        first = Reply("utter_stock_out_no_date", params)
    return answer(
        first,
        *_alternatives(shop, product),
        Reply("utter_offer_restock_notice"),
        slots=slots,
        offer="restock_notice",
        custom=card,
    )


def _colour_sold_out(shop: ShopRepository, product: Product, colour: str, slots: dict) -> Outcome:
    dates = sorted(s.restock for s in product.skus if s.colour == colour and s.restock)
    params = {"product": product.name, "colour": colour}
    if dates:
        first = Reply("utter_colour_out_restock", {**params, "restock": fmt_date(dates[0])})
    else:
        first = Reply("utter_colour_out_no_date", params)
    return answer(first, *_alternatives(shop, product), slots=slots)


def _alternatives(shop: ShopRepository, product: Product) -> list[Reply]:
    """Other SKUs of the same product in stock, and similar products in stock."""
    replies = []
    same = [fmt_sku(s.colour, s.size) for s in product.skus if s.in_stock][:MAX_ALTERNATIVES]
    if same:
        replies.append(Reply("utter_stock_alternatives_same", {"alternatives": join(same)}))
    similar = [shop.find_product(pid) for pid in product.similar]
    names = [p.name for p in similar if p is not None and p.in_stock]
    if names:
        replies.append(Reply("utter_stock_alternatives_similar", {"similar": join(names)}))
    return replies


def record_restock_notice(shop: ShopRepository, facts: Facts) -> Outcome:
    """Record the buyer's wish to hear when the SKU in the slots is back in stock."""
    product = shop.find_product(facts.product or "")
    if product is None or not facts.colour or not facts.size:
        return answer(Reply("utter_anything_else"))
    params = {"product": product.name, "colour": facts.colour, "size": facts.size}
    is_new = shop.record_restock_request(
        facts.conversation_id, product.id, facts.colour, facts.size
    )
    response = "utter_restock_notice_recorded" if is_new else "utter_restock_notice_exists"
    return answer(Reply(response, params))
