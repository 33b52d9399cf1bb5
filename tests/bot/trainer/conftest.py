"""Fixtures of the trainer's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.project import copy_of_project_data


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real NLU, sentiment and story data and the domain."""
    return copy_of_project_data(tmp_path / "project")
