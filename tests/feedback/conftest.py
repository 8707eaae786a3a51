"""Fixtures for the AI feedback tests: a stand-in server per test and the outage rubric."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pm_scoring import Rubric, load_rubric

from .standin import StandIn


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn() as server:
        yield server


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric("incident-response")
