"""compose.yaml read as Docker Compose reads it, for tests that run its services themselves:
each service's environment with `${VAR}` interpolated from the values a test gives (as an
operator exports them before `docker compose up`), its command, its replicas, and the order its
`depends_on` starts the services in. A key or a dependency added to compose.yaml reaches the
tests without a change to them."""

from __future__ import annotations

import graphlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

from tests.conftest import ROOT

# Compose's interpolation: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
# ${VAR?error} and $VAR. Any other use of `$` is syntax this reader does not know.
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>\w+)(?:(?P<operator>:?[-?])(?P<argument>[^}$]*))?\}"
    r"|(?P<named>\w+)|(?P<unknown>))"
)


@dataclass(frozen=True)
class Dependency:
    service: str
    # service_started, service_healthy or service_completed_successfully
    condition: str


class Compose:
    def __init__(self, path: Path = ROOT / "compose.yaml") -> None:
        # PyYAML's safe loader applies the `<<:` merges (x-coach and its environment).
        self.services: dict[str, dict] = yaml.safe_load(path.read_text())["services"]

    def environment(self, service: str, variables: Mapping[str, str]) -> dict[str, str]:
        """The service's `environment:`, interpolated with `variables` only (never this
        machine's own environment, so the tests see what they give and nothing else)."""
        declared = self.services[service].get("environment", {})
        if isinstance(declared, list):  # the KEY=VALUE form
            declared = dict(item.split("=", 1) for item in declared)
        return {key: interpolate(str(value), variables) for key, value in declared.items()}

    def command(self, service: str) -> list[str]:
        return list(self.services[service].get("command", []))

    def replicas(self, service: str) -> int:
        return int(self.services[service].get("deploy", {}).get("replicas", 1))

    def depends_on(self, service: str) -> list[Dependency]:
        declared = self.services[service].get("depends_on", [])
        if isinstance(declared, list):  # the short form: only started first
            return [Dependency(name, "service_started") for name in declared]
        return [
            Dependency(name, options.get("condition", "service_started"))
            for name, options in declared.items()
        ]

    def start_order(self) -> list[str]:
        """Every service after the ones it depends on, as `docker compose up` starts them."""
        graph = {name: [d.service for d in self.depends_on(name)] for name in self.services}
        return list(graphlib.TopologicalSorter(graph).static_order())

    def on_this_machine(self, value: str, ports: Mapping[str, int | None]) -> str:
        """A URL naming a service as its host (`redis://redis:6379/0`), pointed at where that
        service listens on 127.0.0.1 instead (`ports`, by service); any other value unchanged."""
        if "://" not in value:
            return value
        parts = urlsplit(value)
        if parts.hostname not in self.services:
            return value
        port = ports.get(parts.hostname)
        if port is None:
            pytest.fail(f"{value!r} names {parts.hostname}, which does not listen here (yet)")
        credentials = parts.netloc.rpartition("@")[0]
        address = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
        return urlunsplit(parts._replace(netloc=address))


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    def value(found: re.Match) -> str:
        if found["escaped"]:
            return "$"
        if found["unknown"] is not None:
            pytest.fail(f"compose.yaml: interpolation this test does not read in {text!r}")
        name = found["braced"] or found["named"]
        operator = found["operator"] or ""
        given = variables.get(name)
        if given is not None and not (operator.startswith(":") and given == ""):
            return given
        if operator.endswith("-"):
            return found["argument"]
        if operator.endswith("?"):
            pytest.fail(f"compose.yaml needs {name}: {found['argument']}")
        return ""  # compose, too, substitutes an unset variable with nothing

    return _VARIABLE.sub(value, text)
