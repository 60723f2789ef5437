"""Fixtures of the hostile-input suite; the harness itself is in :mod:`harness`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import Listener, Sandbox, running_listener


@pytest.fixture
def listener() -> Iterator[Listener]:
    with running_listener() as started:
        yield started


@pytest.fixture
def sandbox(tmp_path: Path, listener: Listener) -> Sandbox:
    return Sandbox(tmp_path, listener)
