"""The commands a rollout suggests next can be pasted as they are, from where the user ran theirs."""

from __future__ import annotations

import shlex

import pytest

from pytemplar.rolloutplan import Target


@pytest.mark.parametrize(
    ("project", "action", "expected"),
    [
        (".", "promote", "pytemplar rollout promote -e prod -r orders"),
        ("", "start --tag TAG", "pytemplar rollout start -e prod -r orders --tag TAG"),
        ("deploy", "weight PERCENT", "pytemplar rollout weight PERCENT deploy -e prod -r orders"),
        ("deploy", "start --tag TAG", "pytemplar rollout start deploy -e prod -r orders --tag TAG"),
        ("my repo/deploy", "abort", "pytemplar rollout abort 'my repo/deploy' -e prod -r orders"),
    ],
)
def test_a_suggested_command_names_the_project_as_given(project: str, action: str, expected: str) -> None:
    assert Target("orders", "prod", project=project).command(action) == expected


def test_a_suggested_set_command_reads_back_as_the_same_arguments() -> None:
    command = Target("orders", "prod", project="my repo").set_command("rollout.strategy=Canary")
    arguments = ["pytemplar", "set", "my repo", "-e", "prod", "-r", "orders", "rollout.strategy=Canary"]
    assert shlex.split(command) == arguments
