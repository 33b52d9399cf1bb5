"""The trainer's page (训练) in a real browser on the real stack.

A trainer finds the conversation the bot did not understand, reads it, relabels the
buyer's line (after the check warns of a conflict), and the example lands in the project's
data; the export downloads it. The data-health panel lists a conflict in the data, and the
training panel shows a finished job's report and activates only a model that is not worse.

The gateway's TRAINER_PROJECT_DIR points at a copy of the project's data in a temporary
directory (tests/e2e/conftest.py); each test puts back the files it changed. No real
training runs here (15 minutes): the training panel reads jobs whose status and report
files the test writes, as ``python -m bot train`` would.
"""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import APIRequestContext, expect

from bot.trainer.jobs import (
    CONFUSION_FILE,
    REPORT_FILE,
    STATUS_FILE,
    TrainingJobs,
    new_job_id,
    write_json_atomically,
)
from tests.e2e.browser.pages import TURN_TIMEOUT_MS, Console, TrainerPage
from tests.e2e.conftest import TRAINER_USERNAME, RunningAssistant
from tests.support.browser import screenshot
from tests.support.project import TRAINER_FILES

pytestmark = pytest.mark.e2e
PUZZLE = "说不上来的感觉"  # the model reads no intent above 0.35: nlu_fallback
SEEDED_INTENT = "out_of_scope"  # the copy's data already has PUZZLE under this intent …
NEW_INTENT = "ask_size"  # … so relabelling it to this one is a conflict
TWICE = "这句话同时是两个意图的样例吗"  # seeded under two intents for the health check


@pytest.fixture
def trainer_project(assistant: RunningAssistant) -> Iterator[Path]:
    """The copy of the project's data the gateway edits; the files are put back after."""
    project = assistant.trainer_project
    assert project is not None, "the e2e assistant has no TRAINER_PROJECT_DIR copy"
    files = [p for name in TRAINER_FILES for p in _files(project / name)]
    saved = {path: path.read_bytes() for path in files}
    yield project
    for path in {p for name in TRAINER_FILES for p in _files(project / name)} - set(saved):
        path.unlink()
    for path, content in saved.items():
        path.write_bytes(content)


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def _seed_example(project: Path, intent: str, text: str) -> None:
    """Add ``text`` to the copy's examples of ``intent`` (as a trainer once did)."""
    path = project / "data" / "nlu" / f"{intent}.yml"
    source = path.read_text(encoding="utf-8")
    assert "examples: |\n" in source, path
    path.write_text(source.replace("examples: |\n", f"examples: |\n      - {text}\n", 1), "utf-8")


def _buyer_says(api: APIRequestContext, text: str) -> str:
    """A buyer conversation through the REST API; returns its id."""
    cid = api.post("/api/conversations").json()["conversation_id"]
    answer = api.post(
        f"/api/conversations/{cid}/messages", data={"text": text}, timeout=TURN_TIMEOUT_MS
    )
    assert answer.ok, answer.text()
    return cid


def test_trainer_relabels_a_misunderstood_line_and_exports_it(
    api: APIRequestContext,
    console_login: Callable[..., Console],
    trainer_project: Path,
) -> None:
    _seed_example(trainer_project, SEEDED_INTENT, PUZZLE)
    cid = _buyer_says(api, PUZZLE)
    console = console_login(TRAINER_USERNAME)
    reading = console.api_get(f"/trainer/conversations/{cid}")["entries"][0]["reading"]
    assert reading and reading["fallback"], f"the bot should not understand {PUZZLE}: {reading}"
    trainer = TrainerPage(console)
    trainer.open()

    # Only what the bot did not understand: the buyer's conversation is in the list.
    trainer.flag("fallback").check()
    item = trainer.conversation(cid)
    expect(item).to_be_visible()
    expect(item).to_contain_text("未识别 1")
    screenshot(console.page, "trainer", "list")

    # The transcript: the buyer's line with the bot's reading, then the bot's answer.
    item.click()
    expect(item).to_have_attribute("aria-current", "true")
    line = trainer.line("buyer", PUZZLE)
    expect(line.locator(".flag--fallback")).to_be_visible()
    expect(line.locator(".badge.intent")).to_be_visible()
    expect(trainer.reader.locator(".msg[data-sender=bot]").first).to_be_visible()

    # 重新标注 → ask_size: the check warns that the data has this line as out_of_scope.
    line.locator("button.relabel-open").click()
    form = line.locator("form.relabel")
    form.get_by_label("意图", exact=True).select_option(NEW_INTENT)
    form.get_by_role("button", name="检查").click()
    conflict = form.locator(".warning[data-kind=conflict]")
    expect(conflict).to_contain_text(SEEDED_INTENT)
    confirm = form.locator("button.relabel-confirm")
    expect(confirm).to_be_enabled()
    screenshot(console.page, "trainer", "conflict")

    confirm.click()
    expect(line.locator(".relabel__done")).to_contain_text(f"data/nlu/{NEW_INTENT}.yml")
    expect(line.locator(".reader__relabel")).to_contain_text("问尺码")
    screenshot(console.page, "trainer", "relabelled")
    written = (trainer_project / "data" / "nlu" / f"{NEW_INTENT}.yml").read_text("utf-8")
    assert f"- {PUZZLE}\n" in written, written[-400:]

    # 导出记录 (JSONL) of the chosen range holds the conversation's lines.
    with console.page.expect_download() as download:
        trainer.export_jsonl.click()
    assert download.value.suggested_filename.endswith(".jsonl"), download.value.suggested_filename
    lines = Path(download.value.path()).read_text("utf-8").splitlines()
    rows = [json.loads(row) for row in lines]
    assert any(r.get("sender") == "buyer" and r.get("text") == PUZZLE for r in rows), rows[:3]


