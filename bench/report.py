"""What the benchmark prints and saves: machine, parameters, model, and a table of figures."""

from __future__ import annotations

import json
import math
import os
import platform
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.stats import Summary, overhead

_HEADER = (
    f"{'target':<30}{'turns':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
    f"{'p99 ms':>9}{'max ms':>9}{'msg/s':>8}"
)


def machine_info() -> dict[str, Any]:
    """Cores, load average and versions of the machine running the benchmark."""
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "rasa": metadata.version("rasa"),
    }


def model_info(model: Path) -> dict[str, Any]:
    """The model's file size and the training stats kept next to it (``<hash>.json``)."""
    info: dict[str, Any] = {"path": str(model), "exists": model.exists()}
    if model.exists():
        info["file_bytes"] = model.stat().st_size
    stats_path = model.with_suffix("").with_suffix(".json")
    try:
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stats = {}
    info["training_seconds"] = stats.get("seconds")
    info["recorded_bytes"] = stats.get("bytes")
    return info


def fmt_number(value: float | None, digits: int = 0) -> str:
    """``value`` with ``digits`` decimals; "-" for a missing figure (None or NaN)."""
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _row(summary: Summary) -> str:
    rate = "-" if math.isnan(summary.per_second) else f"{summary.per_second:.2f}"
    return (
        f"{summary.label:<30}{summary.turns:>7}{summary.errors:>8}{fmt_number(summary.p50_ms):>9}"
        f"{fmt_number(summary.p95_ms):>9}{fmt_number(summary.p99_ms):>9}{fmt_number(summary.max_ms):>9}{rate:>8}"
    )


def _model_line(model: dict[str, Any]) -> str:
    if not model["exists"]:
        return f"model: {model['path']} (missing)"
    seconds, recorded = model["training_seconds"], model["recorded_bytes"]
    trained = "training time unknown" if seconds is None else f"trained in {seconds:.1f} s"
    size = "" if recorded is None else f", recorded size {recorded / 1e6:.1f} MB"
    file_mb = model["file_bytes"] / 1e6
    return f"model: {model['path']}\n       {trained}{size}, file {file_mb:.1f} MB"


def _mode(params: dict[str, Any]) -> str:
    think = params.get("think_ms", 0)
    return f"paced (~{think:.0f} ms pause before each message)" if think else "closed loop"


def render(report: dict[str, Any], summaries: list[Summary]) -> str:
    """The human-readable report."""
    machine, params = report["machine"], report["parameters"]
    lines = [
        "小店助手 load benchmark",
        f"machine: {machine['cores']} cores ({machine['usable_cores']} usable), load average "
        f"{' '.join(map(str, machine['load_average']))} at start; "
        f"Python {machine['python']}, Rasa {machine['rasa']}",
        f"parameters: {params['conversations']} concurrent conversations x {params['turns']} "
        f"measured turns (+{params['warmup']} warm-up each), {_mode(params)}, "
        f"{params['turn_timeout_s']:.0f} s turn timeout, servers: {params['servers']}",
        _model_line(report["model"]),
        "",
        _HEADER,
        "-" * len(_HEADER),
        *(_row(s) for s in summaries),
        "",
    ]
    gateway, direct = summaries[0], summaries[1]
    lines.append(
        f"gateway overhead: {_percent(overhead(gateway, direct))} of Rasa's throughput "
        "(1 - gateway msg/s / Rasa REST msg/s)"
    )
    lines.append(
        f"latency added by the gateway at p50: {fmt_number(gateway.p50_ms - direct.p50_ms)} ms"
    )
    lines += [_failures(s) for s in summaries if s.error_kinds]
    return "\n".join(lines)


def _percent(value: float) -> str:
    return "-" if math.isnan(value) else f"{value * 100:.1f}%"


def _failures(summary: Summary) -> str:
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(summary.error_kinds.items()))
    return (
        f"{summary.label}: failed turns by kind (warm-up included): {kinds}; "
        f"{summary.warmup_errors} of them in warm-up"
    )


def to_json(report: dict[str, Any], summaries: list[Summary]) -> str:
    """The report and every summary as JSON (NaN written as null)."""
    data = {
        **report,
        "results": [asdict(s) for s in summaries],
        "gateway_overhead": overhead(summaries[0], summaries[1]),
    }
    return json.dumps(without_nan(data), ensure_ascii=False, indent=2)


def without_nan(value: Any) -> Any:
    """``value`` with every NaN (in dicts and lists too) replaced by None, for JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nan(v) for v in value]
    return value
