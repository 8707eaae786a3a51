"""Load: simulated candidates (benchmarks/locustfile.py, Locust run headless) against the app
under gunicorn on 127.0.0.1, a fresh instance on SQLite and one on a throwaway PostgreSQL
server, each set up with `coach init`. Figures per step: requests per second and p50/p99
latency, and the errors. Requirements: no errors, and a submission's p99 under a second."""

from __future__ import annotations

import csv
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.web import _gunicorn, long_answer

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
USERS = 50
SPAWN_RATE = 10  # users started per second
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
WORKERS = 2 * (os.cpu_count() or 1) + 1  # gunicorn's own advice for sync workers
PASSWORD = "load test password 2026"
SUBMIT_P99_MS = 1000
STEPS = ["login page", "login", "question list", "question page", "autosave", "submit", "result"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster from Debian's package on a free port (as the PostgreSQL
    tests start theirs), with an empty database; yields its URL."""
    programs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not programs:
        raise RuntimeError("PostgreSQL is missing (apt-get install postgresql)")
    bin_dir = Path(programs[-1]).parent
    as_root = os.geteuid() == 0
    as_owner = ["runuser", "-u", "postgres", "--"] if as_root else []
    data = Path(tempfile.mkdtemp(prefix="coach-load-pg-"))
    if as_root:
        shutil.chown(data, "postgres")
    subprocess.run(
        [
            *as_owner,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    pg_ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data)]
    # Durable as in production (fsync on); only the connection limit is raised for the workers.
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200"
    subprocess.run(
        [*pg_ctl, "-l", str(data / "server.log"), "-o", options, "-w", "-t", "60", "start"],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "coach_load",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/coach_load"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def _accounts(env: dict[str, str]) -> list[str]:
    """`coach init`, then one candidate account per simulated user (after an admin, since the
    first account is the admin), made through the service the sign-up page uses."""
    subprocess.run([str(BIN / "coach"), "init"], env=env, check=True, capture_output=True)
    emails = [f"candidate{i}@load.example" for i in range(USERS)]
    script = (
        "import sys\n"
        "from app import create_app\n"
        "from app.auth.services import register_user\n"
        "from app.extensions import db\n"
        "with create_app({'TASK_CONSUMER': 'none'}).app_context(), db.session() as session:\n"
        "    for email in sys.argv[2:]:\n"
        "        register_user(session, email, sys.argv[1])\n"
    )
    emails_with_admin = ["admin@load.example", *emails]
    subprocess.run(
        [sys.executable, "-c", script, PASSWORD, *emails_with_admin],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return emails


def run(database_url: str | None) -> dict[str, dict[str, float]]:
    """One Locust run against a fresh instance; figures per step, and "all"."""
    work = Path(tempfile.mkdtemp(prefix="coach-load-"))
    try:
        env = {**os.environ, "COACH_INSTANCE_PATH": str(work / "instance")}
        env.pop("COACH_DATABASE_URL", None)
        if database_url:
            env["COACH_DATABASE_URL"] = database_url
        # Every simulated user comes from 127.0.0.1: the per-address login limit would count
        # them as one visitor (behind a proxy, PROXY_COUNT tells them apart).
        env["COACH_LOGIN_LIMIT_PER_ADDRESS"] = "1000 per minute"
        emails = _accounts(env)
        answer = work / "answer.txt"
        answer.write_text(long_answer())
        load_env = {
            **env,
            "LOAD_EMAILS": ",".join(emails),
            "LOAD_PASSWORD": PASSWORD,
            "LOAD_ANSWER_FILE": str(answer),
        }
        with _gunicorn("app:create_app()", env, workers=WORKERS) as base:
            locust = subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "benchmarks" / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(USERS),
                    "-r",
                    str(SPAWN_RATE),
                    "-t",
                    f"{SECONDS}s",
                    "--host",
                    base,
                    "--csv",
                    str(work / "load"),
                    "--only-summary",
                    "--stop-timeout",
                    "30",
                    "--exit-code-on-error",
                    "0",
                ],
                cwd=ROOT,
                env=load_env,
                capture_output=True,
                text=True,
            )
        if locust.returncode != 0:
            raise RuntimeError(f"locust failed:\n{locust.stderr[-3000:]}")
        return _figures(work / "load_stats.csv", work / "load_failures.csv")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _figures(stats: Path, failures: Path) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    with stats.open() as file:
        for row in csv.DictReader(file):
            name = "all" if row["Name"] == "Aggregated" else row["Name"]
            figures[name] = {
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p99": float(row["99%"]),
            }
    with failures.open() as file:
        reasons = [
            f"{row['Name']}: {row['Error']} (x{row['Occurrences']})" for row in csv.DictReader(file)
        ]
    figures["all"]["reasons"] = reasons  # type: ignore[assignment]
    return figures


def measure() -> dict[str, dict[str, dict[str, float]]]:
    results = {"SQLite": run(None)}
    with postgres_server() as url:
        results["PostgreSQL"] = run(url)
    return results


def report() -> str:
    results = measure()
    lines = [
        "## Load: 50 candidates at once",
        "",
        f"Locust, headless, {USERS} simulated candidates started {SPAWN_RATE} a second, for "
        f"{SECONDS} s, against gunicorn with {WORKERS} sync workers on 127.0.0.1 (the load "
        "tool shares the machine's cores), a fresh instance each (`coach init`, one account "
        "per candidate). Each candidate logs in, then over and over: the question list, a "
        "question chosen at random, three autosaves 5 s apart (the page's interval; JSON "
        "with the page's CSRF token), the submission of a 439-word answer, and its result, "
        "then 1-3 s before the next. Latencies in ms; requests/s over the whole run.",
        "",
    ]
    for database, figures in results.items():
        everything = figures["all"]
        submit_p99 = figures.get("submit", {}).get("p99", float("inf"))
        errors = int(everything["failures"])
        verdict = "met" if errors == 0 and submit_p99 < SUBMIT_P99_MS else "NOT met"
        lines += [
            f"{database}: {int(everything['requests'])} requests, {everything['rps']:.1f}/s, "
            f"{errors} errors; a submission's p99 {submit_p99:.0f} ms (requirements: no "
            f"errors, p99 of submit under {SUBMIT_P99_MS} ms: {verdict}).",
            "",
            "| step | requests | requests/s | p50 | p99 | errors |",
            "|---|---|---|---|---|---|",
        ]
        for step in [*STEPS, "all"]:
            if step in figures:
                row = figures[step]
                lines.append(
                    f"| {step} | {int(row['requests'])} | {row['rps']:.1f} | {row['p50']:.0f} "
                    f"| {row['p99']:.0f} | {int(row['failures'])} |"
                )
        lines += ["", *[f"- {reason}" for reason in everything["reasons"]][:10], ""]  # type: ignore[union-attr]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report())
