"""The installed Strawberry and graphql-core are the releases the planned executor was checked
against (gateway/schema/execution.py uses private APIs of both), and pyproject.toml pins what
imports: floors at those releases, caps below their next minor release."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from gateway.schema.execution import CHECKED_WITH

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("distribution", sorted(CHECKED_WITH))
def test_installed_release_is_the_one_the_executor_was_checked_against(distribution: str) -> None:
    installed, checked = version(distribution), CHECKED_WITH[distribution]
    assert installed == checked, (
        f"{distribution} {installed} is installed, but gateway/schema/execution.py was "
        f"checked against {checked}: it relies on private APIs of {distribution}. Re-check "
        "the executor (tests/api/matrix/test_planned_execution.py compares it with "
        "graphql-core), then update CHECKED_WITH, pyproject.toml and the lock (make lock); "
        "or install the locked versions (make test-deps)"
    )


def _requirements(path: Path, extra: str | None = None) -> dict[str, Requirement]:
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    listed = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return {(r := Requirement(line)).name: r for line in listed}


@pytest.mark.parametrize("distribution", sorted(CHECKED_WITH))
def test_pyproject_admits_the_checked_release_and_caps_the_next_minor(distribution: str) -> None:
    requirement = _requirements(ROOT / "pyproject.toml")[distribution]
    checked = CHECKED_WITH[distribution]
    assert requirement.specifier.contains(checked), f"{requirement} refuses {checked}"
    major, minor, *_ = (int(part) for part in checked.split("."))
    assert not requirement.specifier.contains(f"{major}.{minor + 1}.0"), (
        f"{requirement}: no cap below the next minor release of {distribution}"
    )


def test_the_locks_hold_the_checked_releases() -> None:
    for lock in ("requirements.lock", "requirements-test.lock"):
        pins = dict(
            line.split("==", 1)
            for line in (ROOT / lock).read_text(encoding="utf-8").splitlines()
            if "==" in line and not line.startswith("#")
        )
        for distribution, checked in CHECKED_WITH.items():
            assert pins.get(distribution) == checked, f"{lock}: {distribution}"
