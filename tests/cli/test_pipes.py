"""A reader that stops early (``| head``, ``| grep -m1``, ``| less`` then q) ends pytemplar quietly.

Unix tools are killed by SIGPIPE when their reader goes away: no message, and the shell
reports 141. pytemplar does the same for every command that writes to stdout.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import EXAMPLES, REPO, TEMPLATE_CACHE

SHOP = EXAMPLES / "shop"
APP = EXAMPLES / "microservice"

COMMANDS = {
    "render": ["render", SHOP, "--all-envs"],
    "render-json": ["render", SHOP, "--all-envs", "-o", "json"],
    "render-no-limits": ["render", SHOP, "-e", "prod", "--timeout", "0", "--max-memory", "0"],
    "validate-json": ["validate", SHOP, "--format", "json"],
    "values": ["values", SHOP, "-e", "prod", "-r", "service-a"],
    "values-origin": ["values", SHOP, "-e", "prod", "-r", "service-a", "--origin"],
    "diff": ["diff", SHOP, "-e", "dev", "-e", "prod"],
    "schema": ["schema", "values", APP],
    "docs": ["docs", APP],
    "set-dry-run": ["set", SHOP, "-e", "prod", "-r", "service-a", "image.tag=9.9.9", "--dry-run"],
    "rollout-status": ["rollout", "status", SHOP, "-e", "prod", "-r", "service-c"],
    "help": ["render", "--help"],
    "version": ["--version"],
}


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    env["PYTEMPLAR_CACHE_DIR"] = str(TEMPLATE_CACHE)
    return env


@pytest.mark.parametrize("arguments", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_closed_stdout_ends_the_command_quietly_with_the_sigpipe_code(arguments: list[object]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first byte: every write fails with EPIPE
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pytemplar", *map(str, arguments)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(),
            cwd=REPO,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert "Error" not in proc.stderr and "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.returncode == 141, proc.stderr


def test_render_piped_into_head_is_quiet_in_bash() -> None:
    big = subprocess.run(
        [sys.executable, "-m", "pytemplar", "render", SHOP, "--all-envs", "-o", "json"],
        capture_output=True,
        env=environment(),
        timeout=120,
    )
    assert big.returncode == 0 and len(big.stdout) > 64 * 1024  # more than a pipe holds
    script = f'set -o pipefail; "{sys.executable}" -m pytemplar render "{SHOP}" --all-envs -o json | head -n 2'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=environment(), timeout=120)
    assert done.stdout == '{\n  "apiVersion": "v1",\n'
    assert done.stderr == ""
    # Whether the writer meets the closed pipe depends on how much head read before it exited
    # (seen both ways on a loaded machine); the test above closes the pipe for certain and sees 141.
    assert done.returncode in (0, 141)
