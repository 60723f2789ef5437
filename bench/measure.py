"""Timing whole processes: wall-clock time, CPU time and peak resident memory of each command.

Each command is started by a small launcher (:data:`LAUNCHER`, ``python -S``), which forks,
execs the command with stdout to a file, reaps it with ``os.wait4`` and prints what it measured.
The launcher is needed for memory: Linux keeps a process's peak RSS across ``exec``, so a command
forked straight from this process (which holds parsed outputs of 100 MiB and more) would report
at least this process's size. The launcher is a few MiB, below any tool measured.

``os.wait4`` gives the command's own usage, not the running maximum of
``getrusage(RUSAGE_CHILDREN)``. Like ``/usr/bin/time``, the peak is that of the largest process
among the command and the descendants it waited for (pytemplar's CLI renders in a forked child),
not a sum. CPU time is user + system of all threads (Go's garbage collector runs beside the
program, so Helm's and kubectl's can exceed wall time). Wall time is taken inside the launcher,
from the fork to the reaping, so the launcher's own start is not counted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

KIB_PER_MIB = 1024

LAUNCHER = """
import os, sys, time
out, err, append, argv = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), 0o644), 1)
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
        os.execvp(argv[0], argv)
    except OSError as exc:
        os.write(2, f"cannot run {argv[0]}: {exc}".encode())
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
print(os.waitstatus_to_exitcode(status), seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


class CommandFailed(RuntimeError):
    """A benchmarked command exited with a non-zero status."""


@dataclass(frozen=True)
class Sample:
    """One timed step: its processes' wall and CPU (user + system) time together, and their largest peak RSS."""

    seconds: float
    cpu_seconds: float
    max_rss_kib: int


@dataclass
class Series:
    """The samples of one step over the runs."""

    samples: list[Sample] = field(default_factory=list)

    @property
    def median_seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def median_cpu_seconds(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def max_rss_mib(self) -> float:
        """Peak RSS in MiB: the median over runs of each run's peak (it hardly varies)."""
        return statistics.median(s.max_rss_kib for s in self.samples) / KIB_PER_MIB

    @property
    def spread(self) -> tuple[float, float]:
        seconds = [s.seconds for s in self.samples]
        return min(seconds), max(seconds)


def run_process(
    argv: Sequence[str],
    stdout: Path,
    cwd: Path | None = None,
    append: bool = False,
    env: Mapping[str, str] | None = None,
) -> Sample:
    """Run ``argv`` once through the launcher; raise :class:`CommandFailed` with its stderr when it fails.

    ``env`` adds variables to the command's environment (the launcher passes its own on)."""
    stderr_path = stdout.with_suffix(stdout.suffix + ".stderr")
    launcher = [sys.executable, "-S", "-I", "-c", LAUNCHER, str(stdout), str(stderr_path), "1" if append else "0"]
    environment = {**os.environ, **env} if env else None
    done = subprocess.run([*launcher, *argv], capture_output=True, text=True, cwd=cwd, env=environment, check=False)
    try:
        code, seconds, cpu, rss = done.stdout.split()
    except ValueError:
        raise CommandFailed(f"the launcher failed for {' '.join(argv)}:\n{done.stderr[-2000:]}") from None
    if int(code) != 0:
        message = stderr_path.read_text(encoding="utf-8", errors="replace").strip()
        raise CommandFailed(f"{' '.join(argv)} exited with {code}:\n{message[-2000:]}")
    return Sample(float(seconds), float(cpu), int(rss))


def run_step(
    commands: Sequence[Sequence[str]],
    stdout: Path,
    cwd: Path | None = None,
    envs: Sequence[Mapping[str, str]] | None = None,
) -> Sample:
    """Run the commands one after the other, their outputs concatenated in ``stdout``; ``envs``
    holds each command's added environment variables."""
    samples = [
        run_process(argv, stdout, cwd, append=index > 0, env=envs[index] if envs else None)
        for index, argv in enumerate(commands)
    ]
    return Sample(
        sum(s.seconds for s in samples), sum(s.cpu_seconds for s in samples), max(s.max_rss_kib for s in samples)
    )


def give_bytecode_cache(folder: Path) -> str:
    """Let Python children cache bytecode in ``folder``, as an installed package does; says what it did.

    With PYTHONDONTWRITEBYTECODE=1 and an editable install, every pytemplar start would compile
    its modules from source (about 30 ms more per start here). The cache lives in the work folder,
    so nothing is written next to the sources. PYTHONUNBUFFERED, which a user's shell does not
    set either, would make every line of output a system call of its own.
    """
    dropped = [name for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED") if os.environ.pop(name, None)]
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(folder / "pycache"))
    note = f"PYTHONPYCACHEPREFIX={os.environ['PYTHONPYCACHEPREFIX']}"
    return note + (f" ({' and '.join(dropped)} unset)" if dropped else "")