def test_data_health_lists_a_line_filed_under_two_intents(
    console_login: Callable[..., Console], trainer_project: Path
) -> None:
    _seed_example(trainer_project, "ask_stock", TWICE)
    _seed_example(trainer_project, "ask_shipping", TWICE)
    console = console_login(TRAINER_USERNAME)
    trainer = TrainerPage(console)
    trainer.open()

    health = trainer.panel("health")
    conflicts = health.locator(".health-issues[data-kind=conflicts] li").filter(has_text=TWICE)
    expect(conflicts).to_have_count(1)
    expect(conflicts).to_contain_text("ask_stock")
    expect(conflicts).to_contain_text("ask_shipping")
    expect(health.locator(".health-table tr[data-intent=ask_stock] svg.bar rect")).to_be_attached()
    screenshot(console.page, "trainer", "health")


# --- the training panel, on jobs written as `python -m bot train` writes them ---------


def _png(width: int, height: int) -> bytes:
    """A plain grey PNG (stands in for Rasa's confusion matrix drawing)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xcc" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _report(macro_f1: float, baseline_f1: float) -> dict[str, Any]:
    labels = ["ask_size", "ask_stock", "greet"]
    not_worse = macro_f1 >= baseline_f1 - 0.01
    return {
        "holdout": "tests/nlu/holdout.yml",
        "new": {"accuracy": macro_f1 + 0.01, "macro_f1": macro_f1, "examples": 30},
        "baseline": {"accuracy": baseline_f1 + 0.01, "macro_f1": baseline_f1, "examples": 30},
        "verdict": {"not_worse": not_worse, "tolerance": 0.01, "reasons": [f"macro F1 {macro_f1}"]},
        "intents": [
            {
                "name": name,
                "precision": 0.9,
                "recall": 0.8,
                "f1": macro_f1,
                "support": 10,
                "baseline_f1": baseline_f1,
                "confused_with": {},
            }
            for name in labels
        ],  # fmt: skip
        "confusion": {"labels": labels, "matrix": [[9, 1, 0], [0, 10, 0], [1, 0, 9]]},
    }


@pytest.fixture
def finished_job(assistant: RunningAssistant) -> Iterator[Callable[..., str]]:
    """``finished_job(created, macro_f1, baseline)``: a job folder as a finished
    ``python -m bot train`` leaves it (returns its id); the folders are removed after."""
    assert assistant.env is not None
    jobs = TrainingJobs.for_var_dir(Path(assistant.env["SHOP_VAR_DIR"]))
    made: list[str] = []

    def make(created: datetime, macro_f1: float, baseline: float) -> str:
        job_id = new_job_id(created)
        report = _report(macro_f1, baseline)
        stamp = created.isoformat(timespec="seconds")
        jobs.create(
            job_id, state="ready", stage="ready", progress=1.0, started_at=stamp,
            finished_at=stamp, model=str(jobs.root / "no-such-model.tar.gz"),
            baseline="current.tar.gz", verdict=report["verdict"],
        )  # fmt: skip
        made.append(job_id)
        write_json_atomically(jobs.job_dir(job_id) / REPORT_FILE, report)
        (jobs.job_dir(job_id) / CONFUSION_FILE).write_bytes(_png(60, 40))
        assert (jobs.job_dir(job_id) / STATUS_FILE).is_file()
        return job_id

    yield make
    for job_id in made:
        shutil.rmtree(jobs.job_dir(job_id))


def test_training_panel_activates_only_a_model_that_is_not_worse(
    finished_job: Callable[..., str], console_login: Callable[..., Console]
) -> None:
    now = datetime.now(timezone.utc)
    better = finished_job(now - timedelta(minutes=30), macro_f1=0.91, baseline=0.9)
    worse = finished_job(now - timedelta(minutes=5), macro_f1=0.8, baseline=0.9)
    console = console_login(TRAINER_USERNAME)
    trainer = TrainerPage(console)
    trainer.open()
    panel = trainer.panel("training")
    activate = panel.locator("#training-activate")

    # The later job is worse than the model in service: no activation.
    jobs = panel.locator("#training-jobs")
    expect(jobs.locator(f"option[value='{worse}']")).to_be_attached()
    jobs.select_option(worse)
    expect(panel.locator(".verdict")).to_have_attribute("data-ok", "false")
    expect(activate).to_be_disabled()

    # The earlier one is not worse: its report, the picture, and 激活 asks first.
    jobs.select_option(better)
    expect(panel.locator(".verdict")).to_have_attribute("data-ok", "true")
    expect(panel.locator(".report-table tbody tr")).to_have_count(3)
    picture = panel.locator("img.confusion")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 60
    expect(activate).to_be_enabled()
    screenshot(console.page, "trainer", "report")
    activate.click()
    dialog = console.page.locator("#activate-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("open", "")
    screenshot(console.page, "trainer", "activate-dialog")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    assert console.watch.dialogs() == []  # a <dialog>, never window.confirm
