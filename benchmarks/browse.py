"""Browsing 10,047 questions against the 47 shipped: what a logged-in candidate's list, search,
tag filter and home page cost with the big bank, as a ratio to the same page with the shipped
one, measured in one process through the Flask test client.

The cost is the instructions the request executes, counted by valgrind's callgrind (a tiny C
helper, compiled here, turns counting on around each request): unlike a time, a count does not
drift with the machine's other tenants. Without valgrind or a C compiler it falls back to
interleaved timings, the median of several rounds."""

from __future__ import annotations

import gc
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from app.bank.formats import Difficulty, QuestionType
from benchmarks.callgrind import count_labels
from benchmarks.callgrind import helper as callgrind_helper

ROOT = Path(__file__).resolve().parents[1]
GENERATED = 10_000
TARGET = 2.0  # the big bank's page may cost at most this many times the shipped bank's
ROUNDS = 3  # counts: the median of 3 (they barely differ); timings use TIMED_ROUNDS
TIMED_ROUNDS = 15
SEARCH = "outage"
TAG = "pricing"
PASSWORD = "benchmark password"
PAGES = [
    "list, page 1",
    "list, middle page",
    f'search "{SEARCH}"',
    f'filter by tag "{TAG}"',
    "home",
]

# Words for generated questions: varied titles, prompts, companies and tags.
_VERBS = "Improve Design Measure Grow Launch Fix Prioritise Price Estimate Rethink Scale".split()
_OBJECTS = (
    "onboarding|search|checkout|notifications|the mobile app|payments|a marketplace|the admin "
    "console|recommendations|a loyalty programme|the API|reporting|messaging|a smart speaker|ride "
    "sharing|a podcast app|grocery delivery|an internal tool|the help centre|video calls"
).split("|")
_FOR = (
    "for small businesses|for teenagers|in emerging markets|for enterprise buyers|for first-time "
    "users|after a reorg|with half the budget|before a competitor|for accessibility|in a "
    "regulated market|for power users|for a new region"
).split("|")
_SENTENCES = (
    "Your team has six weeks and two engineers.|Retention fell 8% last quarter.|Leadership "
    "wants a plan by Friday.|Support tickets doubled after the last release.|A competitor just "
    "launched a free tier.|Sales promised a feature you have not built.|The data team can give "
    "you one dashboard.|Legal has concerns about data retention.|Usage is flat but revenue is "
    "growing.|The design team proposes a full "
    "redesign.|Churn is concentrated in one segment.|How would you decide what to build first?|"
    "Which metrics would you watch, and why?|Walk through your reasoning step by step.|What "
    "would you cut, and how would you say so?|How would you know you had succeeded?|Estimate "
    "the size of the opportunity."
).split("|")
_COMPANIES = (
    "Acme Globex Initech Umbrella Hooli Stark Wayne Wonka Tyrell Soylent Cyberdyne Aperture "
    "Vandelay Gringotts Monarch Oscorp Massive Nakatomi Prestige Sirius Virtucon Zorg Bluth Duff"
).split()
_TAGS = (
    "pricing growth retention onboarding metrics strategy roadmap stakeholders trade-offs "
    "experimentation ux b2b b2c marketplace mobile platform ai privacy localisation "
    "monetisation funnels north-star prioritisation communication hiring execution launch "
    "competition partnerships accessibility security data api churn engagement enterprise smb "
    "emerging-markets incident"
).split()
_TYPES = [kind.value for kind in QuestionType]
_DIFFICULTIES = [level.value for level in Difficulty]


