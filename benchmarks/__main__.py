"""Run every benchmark and write docs/benchmarks.md (figures from this machine, this run)."""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import bank_import, browse, coach, feedback, load, scoring, web

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def main() -> None:
    sections = [
        scoring.report(),
        web.report(),
        web.instructions_report(),
        load.report(),
        feedback.report(),
        coach.report(),
        bank_import.report(),
        browse.report(),
    ]
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench`. Speed is a ratio to a baseline timed in the same process, so\n"
        "the figures hold on a noisy shared machine; absolute times are for orientation only.\n\n"
        f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{platform.machine()}.\n\n"
    )
    text = header + "\n".join(sections)
    OUTPUT.write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
