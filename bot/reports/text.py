"""The dashboard as plain text for operators (``python -m bot report``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# (heading, width, value of a period's figures)
Column = tuple[str, int, Callable[[dict[str, Any]], str]]


def percent(value: float | None) -> str:
    """0.9345 → "93.5%"; None → "-"."""
    return "-" if value is None else f"{value * 100:.1f}%"


def seconds(value: float | None) -> str:
    """12.3456 → "12.3"; None → "-"."""
    return "-" if value is None else f"{value:.1f}"


COLUMNS: Sequence[Column] = (
    ("buyer msgs", 10, lambda f: str(f["buyer_messages"])),
    ("<=30s", 7, lambda f: percent(f["first_response"]["share_within_target"])),
    ("convs", 6, lambda f: str(f["conversations"])),
    ("contained", 9, lambda f: percent(f["containment"])),
    ("handoff", 7, lambda f: percent(f["handoff_rate"])),
    ("handoffs", 8, lambda f: str(f["handoffs"])),
    ("p50 s", 6, lambda f: seconds(f["acceptance"]["p50_s"])),
    ("p90 s", 6, lambda f: seconds(f["acceptance"]["p90_s"])),
    ("max s", 6, lambda f: seconds(f["acceptance"]["max_s"])),
    ("breaches", 8, lambda f: str(f["breaches"])),
    ("fallback", 8, lambda f: percent(f["readings"]["fallback_rate"])),
    ("negative", 8, lambda f: percent(f["readings"]["negative_rate"])),
)


def render(report: dict[str, Any]) -> str:
    """The whole report: a line per day, the total, then the range's breakdowns."""
    target = report["target"]
    lines = [
        f"Dashboard {report['since']} .. {report['until']} ({report['timezone']}); "
        f"target: {percent(target['share'])} of buyer messages answered within "
        f"{target['reply_within_s']} s; handoff window {report['window_s']:g} s",
        "",
        _row("date", [(name, width) for name, width, _ in COLUMNS]),
    ]
    for day in report["days"]:
        lines.append(_row(day["date"], _cells(day)))
    lines += [_row("total", _cells(report["total"])), ""]
    lines += _breakdowns(report["total"], report["buckets"])
    return "\n".join(lines) + "\n"


def _cells(figures: dict[str, Any]) -> list[tuple[str, int]]:
    return [(value(figures), width) for _, width, value in COLUMNS]


def _row(first: str, cells: list[tuple[str, int]]) -> str:
    return f"{first:<10}" + "".join(f"  {text:>{width}}" for text, width in cells)


def _breakdowns(total: dict[str, Any], buckets: list[str]) -> list[str]:
    first = total["first_response"]
    messages = total["buyer_messages"]
    lines = ["First response (whole range):"]
    for name in buckets:
        count = first["buckets"][name]
        share = percent(count / messages) if messages else "-"
        lines.append(f"  {name:<12}{count:>8}  {share:>7}")
    reasons = [f"  {reason:<24}{n:>6}" for reason, n in total["handoffs_by_reason"].items()]
    intents = [
        f"  {i['intent']:<24}{i['count']:>6}  {percent(i['share']):>7}"
        for i in total["top_intents"]
    ]
    flags = [
        f"  {a['work_name']:<12}{a['flags']:>6}  "
        + ", ".join(f"{rule} x{n}" for rule, n in a["rules"].items())
        for a in total["etiquette"]
    ]
    for heading, section in [
        ("Handoffs by reason:", reasons),
        ("Top intents (share of buyer messages read):", intents),
        ("Etiquette flags by agent:", flags),
    ]:
        lines += ["", heading, *(section or ["  (none)"])]
    return lines
