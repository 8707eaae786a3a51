"""Requests per second under gunicorn (2 workers) as ratios to a bare Flask "hello" app,
measured alternately in one run with wrk on 127.0.0.1."""

from __future__ import annotations

import ctypes
import gc
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import yaml

from benchmarks.callgrind import count_labels
from benchmarks.callgrind import helper as callgrind_helper

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
ROUNDS = 3
SECONDS = 4
USER_AGENT = "coach-bench/1.0"  # one agent for setup and load, so strong session protection holds
ANSWER = (
    "First I would clarify which product is down, since when, and on which platforms. We roll "
    "back the latest release to restore service, apologise on the status page with updates every "
    "30 minutes, run a war room, and afterwards hold a blameless postmortem, add regression tests, "
    "a staged rollout and alerts, and watch error rates, logins and NPS return to baseline."
)
# A real 439-word answer to the question (the "439-word answer"), for the load test and
# for information beside the submission counts, which post ANSWER as the wrk runs do.
LONG_ANSWER_FILE = ROOT / "tests" / "eval" / "corpus" / "heldout" / "worldwide-outage.yaml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _gunicorn(target: str, env: dict[str, str], workers: int = 2):
    """A gunicorn on a free port, yielding its address; its output (a JSON line per request)
    goes nowhere, so that no full pipe ever holds a worker up."""
    port = _free_port()
    process = subprocess.Popen(
        [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn {target} did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wrk(url: str, script: Path | None = None, cookies: str | None = None) -> float:
    args = ["wrk", "-t2", "-c8", f"-d{SECONDS}s", "-H", f"User-Agent: {USER_AGENT}"]
    if cookies:
        args += ["-H", f"Cookie: {cookies}"]
    if script:
        args += ["-s", str(script)]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} failed responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _logged_in(base: str) -> tuple[str, str]:
    """Register a candidate through the real form; return its cookie header and a CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]

    def token(path: str) -> str:
        html = opener.open(base + path).read().decode()
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    for email in ("admin@bench.example", "candidate@bench.example"):
        form = {"email": email, "password": "benchmark password", "confirm": "benchmark password"}
        form["csrf_token"] = token("/register")
        opener.open(base + "/register", urllib.parse.urlencode(form).encode())
        opener.open(
            urllib.request.Request(
                base + "/logout",
                method="POST",
                data=urllib.parse.urlencode({"csrf_token": token("/")}).encode(),
            )
        )
    form = {"email": "candidate@bench.example", "password": "benchmark password"}
    form["csrf_token"] = token("/login")
    opener.open(base + "/login", urllib.parse.urlencode(form).encode())
    csrf = token("/questions/worldwide-outage")
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookies, csrf


def _check_redirect(url: str, cookies: str, body: str, expected: str) -> None:
    """One post by hand first: it must redirect to `expected` (a result page for a submission),
    not to the login page or an error, or the figures would measure something else."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(
        url,
        data=body.encode(),
        headers={
            "Cookie": cookies,
            "User-Agent": USER_AGENT,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        urllib.request.build_opener(NoRedirect).open(request)
    except urllib.error.HTTPError as exc:
        location = exc.headers.get("Location", "")
        if exc.code == 302 and re.search(expected, location):
            return
        raise RuntimeError(f"{url} went to {exc.code} {location}") from exc
    raise RuntimeError(f"{url} did not redirect")


def measure() -> dict[str, float]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    instance = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    env = {**os.environ, "COACH_INSTANCE_PATH": str(instance)}
    env.pop("COACH_DATABASE_URL", None)
    subprocess.run(
        [str(Path(sys.executable).parent / "coach"), "init"],
        env=env,
        check=True,
        capture_output=True,
    )
    script = instance / "submit.lua"
    with (
        _gunicorn("benchmarks.hello_app:app", env) as hello,
        _gunicorn("app:create_app()", env) as coach,
        _gunicorn("benchmarks.floor_app:app", env) as floor,
    ):
        cookies, csrf = _logged_in(coach)
        body = urllib.parse.urlencode(
            {"answer_text": ANSWER, "time_spent_seconds": "300", "csrf_token": csrf}
        )
        _check_redirect(coach + "/questions/worldwide-outage/submit", cookies, body, "/attempts/")
        # The same body, cookies and CSRF token (both servers share the secret key and the
        # database), posted to routes that only pass the checks, or pass them and score.
        _check_redirect(floor + "/bench/nothing", cookies, body, "^/$")
        _check_redirect(floor + "/bench/score", cookies, body, "^/$")
        script.write_text(
            f'wrk.method = "POST"\nwrk.body = {body!r}\n'.replace("'", '"')
            + 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
            + f'wrk.headers["Cookie"] = "{cookies}"\n'
        )
        runs = {
            "question": lambda: _wrk(coach + "/questions/worldwide-outage"),
            "logged_in": lambda: _wrk(coach + "/questions/worldwide-outage", None, cookies),
            "submit": lambda: _wrk(coach + "/questions/worldwide-outage/submit", script),
            "floor": lambda: _wrk(floor + "/bench/nothing", script),
            "scored": lambda: _wrk(floor + "/bench/score", script),
        }
        runs["question"]()  # warm both workers' caches
        results: dict[str, list[float]] = {"hello": [], **{name: [] for name in runs}}
        ratios: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(ROUNDS):
            for name, run in runs.items():
                # Each run is paired with a hello run just before it: the machine's speed drifts
                # (other tenants), and a ratio of neighbours cancels most of the drift.
                hello_rps = _wrk(hello + "/")
                rps = run()
                results["hello"].append(hello_rps)
                results[name].append(rps)
                ratios[name].append(rps / hello_rps)
    shutil.rmtree(instance, ignore_errors=True)
    medians = {name: statistics.median(figures) for name, figures in results.items()}
    for name, figures in ratios.items():
        medians[f"{name}_ratio"] = statistics.median(figures)
    return medians


def report() -> str:
    r = measure()
    verdict = lambda ratio, target: "met" if ratio >= target else "NOT met"  # noqa: E731
    return "\n".join(
        [
            "## Web app under gunicorn (2 workers)",
            "",
            f"wrk, 2 threads, 8 connections, {SECONDS} s per run, {ROUNDS} rounds. Each app run "
            'follows a run of a bare Flask "hello" app under the same gunicorn; a ratio is the '
            "median of these pairs' ratios, requests/s are medians.",
            "",
            "| endpoint | requests/s | ratio to hello | target |",
            "|---|---|---|---|",
            f"| bare Flask hello | {r['hello']:.0f} | 1.00 | baseline |",
            f"| GET /questions/worldwide-outage, anonymous (60 s page cache) | {r['question']:.0f} "
            f"| {r['question_ratio']:.2f} | >= 0.5 ({verdict(r['question_ratio'], 0.5)}) |",
            f"| GET /questions/worldwide-outage, logged in (rendered per request) "
            f"| {r['logged_in']:.0f} | {r['logged_in_ratio']:.2f} | for information |",
            f"| POST submit (score and store) | {r['submit']:.0f} | {r['submit_ratio']:.2f} "
            f"| >= 0.25 ({verdict(r['submit_ratio'], 0.25)}) |",
            f"| POST that only passes the checks every submission passes (session, CSRF, user) "
            f"| {r['floor']:.0f} | {r['floor_ratio']:.2f} | the floor, for information |",
            f"| the same POST that also scores the answer, storing nothing "
            f"| {r['scored']:.0f} | {r['scored_ratio']:.2f} | for information |",
            "",
            _budget(r["hello"], r["floor_ratio"], r["scored_ratio"], r["submit_ratio"], 0.25),
            "",
        ]
    )


def _budget(
    hello_rps: float, floor_ratio: float, scored_ratio: float, submit_ratio: float, target: float
) -> str:
    """What the submit target asks of each request, in the machine's time per request (the
    load tool and both workers share its cores, so 1/rps is the whole machine's cost), each
    figured from its ratio to hello so that it agrees with the table."""
    hello_ms = 1000 / hello_rps
    floor_ms, scored_ms = hello_ms / floor_ratio, hello_ms / scored_ratio
    submit_ms, allowed_ms = hello_ms / submit_ratio, hello_ms / target
    return (
        f"Per request the machine spends {hello_ms:.2f} ms on hello, {floor_ms:.2f} ms on a "
        f"logged-in POST that does nothing, {scored_ms:.2f} ms on one that only scores the "
        f"answer and {submit_ms:.2f} ms on a submission. A ratio of {target} allows "
        f"{allowed_ms:.2f} ms in all: {allowed_ms - floor_ms:.2f} ms above the floor for "
        f"validating the answer, scoring it and storing it. Scoring alone takes "
        f"{scored_ms - floor_ms:.2f} ms; validating and storing take "
        f"{submit_ms - scored_ms:.2f} ms more."
    )


# Submit and autosave against a peer, in instructions --------------------------------------------

COUNTED_ROUNDS = 5
WARM_ROUNDS = 3
SUBMIT_TARGET = 0.9  # our submit may cost at most this much of the peer's
AUTOSAVE_TARGET = 1.0  # an autosave at most the peer's plain write
COUNTED = [
    "coach cached page",
    "hello",
    "coach autosave",
    "peer plain write",
    "coach submit",
    "peer submit",
    "coach submit, long",
    "peer submit, long",
    "sign-up, new address",
    "sign-up, taken address",
]


def long_answer() -> str:
    return yaml.safe_load(LONG_ANSWER_FILE.read_text())["answers"][0]["text"]


class _Counted:
    """WSGI middleware: counts the instructions of the app's whole call (session, CSRF, user,
    view, commit, response) under the label set before a request, and nothing around it."""

    def __init__(self, wsgi_app, helper: ctypes.CDLL):
        self.wsgi_app, self.helper, self.label = wsgi_app, helper, None

    def __call__(self, environ, start_response):
        if self.label is None:
            return self.wsgi_app(environ, start_response)
        gc.collect()
        self.helper.cg_zero()
        response = self.wsgi_app(environ, start_response)
        self.helper.cg_dump(self.label.encode())
        self.label = None
        return response


def _run_counted(work: Path, instance: Path) -> None:
    """Inside valgrind: the coach's submit and autosave and the peer's two writes, in turn."""
    from app import create_app
    from benchmarks.hello_app import app as hello
    from benchmarks.peer_app import create_peer_app

    helper = callgrind_helper(work)
    coach = create_app({"INSTANCE_PATH": str(instance), "TASK_CONSUMER": "none"})
    peer = create_peer_app(coach.config["DATABASE_URL"], coach.config["SECRET_KEY"])
    client = coach.test_client()

    def token(path: str, on=client) -> str:
        html = on.get(path).text
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    for email in ("admin@bench.example", "candidate@bench.example"):
        form = {"email": email, "password": "benchmark password", "confirm": "benchmark password"}
        client.post("/register", data={**form, "csrf_token": token("/register")})
        client.post("/logout", data={"csrf_token": token("/")})
    form = {"email": "candidate@bench.example", "password": "benchmark password"}
    client.post("/login", data={**form, "csrf_token": token("/login")})
    csrf = token("/questions/worldwide-outage")
    peer_client = peer.test_client()
    peer_client.set_cookie("session", client.get_cookie("session").value)

    text = ANSWER
    submit = {"answer_text": text, "time_spent_seconds": "300", "csrf_token": csrf}
    long = {**submit, "answer_text": long_answer()}
    page = "/questions/worldwide-outage"
    versions = iter(range(1, 1_000_000))

    def autosave():  # the page's next save of its draft: its key, and a newer version each time
        body = {
            "draft_key": "bench-page",
            "version": next(versions),
            "answer_text": text,
            "time_spent_seconds": 300,
        }
        return client.post(page + "/draft", json=body, headers={"X-CSRFToken": csrf})

    anonymous, hello_client = coach.test_client(), hello.test_client()
    # Sign-up as shipped, new accounts awaiting approval: a new and a taken address must cost
    # the same, or the time of the answer would tell which addresses have accounts.
    signup = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "TASK_CONSUMER": "none",
            "SIGNUP_APPROVAL": True,
            "REGISTER_LIMIT_PER_ADDRESS": "1000 per hour",
        }
    )
    visitor = signup.test_client()
    password = "another bench password"
    signup_form = {
        "password": password,
        "confirm": password,
        "csrf_token": token("/register", visitor),
    }
    addresses = (f"newcomer{n}@bench.example" for n in range(1_000_000))

    def sign_up(email: str):
        response = visitor.post("/register", data={**signup_form, "email": email})
        if "Waiting for approval" not in response.text:
            raise RuntimeError(f"sign-up of {email} was not put to an admin: {response.text}")
        return response

    requests = {
        "coach cached page": (coach, lambda: anonymous.get(page), 200),
        "hello": (hello, lambda: hello_client.get("/"), 200),
        # The draft first: an autosave of text already submitted is refused.
        "coach autosave": (coach, autosave, 200),
        "peer plain write": (peer, lambda: peer_client.post(page + "/draft", data=submit), 302),
        "coach submit": (coach, lambda: client.post(page + "/submit", data=submit), 302),
        "peer submit": (peer, lambda: peer_client.post(page + "/submit", data=submit), 302),
        "coach submit, long": (coach, lambda: client.post(page + "/submit", data=long), 302),
        "peer submit, long": (peer, lambda: peer_client.post(page + "/submit", data=long), 302),
        "sign-up, new address": (signup, lambda: sign_up(next(addresses)), 200),
        "sign-up, taken address": (signup, lambda: sign_up("candidate@bench.example"), 200),
    }
    counters = {app: _Counted(app.wsgi_app, helper) for app in (coach, peer, hello, signup)}
    for app, counter in counters.items():
        app.wsgi_app = counter
    helper.cg_start()
    for round_ in range(WARM_ROUNDS + COUNTED_ROUNDS):
        for name, (app, post, expected) in requests.items():
            if round_ >= WARM_ROUNDS:
                counters[app].label = f"{round_}|{name}"
            response = post()
            location = response.headers.get("Location", "")
            if response.status_code != expected or "login" in location:
                raise RuntimeError(f"{name}: {response.status_code} {location} {response.text}")
    (work / "words.json").write_text(json.dumps([len(text.split()), len(long_answer().split())]))