def generated_questions(count: int, seed: int = 47) -> list[dict]:
    """`count` varied questions, the same each run: the bank a large team might keep."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        title = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_FOR)}"
        prompt = " ".join(rng.sample(_SENTENCES, rng.randint(2, 5)))
        if rng.random() < 0.02:  # a search for "outage" finds about 200 of them
            prompt += " An outage last month still worries customers."
        rows.append(
            {
                "slug": f"generated-{i:05d}",
                "title": f"{title} ({i})",
                "prompt": f"**{title}.** {prompt}",
                "rubric_id": "star",
                "type": rng.choice(_TYPES),
                "difficulty": rng.choice(_DIFFICULTIES),
                "companies": rng.sample(_COMPANIES, rng.randint(0, 2)),
                "tags": rng.sample(_TAGS, rng.randint(1, 3)),
                "time_limit_minutes": rng.choice([None, 10, 15, 20]),
                "hints": [],
            }
        )
    return rows


def build_database(instance: Path, extra: int) -> None:
    """Migrate, load the shipped content and, with `extra`, that many generated questions in
    bulk (their label rows with them); then register a candidate."""
    from sqlalchemy import insert
    from sqlmodel import select

    from app import create_app
    from app.bank.service import load_shipped_content
    from app.extensions import db
    from app.models import Question, QuestionLabel, utcnow

    app = create_app({"INSTANCE_PATH": str(instance), "TASK_CONSUMER": "none"})
    with app.app_context():
        db.upgrade_schema()
        with db.session() as session:
            load_shipped_content(session)
            if extra:
                now = utcnow()
                rows = generated_questions(extra)
                session.execute(
                    insert(Question),
                    [{**row, "created_at": now, "updated_at": now} for row in rows],
                )
                ids = dict(session.exec(select(Question.slug, Question.id)).all())
                session.execute(
                    insert(QuestionLabel),
                    [
                        {"question_id": ids[row["slug"]], "kind": kind, "value": value}
                        for row in rows
                        for kind, values in (("company", row["companies"]), ("tag", row["tags"]))
                        for value in values
                    ],
                )
                session.commit()
        db.engine.dispose()
    client = app.test_client()
    for email in ("admin@bench.example", "candidate@bench.example"):
        _register(client, email)
        client.post("/logout", data={"csrf_token": _token(client, "/")})


def _token(client, path: str) -> str:
    html = client.get(path).text
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _register(client, email: str) -> None:
    form = {"email": email, "password": PASSWORD, "confirm": PASSWORD}
    client.post("/register", data={**form, "csrf_token": _token(client, "/register")})


def _candidate(instance: Path):
    """A test client logged in as the candidate on this instance's database."""
    from app import create_app

    app = create_app({"INSTANCE_PATH": str(instance), "TASK_CONSUMER": "none"})
    client = app.test_client()
    form = {"email": "candidate@bench.example", "password": PASSWORD}
    client.post("/login", data={**form, "csrf_token": _token(client, "/login")})
    assert "Log out" in client.get("/").text, "the benchmark candidate could not log in"
    return client


def _pages(site: _Site) -> dict[str, str]:
    """The pages to measure on one database (the middle page is its own bank's middle)."""
    pages = int(re.search(r"Page 1 of (\d+)", site.get("/questions").text).group(1))
    paths = [
        "/questions",
        f"/questions?page={max(1, pages // 2)}",
        f"/questions?q={SEARCH}",
        f"/questions?tag={TAG}",
        "/",
    ]
    return dict(zip(PAGES, paths, strict=True))


def _facts(site: _Site) -> dict[str, str]:
    def count(path: str) -> str:
        text = site.get(path).text
        return re.search(r'<p class="count">([\d,]+) question', text).group(1)

    pages = re.search(r"Page 1 of (\d+)", site.get("/questions").text).group(1)
    return {
        "pages": pages,
        "search": count(f"/questions?q={SEARCH}"),
        "tag": count(f"/questions?tag={TAG}"),
    }


class _Site:
    """One database's app, logged in as its candidate. The app binds the one `db` object to its
    engine when it is made, so each request first binds it back to this site's engine."""

    def __init__(self, instance: Path):
        from app.extensions import db

        self.client = _candidate(instance)
        self.engine = db.engine
        self.plan = _pages(self)
        self.facts = _facts(self)

    def get(self, path: str):
        from app.extensions import db

        db._engine = self.engine
        return self.client.get(path)


def _warmed(instances: list[Path]) -> list[_Site]:
    """Both databases' sites with every page requested twice (templates compiled, statements
    cached, pages read into memory)."""
    sites = [_Site(instance) for instance in instances]
    for site in sites:
        for path in site.plan.values():
            for _ in range(2):
                response = site.get(path)
                assert response.status_code == 200, (path, response.status_code)
    return sites


