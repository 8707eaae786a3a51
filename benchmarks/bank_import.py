"""Importing a 10,000-question YAML bank (read, preview and apply into a database holding the
shipped bank), against a bare `yaml.load` of the same file with libyaml's C loader, alternately in
one process. Target: at most 2x the bare load, plus 1 s."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from app import create_app
from app.bank.formats import ImportFile, ImportLimits, read_bank, read_banks
from app.bank.importer import apply_import, preview_import
from app.bank.service import SHIPPED_BANK_DIR, load_shipped_content
from app.extensions import db
from app.models import BankImport

QUESTIONS = 10_000
ROUNDS = 3


def large_bank(count: int = QUESTIONS) -> str:
    """The shipped questions over and over, each with its own slug and title."""
    shipped = [q.spec for q in read_banks(sorted(SHIPPED_BANK_DIR.glob("*.yaml")))]
    questions = []
    for i in range(count):
        spec = shipped[i % len(shipped)]
        data = spec.model_dump(mode="json", exclude_none=True)
        data["slug"] = f"{spec.slug}-{i}"
        data["title"] = f"{spec.title} ({i})"
        data["tags"] = [*spec.tags, f"set-{i % 50}"]
        questions.append(data)
    return yaml.safe_dump({"questions": questions}, sort_keys=False, allow_unicode=True)


def import_cost(rounds: int = ROUNDS) -> dict[str, float]:
    text = large_bank()
    data = text.encode()
    seed = Path(tempfile.mkdtemp(prefix="coach-import-bench-"))
    app = create_app({"INSTANCE_PATH": str(seed), "TASK_CONSUMER": "none"})
    with app.app_context():
        db.upgrade_schema()
        with db.session() as session:
            load_shipped_content(session)
        db.engine.dispose()
    limits = ImportLimits(max_bytes=64 * 2**20, max_questions=QUESTIONS)
    load_s, import_s = [], []
    for round_number in range(rounds):
        start = time.perf_counter()
        yaml.load(text, Loader=yaml.CSafeLoader)
        load_s.append(time.perf_counter() - start)

        instance = seed.with_name(f"{seed.name}-{round_number}")
        shutil.copytree(seed, instance)
        app = create_app({"INSTANCE_PATH": str(instance), "TASK_CONSUMER": "none"})
        with app.app_context(), db.session() as session:
            start = time.perf_counter()
            read = read_bank([ImportFile("bank.yaml", data)], limits=limits)
            plan = preview_import(session, read)  # the preview an admin reads first
            assert plan.ok and len(plan.new) == QUESTIONS, plan.describe()
            apply_import(session, read, BankImport(files=["bank.yaml"], format="yaml"))
            import_s.append(time.perf_counter() - start)
            db.engine.dispose()
    load, total = statistics.median(load_s), statistics.median(import_s)
    return {
        "megabytes": len(data) / 2**20,
        "load_s": load,
        "import_s": total,
        "allowed_s": 2 * load + 1,
    }


def report() -> str:
    cost = import_cost()
    verdict = "met" if cost["import_s"] <= cost["allowed_s"] else "NOT met"
    return "\n".join(
        [
            "## Bank import",
            "",
            f"A {QUESTIONS:,}-question YAML bank ({cost['megabytes']:.1f} MB): reading and "
            "validating it, the preview against a database holding the shipped bank, and the "
            "all-or-nothing apply (questions and their label rows), against a bare "
            f"`yaml.load(text, Loader=yaml.CSafeLoader)`, alternately, median of {ROUNDS} rounds:",
            "",
            "| measure | seconds |",
            "|---|---|",
            f"| bare C-loader `yaml.load` | {cost['load_s']:.2f} |",
            f"| whole import (read, preview, apply) | {cost['import_s']:.2f} |",
            f"| allowed: 2x the load + 1 s | {cost['allowed_s']:.2f} |",
            "",
            f"Target (at most 2x the bare load, plus 1 s): {verdict}.",
            "",
        ]
    )