def count_instructions() -> dict | None:
    """The median instructions of each write in COUNTED, or None without valgrind and cc."""
    work = Path(tempfile.mkdtemp(prefix="coach-web-count-"))
    try:
        instance = work / "instance"
        env = {**os.environ, "COACH_INSTANCE_PATH": str(instance)}
        env.pop("COACH_DATABASE_URL", None)
        coach = str(Path(sys.executable).parent / "coach")
        subprocess.run([coach, "init"], env=env, check=True, capture_output=True)
        labelled = count_labels(work, "benchmarks.web", str(instance), env=env)
        if labelled is None:
            return None
        counts: dict[str, list[int]] = {}
        for label, totals in labelled.items():
            counts.setdefault(label.split("|", 1)[1], []).extend(totals)
        words = json.loads((work / "words.json").read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"words": words, **{name: statistics.median(counts[name]) for name in COUNTED}}


def instructions_report() -> str:
    counts = count_instructions()
    title = "## Submit and autosave against a peer, in instructions"
    if counts is None:
        return f"{title}\n\nNot measured: valgrind or a C compiler is missing.\n"
    short, long = counts["words"]
    verdict = lambda ratio, target: "met" if ratio <= target else "NOT met"  # noqa: E731
    cached_ratio = counts["hello"] / counts["coach cached page"]

    def row(label: str, ours: str, peer: str, target: float | None) -> str:
        ratio = counts[ours] / counts[peer]
        goal = f"<= {target} ({verdict(ratio, target)})" if target else "for information"
        return (
            f"| {label} | {counts[ours] / 1e6:.2f} M | {counts[peer] / 1e6:.2f} M "
            f"| {ratio:.2f} | {goal} |"
        )

    return "\n".join(
        [
            title,
            "",
            "Instructions executed inside each app's WSGI call (valgrind's callgrind, counting "
            "only during the call: deterministic, unlike a time), the median of "
            f"{COUNTED_ROUNDS} rounds after {WARM_ROUNDS} warm ones, in one process on one "
            "SQLite database, both apps sharing its accounts and secret key. The peer "
            "(benchmarks/peer_app.py) is an idiomatic Flask write view with the same "
            "extensions: Flask-Login loads the user row, a Flask-WTF form checks its CSRF "
            "token, the answer is scored with the same scorer, one SQLModel insert stores the "
            "post and its report as JSON, commit, redirect; its plain write is the same "
            f"without scoring. Both post the issue's real {long}-word answer "
            f"(tests/eval/corpus/heldout) and, for information, the {short}-word answer the wrk "
            "runs above submit. "
            "The coach's autosave is the page's JSON save of an existing draft.",
            "",
            "| request | coach | peer | ratio | target |",
            "|---|---|---|---|---|",
            row(
                f"submit, {long}-word answer",
                "coach submit, long",
                "peer submit, long",
                SUBMIT_TARGET,
            ),
            row(
                "autosave, against the peer's plain write",
                "coach autosave",
                "peer plain write",
                AUTOSAVE_TARGET,
            ),
            row(f"submit, {short}-word answer", "coach submit", "peer submit", None),
            "",
            "An anonymous visitor's question page from the page cache, against the bare Flask "
            "hello app (benchmarks/hello_app.py) in the same process: the share of the cached "
            "page's instructions that hello's are. The wrk table above measures the same pair "
            "under gunicorn, where the server's own per-request work is in both.",
            "",
            "| request | coach | hello | hello / coach | target |",
            "|---|---|---|---|---|",
            f"| GET /questions/worldwide-outage, anonymous, cached "
            f"| {counts['coach cached page'] / 1e6:.2f} M | {counts['hello'] / 1e6:.2f} M "
            f"| {cached_ratio:.2f} | for information (the target is on the wrk ratio) |",
            "",
            "Sign-up as shipped, where a new account waits for an admin's approval and a taken "
            "address gets the same page: both hash the password (argon2) before looking the "
            "address up, so the time of the answer should not tell them apart either.",
            "",
            "| request | instructions |",
            "|---|---|",
            f"| sign-up, new address | {counts['sign-up, new address'] / 1e6:.2f} M |",
            f"| sign-up, taken address | {counts['sign-up, taken address'] / 1e6:.2f} M |",
            f"| difference, taken less new | "
            f"{(counts['sign-up, taken address'] - counts['sign-up, new address']) / 1e6:+.2f} M "
            f"({counts['sign-up, taken address'] / counts['sign-up, new address'] - 1:+.2%}) |",
            "",
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--counted":
        _run_counted(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.stdout.write(instructions_report())
