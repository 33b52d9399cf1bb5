"""Simplified/Traditional Chinese detection and conversion (OpenCC, pure-Python build).

The NLU pipeline reads Simplified; a buyer who writes Traditional is answered in
Traditional. OpenCC's dictionaries load slowly, so converters are built once, lazily.
"""

from __future__ import annotations

from functools import cache

from opencc import OpenCC


@cache
def _converter(config: str) -> OpenCC:
    return OpenCC(config)


def to_simplified(text: str) -> str:
    """Return ``text`` with Traditional characters converted to Simplified."""
    return _converter("t2s").convert(text) if text else text


def to_traditional(text: str) -> str:
    """Return ``text`` with Simplified characters converted to Traditional."""
    return _converter("s2t").convert(text) if text else text


def is_traditional(text: str) -> bool:
    """Whether ``text`` contains characters that only Traditional script uses."""
    return bool(text) and to_simplified(text) != text
