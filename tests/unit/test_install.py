"""A normal, non-editable install is the whole app: the wheel built from this checkout, installed
into a fresh environment outside it, serves every kind of page under gunicorn: anonymous, a
candidate's (an answer submitted and scored), a coach's and an admin's.

The fresh environment reuses this one's dependencies (a .pth naming its site-packages, whose own
.pth files, the editable install's finder among them, are not run), so nothing is downloaded and
`app` can only come from the wheel. Select with `pytest -m install`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from pathlib import Path

import pytest
import requests

from pm_scoring import ENGINE_VERSION
from tests.conftest import ROOT, csrf_from, free_port, wait_for_port
from tests.web.test_practice import ANSWER

pytestmark = pytest.mark.install

# What `pip install .` reads: the project file and the folders the wheel is made of.
SOURCES = ["pyproject.toml", "README.md", "app", "src", "static", "migrations", "question_bank"]
SOURCES += ["rubrics"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the checkout so no build/ folder is left in it (nor
    stale files from an earlier build slip into this one), with this environment's setuptools."""
    work = tmp_path_factory.mktemp("wheel")
    (work / "checkout").mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(source, work / "checkout" / name, ignore=ignore)
        else:
            shutil.copy(source, work / "checkout" / name)
    build = [sys.executable, "-m", "pip", "wheel", str(work / "checkout"), "--no-deps"]
    build += ["--no-build-isolation", "--quiet", "--wheel-dir", str(work / "dist")]
    subprocess.run(build, check=True, capture_output=True, timeout=120)
    (built,) = (work / "dist").glob("*.whl")
    return built


def test_the_wheel_holds_the_code_templates_static_files_rubrics_bank_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "app/templates/base.html",
        "app/static/css/app.css",
        "app/migrations/env.py",
        "app/migrations/script.py.mako",
        *(f"app/question_bank/{p.name}" for p in (ROOT / "question_bank").glob("*.yaml")),
        *(f"pm_scoring/rubrics/{p.name}" for p in (ROOT / "rubrics").glob("*.yaml")),
        *(f"pm_scoring/question_bank/{p.name}" for p in (ROOT / "question_bank").glob("*.yaml")),
        *(f"app/migrations/versions/{p.name}" for p in (ROOT / "migrations/versions").glob("*.py")),
        *(
            f"app/templates/{p.relative_to(ROOT / 'app/templates')}"
            for p in _files("app/templates")
        ),
        *(f"app/static/{p.relative_to(ROOT / 'static')}" for p in _files("static")),
        # Every module: a package left out of pyproject.toml's list is missing here.
        *(str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")),
        *(str(p.relative_to(ROOT / "src")) for p in (ROOT / "src").rglob("*.py")),
    }
    assert sorted(shipped - names) == []
    assert not [name for name in names if "__pycache__" in name or name.startswith("tests/")]


def _files(folder: str) -> list[Path]:
    return [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the checkout with the wheel installed; returns its
    bin/ folder."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "coach-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    # --ignore-installed: the editable install seen through the .pth is left alone.
    install = [python, "-m", "pip", "install", "--no-deps", "--ignore-installed", "--quiet"]
    subprocess.run([*install, str(wheel)], check=True, capture_output=True, timeout=120)
    return venv / "bin"


def _environment(instance: Path) -> dict[str, str]:
    names = {k for k in os.environ if k.startswith(("COACH_", "PYTHON", "OPENAI_"))}
    environment = {k: v for k, v in os.environ.items() if k not in names}
    return {**environment, "COACH_INSTANCE_PATH": str(instance), "COACH_TASK_CONSUMER": "none"}


def test_the_installed_wheel_initialises_and_serves_pages_under_gunicorn(installed, tmp_path):
    elsewhere = tmp_path / "cwd"  # neither the checkout nor the environment
    elsewhere.mkdir()
    environment = _environment(tmp_path / "instance")

    def run(*args: object) -> str:
        done = subprocess.run(
            args, cwd=elsewhere, env=environment, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = run(installed / "python", "-c", "import app, pm_scoring; print(app.__file__)")
    assert Path(where).is_relative_to(installed.parent), where
    # The engine installed knows what the checkout's knows: the same bank and rubrics.
    version = run(installed / "python", "-c", "import pm_scoring; print(pm_scoring.ENGINE_VERSION)")
    assert version.strip() == ENGINE_VERSION
    # ...and finds the shipped questions' meaning kept in its package, made from that bank.
    kept = "from pm_scoring import rubric as r; "
    kept += "print(r.read_known_questions(r.KNOWN_QUESTIONS_FILE) is not None)"
    assert run(installed / "python", "-c", kept).strip() == "True"
    assert "question(s) created" in run(installed / "coach", "init")

    port = free_port()
    server = subprocess.Popen(
        [installed / "python", "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=elsewhere,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server, timeout=60)

        def page(path: str) -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as reply:
                assert reply.status == 200, path
                return reply.read().decode()

        assert 'href="/static/css/app.css' in page("/")
        assert "Handle a worldwide outage" in page("/questions")
        assert "Handle a worldwide outage" in page("/questions/worldwide-outage")
        assert "/rubrics/star" in page("/rubrics")
        assert "{" in page("/static/css/app.css")
        assert 'name="password"' in page("/login")
        assert page("/healthz") == "ok\n"

        # Signed in: the first account is the admin; an answer is scored, and the coach's and
        # the admin's pages are served too.
        base, http = f"http://127.0.0.1:{port}", requests.Session()

        def post_form(page_path: str, action: str, **fields: str) -> requests.Response:
            token = csrf_from(http.get(base + page_path).text)
            data = {**fields, "csrf_token": token}
            return http.post(base + action, data=data, allow_redirects=False)

        password = "correct horse battery"
        registered = post_form(
            "/register", "/register", email="admin@example.com", password=password, confirm=password
        )
        assert registered.status_code == 302, registered.text
        outage = "/questions/worldwide-outage"
        submitted = post_form(
            outage, outage + "/submit", answer_text=ANSWER, time_spent_seconds="60"
        )
        assert submitted.status_code == 302, submitted.text
        assert "Clarifies the situation" in http.get(base + submitted.headers["Location"]).text
        for path in ("/progress", "/coach/reviews", "/coach/rubrics/incident-response",
                     "/admin/users", "/admin/bank", "/admin/audit"):  # fmt: skip
            assert http.get(base + path).status_code == 200, path
    finally:
        server.terminate()
        server.wait(timeout=30)
