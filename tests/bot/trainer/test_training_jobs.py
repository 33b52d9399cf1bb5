"""Training job folders: ids, atomic status, one job at a time, interrupted jobs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.trainer.jobs import (
    INTERRUPTED,
    JobBusyError,
    TrainingJobs,
    UnknownJobError,
    is_job_id,
    new_job_id,
    write_json_atomically,
)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_job_ids_sort_by_time_and_reject_paths() -> None:
    early = new_job_id(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
    late = new_job_id(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    assert early.startswith("20261123-090000-") and early < late
    assert is_job_id(early)
    for bad in ("../etc", "20261123-090000-abcdef/..", "20261123-090000-ABCDEF", "", "x"):
        assert not is_job_id(bad)


def test_a_malformed_or_unknown_job_id_is_unknown(tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path)
    with pytest.raises(UnknownJobError):
        jobs.job_dir("../../etc")
    with pytest.raises(UnknownJobError):
        jobs.read("20261123-090000-abcdef")


def test_status_is_replaced_atomically(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    write_json_atomically(path, {"state": "queued"})
    write_json_atomically(path, {"state": "training", "stage": "训练中"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"state": "training", "stage": "训练中"}
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]  # no temporary file left


def test_create_update_and_list_newest_first(tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path)
    lock = jobs.acquire_lock()  # a running job holds the lock
    try:
        first = jobs.create("20261123-090000-aaaaaa")
        jobs.create("20261123-100000-bbbbbb")
        (tmp_path / ".evaluations").mkdir()  # not a job
        assert first["state"] == "queued" and first["progress"] == 0.0
        jobs.update(first["id"], state="ready", progress=1.0)
        listed = jobs.recent()
        assert [s["id"] for s in listed] == ["20261123-100000-bbbbbb", "20261123-090000-aaaaaa"]
        assert listed[1]["state"] == "ready"
        assert jobs.running()["id"] == "20261123-100000-bbbbbb"
        assert len(jobs.recent(limit=1)) == 1
    finally:
        os.close(lock)


def test_one_job_at_a_time(tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path)
    held = jobs.acquire_lock()
    assert jobs.lock_held()
    with pytest.raises(JobBusyError):
        jobs.acquire_lock()
    # A child that inherited the descriptor holds the same lock: taking it again succeeds.
    inherited = jobs.acquire_lock(inherited_fd=os.dup(held))
    os.close(held)
    assert jobs.lock_held()  # the duplicate still holds it
    os.close(inherited)
    assert not jobs.lock_held()
    assert not TrainingJobs(tmp_path / "elsewhere").lock_held()


def test_the_lock_is_released_when_its_process_dies(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from bot.trainer.jobs import TrainingJobs; "
        "TrainingJobs(Path(sys.argv[1])).acquire_lock(); print('held', flush=True); "
        "sys.stdin.read()"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "held"
        assert TrainingJobs(tmp_path).lock_held()
    finally:
        child.kill()
        child.wait()
    assert not TrainingJobs(tmp_path).lock_held()


def test_a_running_job_without_its_process_is_marked_interrupted(tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path)
    job = jobs.create(state="training", stage="training DIETClassifier", pid=_dead_pid())
    (tmp_path / job["id"] / "staging-x1").mkdir()  # what a killed training leaves
    status = jobs.read(job["id"])
    assert (status["state"], status["error"]) == ("failed", INTERRUPTED)
    assert status["finished_at"]
    assert not (tmp_path / job["id"] / "staging-x1").exists()
    assert json.loads((tmp_path / job["id"] / "status.json").read_text())["state"] == "failed"
    assert jobs.running() is None


def test_a_running_job_whose_process_holds_the_lock_stays_running(tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path)
    lock = jobs.acquire_lock()
    try:
        job = jobs.create(state="training", pid=os.getpid())
        assert jobs.read(job["id"])["state"] == "training"
        queued = jobs.create()  # created by the gateway, its child not started yet
        assert jobs.read(queued["id"])["state"] == "queued"
    finally:
        os.close(lock)
    # Lock released and the job never finished: interrupted.
    assert jobs.read(job["id"])["state"] == "failed"


def test_finished_jobs_are_never_rewritten(tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path)
    job = jobs.create(state="ready", pid=_dead_pid())
    assert jobs.read(job["id"])["state"] == "ready"
    assert jobs.report(job["id"]) is None


def test_a_stray_descriptor_is_not_taken_for_the_lock(tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path)
    other = os.open(tmp_path / "other", os.O_RDWR | os.O_CREAT)
    try:
        lock = jobs.acquire_lock(inherited_fd=other)
        assert lock != other and jobs.lock_held()
        os.close(lock)
        assert jobs.acquire_lock(inherited_fd=987654) >= 0  # not even open
    finally:
        os.close(other)


def test_the_activated_model_is_remembered(tmp_path: Path) -> None:
    jobs = TrainingJobs(tmp_path)
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"model")
    job = jobs.create(state="ready", pid=_dead_pid())
    assert jobs.active_model() is None
    status = jobs.record_activation(job["id"], str(model))
    assert status["state"] == "activated" and status["activated_at"]
    assert jobs.active_model() == model
    model.unlink()
    assert jobs.active_model() is None
