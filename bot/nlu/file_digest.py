"""Fingerprints of data files that a graph component reads itself.

Rasa caches trained components by their config and graph inputs. A component that reads
files of its own (the shop's catalogue, the sentiment examples) adds their digest through
``fingerprint_addon``, so that editing those files retrains it instead of reusing the cache.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def files_digest(*paths: Path) -> str:
    """A hash of the names and contents of ``paths`` (files, or every file under folders)."""
    digest = hashlib.sha256()
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            digest.update(file.as_posix().encode())
            digest.update(file.read_bytes() if file.exists() else b"<missing>")
    return digest.hexdigest()