def _run_counted(instances: list[Path], out: Path) -> None:
    """Inside valgrind: each request's instructions, dumped under its label."""
    helper = callgrind_helper(out)
    sites = _warmed(instances)
    (out / "facts.json").write_text(json.dumps({"facts": [site.facts for site in sites]}))
    helper.cg_start()
    for round_ in range(ROUNDS):
        for name in sites[0].plan:
            for which, site in enumerate(sites):
                path = site.plan[name]
                gc.collect()
                helper.cg_zero()
                site.get(path)
                helper.cg_dump(f"{round_}|{which}|{name}".encode())


def _counted(instances: list[Path], work: Path) -> tuple[dict, dict] | None:
    """Instruction counts per (database, page), or None when valgrind cannot be used."""
    labelled = count_labels(work, "benchmarks.browse", *map(str, instances))
    if labelled is None:
        return None
    counts: dict[tuple[int, str], list[int]] = {}
    for label, totals in labelled.items():
        _, which, name = label.split("|", 2)
        counts.setdefault((int(which), name), []).extend(totals)
    facts = json.loads((work / "facts.json").read_text())["facts"]
    return {key: statistics.median(values) for key, values in counts.items()}, facts


def _timed(instances: list[Path]) -> tuple[dict, dict]:
    sites = _warmed(instances)
    times: dict[tuple[int, str], list[float]] = {}
    for _ in range(TIMED_ROUNDS):
        for name in sites[0].plan:
            for which, site in enumerate(sites):
                path = site.plan[name]
                gc.collect()
                start = time.perf_counter()
                site.get(path)
                times.setdefault((which, name), []).append(time.perf_counter() - start)
    return {key: statistics.median(values) for key, values in times.items()}, [
        site.facts for site in sites
    ]


def measure() -> dict:
    work = Path(tempfile.mkdtemp(prefix="coach-browse-bench-"))
    try:
        small, large = work / "shipped", work / "large"
        small.mkdir()
        large.mkdir()
        build_database(small, 0)
        build_database(large, GENERATED)
        counted = _counted([small, large], work)
        unit = "instructions" if counted else "seconds"
        costs, facts = counted or _timed([small, large])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"unit": unit, "costs": costs, "facts": facts}


def report() -> str:
    result = measure()
    costs, facts, unit = result["costs"], result["facts"], result["unit"]
    lines = [
        "## Browsing a large bank",
        "",
        f"The shipped 47 questions against 10,047 (the shipped ones and {GENERATED:,} generated, "
        "each with companies and tags), one database each, measured in one process through the "
        "Flask test client as a logged-in candidate, each page warmed first. "
        + (
            "Cost is the instructions a request executes (valgrind's callgrind, counting only "
            f"during the request), the median of {ROUNDS} rounds."
            if unit == "instructions"
            else f"Cost is the median time of {TIMED_ROUNDS} interleaved rounds (valgrind was "
            "not available to count instructions)."
        ),
        "",
        f"Pages: {facts[0]['pages']} and {facts[1]['pages']}; the search finds "
        f"{facts[0]['search']} and {facts[1]['search']} questions; the tag {facts[0]['tag']} "
        f"and {facts[1]['tag']}.",
        "",
        "| page | 47 questions | 10,047 questions | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for name in PAGES:
        small, large = costs[(0, name)], costs[(1, name)]
        ratio = large / small
        shown = (
            (lambda v: f"{v / 1e6:.1f} M instr")
            if unit == "instructions"
            else (lambda v: f"{v * 1000:.2f} ms")
        )
        verdict = f"<= {TARGET:g} ({'met' if ratio <= TARGET else 'NOT met'})"
        lines.append(f"| {name} | {shown(small)} | {shown(large)} | {ratio:.2f} | {verdict} |")
    return "\n".join([*lines, ""])


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--counted":
        _run_counted([Path(p) for p in sys.argv[3:]], Path(sys.argv[2]))
    else:
        sys.stdout.write(report())
