"""``python -m bot train``: validate the data, train, evaluate against the current model,
and (with ``--activate``) switch the running Rasa server to the new model.

    python -m bot train [--project DIR] [--holdout FILE] [--job-dir DIR] [--baseline MODEL]
                        [--force] [--activate] [--yes] [--rasa-url URL]

Every run is a job folder (``<var_dir>/training/<id>/`` unless ``--job-dir``) with
``status.json``, ``log.txt``, ``report.json`` and ``confusion.png``; the gateway's training
page starts this command and reads that folder. The model is trained into the job's
staging folder and moved to ``models/<fingerprint>.tar.gz`` only when complete; a failure
leaves the data, ``models/`` and the served model as they were.

Exit codes: 0 done; 1 validation, training or evaluation failed, another job is running,
or the new model is worse (activation refused); 2 bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import SettingsError, ShopAssistantError
from bot.settings import PROJECT_ROOT, Settings
from bot.trainer import evaluation
from bot.trainer.activation import ActivationError, activate_blocking, served_model_blocking
from bot.trainer.checks import check
from bot.trainer.jobs import (
    CONFUSION_FILE,
    LOCK_FD_ENV,
    LOG_FILE,
    REPORT_FILE,
    JobBusyError,
    JobError,
    TrainingJobs,
    is_job_id,
    utc_now,
    write_json_atomically,
)
from bot.trainer.nlu_data import NluData
from bot.training import (
    TrainingError,
    TrainingInterruptedError,
    log_tail,
    model_path,
    prune,
    train_into,
    validate_data,
    write_dictionary,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EPOCHS = re.compile(r"Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")
COMPONENT = re.compile(r"Starting to train component '([^']+)'")
TRAINING_SPAN = (0.1, 0.75)  # the progress bar's share of validating / training / evaluating


@dataclass(frozen=True)
class Options:
    """What one run was asked to do."""

    project: Path
    holdout: Path
    job_dir: Path | None
    baseline: Path | None
    force: bool
    activate: bool
    yes: bool
    rasa_url: str
    var_dir: Path


def parse_options(argv: list[str]) -> Options:
    """Read the command line (argparse exits with 2 on bad usage)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--project", type=Path, help="project folder (default: the "
                        "trainer's project, TRAINER_PROJECT_DIR)")  # fmt: skip
    parser.add_argument("--holdout", type=Path, help="held-out NLU examples (default: NLU_HOLDOUT, "
                        "or <project>/tests/nlu/holdout.yml with --project)")  # fmt: skip
    parser.add_argument("--job-dir", type=Path, help="the job folder (its name is the job id)")
    parser.add_argument("--baseline", type=Path, help="the model to compare with when Rasa "
                        "cannot say which one it serves")  # fmt: skip
    parser.add_argument("--force", action="store_true", help="retrain even if the model for "
                        "the current data exists")  # fmt: skip
    parser.add_argument("--activate", action="store_true", help="switch Rasa to the new model "
                        "if it is not worse (asks first)")  # fmt: skip
    parser.add_argument("--yes", action="store_true", help="do not ask before activating")
    parser.add_argument("--rasa-url", help="the running Rasa server (default: RASA_URL)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    project = (args.project or settings.trainer_project_dir).resolve()
    default_holdout = project / "tests" / "nlu" / "holdout.yml"
    holdout = args.holdout or (default_holdout if args.project else settings.nlu_holdout)
    return Options(project, holdout.resolve(), args.job_dir, args.baseline, args.force,
                   args.activate, args.yes, (args.rasa_url or settings.rasa_url).rstrip("/"),
                   settings.var_dir)  # fmt: skip


def usage_problem(options: Options) -> str | None:
    """Why these options cannot work, if they cannot."""
    if not (options.project / "config.yml").is_file():
        return f"no config.yml in {options.project}"
    if not options.holdout.is_file():
        return f"no held-out examples at {options.holdout}"
    if options.baseline and not options.baseline.is_file():
        return f"no model at {options.baseline}"
    if options.job_dir and not is_job_id(options.job_dir.name):
        return f"the job folder's name must be a job id (YYYYMMDD-HHMMSS-xxxxxx): {options.job_dir}"
    return None


class JobRun:
    """One job as it runs: status updates, the log, the progress bar."""

    def __init__(self, jobs: TrainingJobs, job_id: str) -> None:
        self.jobs = jobs
        self.job_id = job_id
        self.folder = jobs.job_dir(job_id)
        self.log = self.folder / LOG_FILE
        self._shown = -1

    def set(self, **changes: Any) -> dict[str, Any]:
        """Update the job's status."""
        return self.jobs.update(self.job_id, **changes)

    def stage(self, state: str, stage: str, progress: float) -> None:
        """Enter a stage: the status, a line in the log and on the terminal."""
        self.set(state=state, stage=stage, progress=round(progress, 3))
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n==> {stage}\n")
        print(f"{stage} ...", flush=True)

    def on_training_line(self, line: str) -> None:
        """Follow ``rasa train``'s output: the component trained, DIET's epoch bar."""
        if component := COMPONENT.search(line):
            self.set(stage=f"training {component.group(1)}")
        elif epochs := EPOCHS.search(line):
            done, total = int(epochs.group(1)), max(int(epochs.group(2)), 1)
            start, end = TRAINING_SPAN
            self.set(stage=f"training DIETClassifier: epoch {done}/{total}",
                     progress=round(start + (end - start) * done / total, 3))  # fmt: skip
            percent = 100 * done // total
            if percent // 10 != self._shown // 10:
                self._shown = percent
                print(f"  epoch {done}/{total}", flush=True)


def check_data(project: Path, run: JobRun) -> None:
    """The NLU checks (duplicates and conflicts fail), then ``rasa data validate``.

    Raises:
        TrainingError: the data is not fit to train on.
    """
    report = check(NluData(project))
    problems = [
        finding.describe()
        for name in ("duplicates", "conflicts", "sentiment_duplicates", "sentiment_conflicts")
        for finding in getattr(report, name, [])
    ]
    if problems:
        with run.log.open("a", encoding="utf-8") as log:
            log.write("\n".join(problems) + "\n")
        raise TrainingError(f"the data has {len(problems)} duplicates or conflicts",
                            "\n".join(problems[:30]))  # fmt: skip
    validate_data(project, log_path=run.log)


def train_model(options: Options, run: JobRun) -> Path:
    """The model for the project's current data: trained now unless it exists already."""
    target = model_path(options.project)
    if target.is_file() and not options.force:
        run.stage("training", f"model for this data exists: {target.name}", TRAINING_SPAN[1])
        return target
    run.stage("training", f"training {target.name}", TRAINING_SPAN[0])
    write_dictionary(options.project)
    return train_into(options.project, target, staging_parent=run.folder,
                      log_path=run.log, on_line=run.on_training_line)  # fmt: skip


def find_baseline(options: Options, new_model: Path) -> tuple[Path | None, str]:
    """The model to compare with, and where it came from."""
    served = served_model_blocking(options.rasa_url)
    if served:
        for folder in (options.project / "models", PROJECT_ROOT / "models"):
            if (folder / served).is_file():
                return folder / served, f"served by Rasa at {options.rasa_url}"
    if options.baseline:
        return options.baseline.resolve(), "--baseline"
    others = [p for p in (options.project / "models").glob("*.tar.gz") if p != new_model]
    newest = max(others, key=lambda p: p.stat().st_mtime, default=None)
    return newest, "the newest other model in models/"


def evaluate_models(options: Options, run: JobRun, new_model: Path) -> dict[str, Any]:
    """Evaluate the new model and the baseline; write report.json and confusion.png."""
    baseline, source = find_baseline(options, new_model)
    run.set(model=str(new_model), baseline=str(baseline) if baseline else None,
            baseline_source=source if baseline else None)  # fmt: skip
    cache = run.jobs.root / ".evaluations"
    run.stage("evaluating", f"evaluating {new_model.name} on the held-out examples", 0.8)
    new = evaluation.evaluate(options.project, new_model, options.holdout,
                              cache_dir=cache, log_path=run.log)  # fmt: skip
    old = None
    if baseline:
        run.stage("evaluating", f"evaluating the current model {baseline.name} ({source})", 0.9)
        old = evaluation.evaluate(options.project, baseline, options.holdout,
                                  cache_dir=cache, log_path=run.log)  # fmt: skip
    report = evaluation.build_report(new, old, options.holdout)
    evaluation.copy_confusion_png(new, run.folder / CONFUSION_FILE)
    write_json_atomically(run.folder / REPORT_FILE, report)
    evaluation.prune_cache(cache)
    prune(options.project / "models", [p for p in (new_model, baseline) if p])
    return report


def run_job(options: Options, run: JobRun) -> dict[str, Any]:
    """Validate, train, evaluate; the job ends ``ready`` (or raises, see ``main``)."""
    run.set(pid=os.getpid(), started_at=utc_now(), project=str(options.project),
            holdout=str(options.holdout))  # fmt: skip
    run.stage("validating", "validating the training data", 0.02)
    check_data(options.project, run)
    new_model = train_model(options, run)
    report = evaluate_models(options, run, new_model)
    run.set(state="ready", stage="ready", progress=1.0, finished_at=utc_now(),
            verdict=report["verdict"])  # fmt: skip
    return report


def confirm_activation(options: Options, model: Path) -> bool | None:
    """Whether the operator agrees; None when nobody can be asked (no terminal, no --yes)."""
    if options.yes:
        return True
    if not sys.stdin.isatty():
        return None
    try:
        answer = input(f"activate {model.name} on {options.rasa_url}? [y/N] ")
    except (EOFError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in ("y", "yes")


def activate_job(options: Options, run: JobRun, report: dict[str, Any]) -> int:
    """Switch Rasa to the job's model, if it is not worse and the operator confirms."""
    if not report["verdict"]["not_worse"]:
        print("activation refused: the new model is worse than the current one", flush=True)
        return EXIT_FAILED
    model = Path(report["new"]["model"])
    agreed = confirm_activation(options, model)
    if agreed is None:
        print("not activated: pass --yes to activate without a terminal", file=sys.stderr)
        return EXIT_USAGE
    if not agreed:
        print("not activated.", flush=True)
        return EXIT_OK
    try:
        status = activate_blocking(options.rasa_url, model)
    except ActivationError as err:
        print(f"activation failed: {err.reason}", file=sys.stderr)
        return EXIT_FAILED
    run.jobs.record_activation(run.job_id, str(model))
    print(f"Rasa at {options.rasa_url} now serves {status.get('model_file')}", flush=True)
    return EXIT_OK


def job_store(options: Options) -> tuple[TrainingJobs, str | None]:
    """Where the job lives (its folder's parent holds the lock too) and its given id."""
    if options.job_dir is None:
        return TrainingJobs.for_var_dir(options.var_dir), None
    return TrainingJobs(options.job_dir.parent.resolve()), options.job_dir.name


def open_job(jobs: TrainingJobs, job_id: str | None) -> str:
    """The job's id: a new job, or the given (gateway-created, still queued) one.

    Raises:
        JobError: the given job has already run.
    """
    if job_id is None:
        return jobs.create()["id"]
    if not (jobs.root / job_id / "status.json").is_file():
        jobs.create(job_id)
    elif jobs.read(job_id)["state"] != "queued":
        raise JobError(f"job {job_id} has already run")
    return job_id


def _inherited_lock() -> int | None:
    raw = os.environ.get(LOCK_FD_ENV, "")
    return int(raw) if raw.isdigit() else None


def _interrupted(signum: int, _frame: object) -> None:
    raise TrainingInterruptedError(f"interrupted by signal {signal.Signals(signum).name}")


def execute(options: Options) -> int:
    """Hold the lock, run the job, record its end; activate if asked."""
    jobs, given_id = job_store(options)
    try:
        lock = jobs.acquire_lock(_inherited_lock())
    except JobBusyError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
    try:
        run = JobRun(jobs, open_job(jobs, given_id))
        print(f"job {run.job_id}: {run.folder}", flush=True)
        try:
            report = run_job(options, run)
        except (ShopAssistantError, KeyboardInterrupt) as err:
            return _failed(run, err)
        except Exception as err:  # a bug: still say so in the job, then show the traceback
            _failed(run, err)
            raise
    finally:
        os.close(lock)
    print("\n" + evaluation.format_report(report) + "\n", flush=True)
    print(f"report: {run.folder / REPORT_FILE}\nconfusion matrix: {run.folder / CONFUSION_FILE}")
    return activate_job(options, run, report) if options.activate else EXIT_OK


def _failed(run: JobRun, err: BaseException) -> int:
    reason = getattr(err, "reason", None) or str(err) or type(err).__name__
    if isinstance(err, KeyboardInterrupt):
        reason = "interrupted (Ctrl-C)"
    elif not isinstance(err, ShopAssistantError):
        reason = f"unexpected error: {type(err).__name__}: {err}"
    tail = getattr(err, "log_tail", "") or log_tail(run.log)
    run.jobs.update(run.job_id, **run.jobs.failure(reason, tail))
    print(f"failed: {reason}\n--- end of {run.log} ---\n{tail}", file=sys.stderr)
    return EXIT_FAILED


def _fail_queued_job(options: Options, reason: str) -> None:
    # A job the gateway created for this run must not wait forever for it.
    if options.job_dir is None or not is_job_id(options.job_dir.name):
        return
    jobs = TrainingJobs(options.job_dir.parent.resolve())
    with contextlib.suppress(JobError, OSError):
        if jobs.read(options.job_dir.name)["state"] == "queued":
            jobs.update(options.job_dir.name, **jobs.failure(reason))


def main(argv: list[str]) -> int:
    """``python -m bot train ...``; returns the exit code."""
    try:
        options = parse_options(argv)
    except SystemExit as err:  # argparse: --help (0) or bad usage (2)
        return int(err.code or 0)
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    problem = usage_problem(options)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        _fail_queued_job(options, problem)
        return EXIT_USAGE
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        return execute(options)
    except JobError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
