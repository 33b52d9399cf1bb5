"""Train the Rasa model only when its inputs changed, decided by a hash of those inputs.

``python -m bot.training`` (what ``make train`` runs) fingerprints the config, domain,
training data, shop data, the project's own Rasa components and the pinned dependencies;
the model is ``models/<fingerprint>.tar.gz``. An existing file means nothing to do, so a
second start is fast; tests share the same cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from bot.errors import ShopAssistantError
from bot.settings import PROJECT_ROOT

FINGERPRINT_INPUTS = (
    "config.yml",
    "domain.yml",
    "requirements.lock",
    "data",
    "bot/nlu",
    "bot/sentiment",
    "bot/policies",
)
KEEP_MODELS = 3


class TrainingError(ShopAssistantError):
    """``rasa train`` failed."""


def _files(root: Path, inputs: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for name in inputs:
        path = root / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [
                p
                for p in path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            ]
    return sorted(found)


def fingerprint(root: Path = PROJECT_ROOT, inputs: Iterable[str] = FINGERPRINT_INPUTS) -> str:
    """A short hash of every file the trained model depends on (paths and contents)."""
    digest = hashlib.sha256()
    for path in _files(root, inputs):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    """Where the model for the current inputs lives (it may not exist yet)."""
    return root / "models" / f"{fingerprint(root)}.tar.gz"


def _prune(models_dir: Path, keep: Path) -> None:
    old = sorted(
        (p for p in models_dir.glob("*.tar.gz") if p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for stale in old[KEEP_MODELS - 1 :]:
        stale.unlink(missing_ok=True)
        stale.with_suffix("").with_suffix(".json").unlink(missing_ok=True)


def train(root: Path = PROJECT_ROOT, *, force: bool = False) -> Path:
    """Return the model for the current inputs, training it first when it is missing."""
    target = model_path(root)
    if target.exists() and not force:
        print(f"model up to date: {target.relative_to(root)}", flush=True)
        return target
    # Imported here: they pull in spaCy (and TensorFlow), seconds that a fingerprint or an
    # up-to-date check does not need.
    from bot.nlu.catalogue_entries import catalogue_entries
    from bot.nlu.shop_dictionary import write_jieba_dictionary

    dictionary = write_jieba_dictionary(
        catalogue_entries(root / "data" / "shop"), root / "build" / "jieba"
    )
    print(f"jieba dictionary: {dictionary.relative_to(root)}", flush=True)
    print(f"training {target.name} (about 15 minutes on 2 cores) ...", flush=True)
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data/nlu",
        "data/stories",
        "--out",
        "models",
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    result = subprocess.run(command, cwd=root, check=False)
    if result.returncode != 0 or not target.exists():
        raise TrainingError(f"rasa train failed with exit code {result.returncode}")
    stats = {"seconds": round(time.monotonic() - started, 1), "bytes": target.stat().st_size}
    target.with_suffix("").with_suffix(".json").write_text(json.dumps(stats))
    print(f"trained in {stats['seconds']} s, model {stats['bytes'] / 1e6:.1f} MB", flush=True)
    _prune(root / "models", target)
    return target


def main() -> None:
    """Command line: ``python -m bot.training [--force] [--print-path]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="train even if up to date")
    parser.add_argument("--print-path", action="store_true", help="only print the model path")
    args = parser.parse_args()
    if args.print_path:
        print(model_path())
        return
    train(force=args.force)


if __name__ == "__main__":
    main()
