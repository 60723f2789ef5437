"""Version constraints of dependencies."""

from __future__ import annotations

import pytest

from pytemplar.dependencies import parse_constraint, satisfies


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("1.2.3", ">=1.0.0 <2.0.0", True),
        ("2.0.0", ">=1.0.0 <2.0.0", False),
        ("1.2.3", ">=1.0.0, <2", True),
        ("1.5.0", "^1.2.0", True),
        ("1.1.9", "^1.2.0", False),
        ("2.0.0", "^1.2.0", False),
        ("0.3.7", "^0.3.1", True),
        ("0.4.0", "^0.3.1", False),
        ("1.2.9", "~1.2.0", True),
        ("1.3.0", "~1.2.0", False),
        ("1.2.3", "1.2.3", True),
        ("1.2.3", "=1.2.3", True),
        ("1.2.4", "==1.2.3", False),
        ("1.2.3", "!=1.2.3", False),
        ("1.2.0", "1.2", True),
        ("7.0.0", "*", True),
        ("1.0.0-rc.1", ">=1.0.0", False),
        ("1.0.0-rc.2", ">1.0.0-rc.1", True),
        ("1.0.0-rc.10", ">1.0.0-rc.9", True),
        ("1.0.0", ">1.0.0-rc.9", True),
        ("1.0.0+build.5", "1.0.0", True),
    ],
)
def test_constraints(version: str, constraint: str, expected: bool) -> None:
    assert satisfies(version, constraint) is expected


@pytest.mark.parametrize("constraint", ["", "latest", ">= ", "^x.y", "1.2.3.4", ">>1.0.0", "01.2.3"])
def test_what_is_not_a_constraint(constraint: str) -> None:
    assert parse_constraint(constraint) is None
    assert not satisfies("1.2.3", constraint)
