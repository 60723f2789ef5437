"""How many processes render a run's releases (``-j``).

Kept apart from :mod:`pytemplar.parallel`, which a run loads only when it forks workers: the
release that ArgoCD's plugin or a CI job renders on its own needs none of its code.
"""

from __future__ import annotations

import os
import sys

MIN_RELEASES_PER_WORKER = 8  # below this, a fork, a pickle and copied pages cost more than they save
MAX_JOBS = 8


def available_processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(jobs: int, releases: int) -> int:
    """How many processes render ``releases`` when ``jobs`` are allowed (0: one per processor)."""
    allowed = jobs or available_processors()
    if allowed <= 1 or not _can_fork_safely():
        return 1
    return max(1, min(allowed, MAX_JOBS, releases // MIN_RELEASES_PER_WORKER))


def _can_fork_safely() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")
