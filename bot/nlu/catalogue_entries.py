"""Gazetteer entries read from the shop's data files and the bundled region list.

* ``product``: the product name and its aliases → the name.
* ``colour``: every SKU colour → itself, plus short forms. For a colour ending in 色 the
  stem + 的 is added (蓝的, 浅蓝的), and the bare stem when it has two or more characters
  (浅蓝, 米白, 藏青). A one-character stem alone (蓝, 白, 红) is left out: it sits inside
  too many ordinary words (明白, 红包, 粉丝, 蓝牙). A short form that would name two
  colours, or that another entry already uses, is dropped.
* ``carrier``: each carrier's name and aliases → the name.
* ``region``: province names, full names, aliases and major cities → the short name, and
  groups such as 港澳台 and 海外 (from ``regions.yml`` next to this module).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ShopDataError
from bot.nlu.gazetteer import SHADOW_ENTITY, GazetteerEntry

DEFAULT_REGIONS_FILE = Path(__file__).with_name("regions.yml")
# Ordinary words that end in a colour character followed by 的 would otherwise read as a
# colour (我明白的 → 白的); these shadow entries swallow them.
_NOT_COLOURS = ("明白", "坦白", "空白", "清白", "黑白", "拉黑", "蓝牙")
_COLOUR_SUFFIX = "色"


def catalogue_entries(
    shop_data_dir: Path, regions_file: Path = DEFAULT_REGIONS_FILE
) -> list[GazetteerEntry]:
    """Read products, colours, carriers and regions into gazetteer entries.

    Args:
        shop_data_dir: The folder holding ``products.yml`` and ``shipping.yml``.
        regions_file: The region list (default: the one bundled with this package).

    Raises:
        ShopDataError: A file is missing, is not YAML, or lacks the expected fields.
    """
    products = _records(_load(shop_data_dir / "products.yml"), "products")
    carriers = _records(_load(shop_data_dir / "shipping.yml"), "carriers")
    regions = _load(regions_file)
    provinces, groups = _records(regions, "provinces"), _records(regions, "groups")
    explicit = [
        *(_named_entry("product", record, "aliases") for record in products),
        *(_named_entry("carrier", record, "aliases") for record in carriers),
        *(_named_entry("region", r, "aliases", "cities", full_name=True) for r in provinces),
        *(_named_entry("region", record, "phrases") for record in groups),
    ]
    colours = sorted({_text(sku, "colour") for record in products for sku in _list(record, "skus")})
    explicit += [GazetteerEntry("colour", colour, (colour,)) for colour in colours]
    return _with_shadows(_with_colour_short_forms(explicit, colours))


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ShopDataError(f"cannot read {path}: {err}") from err


def _records(data: Any, key: str) -> list[dict[str, Any]]:
    records = data.get(key) if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ShopDataError(f"expected a list of records under {key!r}")
    return records


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key, [])
    if not isinstance(value, list):
        raise ShopDataError(f"{key!r} of {record.get('name', record)!r} must be a list")
    return value


def _text(record: Any, key: str) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise ShopDataError(f"{key!r} missing or empty in {record!r}")
    return value.strip()


def _named_entry(
    entity: str, record: dict[str, Any], *list_keys: str, full_name: bool = False
) -> GazetteerEntry:
    """An entry valued by ``record["name"]``; phrases: the name, ``full_name``, list items."""
    name = _text(record, "name")
    phrases = [name, _text(record, "full_name")] if full_name else [name]
    for key in list_keys:
        for item in _list(record, key):
            if not isinstance(item, str | int) or not str(item).strip():
                raise ShopDataError(f"bad {key!r} item {item!r} for {entity} {name!r}")
            phrases.append(str(item).strip())
    return GazetteerEntry(entity, name, tuple(dict.fromkeys(phrases)))


def _with_colour_short_forms(
    entries: list[GazetteerEntry], colours: Iterable[str]
) -> list[GazetteerEntry]:
    """Add to each colour entry its short forms that no other entry or colour claims."""
    claimed = {phrase.lower() for entry in entries for phrase in entry.phrases}
    short_forms = {colour: _colour_short_forms(colour) for colour in colours}
    proposals = [form for forms in short_forms.values() for form in forms]
    result = []
    for entry in entries:
        if entry.entity == "colour":
            extra = [
                form
                for form in short_forms[entry.value]
                if form.lower() not in claimed and proposals.count(form) == 1
            ]
            entry = GazetteerEntry(entry.entity, entry.value, (*entry.phrases, *extra))
        result.append(entry)
    return result


def _with_shadows(entries: list[GazetteerEntry]) -> list[GazetteerEntry]:
    """Add a shadow entry for the not-a-colour words that no entry uses as a phrase."""
    claimed = {phrase.lower() for entry in entries for phrase in entry.phrases}
    shadows = tuple(word for word in _NOT_COLOURS if word.lower() not in claimed)
    return (
        [*entries, GazetteerEntry(SHADOW_ENTITY, "not a colour", shadows)] if shadows else entries
    )


def _colour_short_forms(colour: str) -> list[str]:
    stem = colour.removesuffix(_COLOUR_SUFFIX)
    if stem == colour or not stem:
        return []
    return [stem, f"{stem}的"] if len(stem) >= 2 else [f"{stem}的"]
