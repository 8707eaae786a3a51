"""Bank import and export, as an admin meets them: a preview first, then an all-or-nothing apply,
from the command line and from the browser; hostile files refused with the bank untouched."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import zipfile

import pytest
import yaml
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR
from sqlmodel import select

from app.extensions import db
from app.models import BankImport, Question, QuestionLabel, User
from tests.conftest import AuthActions, count_rows, csrf_from, make_app

NEW_QUESTION = {
    "slug": "pricing-page-redesign",
    "title": "Redesign a pricing page",
    "prompt": "How would you redesign the pricing page of a note-taking app?",
    "rubric": "product-design",
    "type": "product-design",
    "companies": ["Notion"],
    "tags": ["pricing"],
}


def bank_yaml(*questions: dict) -> str:
    return yaml.safe_dump({"questions": list(questions)}, sort_keys=False)


def bank_digest(app) -> str:
    """Everything stored about questions and their labels: equal digests, an untouched bank."""
    with app.app_context(), db.session() as session:
        questions = session.exec(select(Question).order_by(Question.slug)).all()
        labels = session.exec(select(QuestionLabel).order_by(QuestionLabel.id)).all()
        text = json.dumps(
            [q.model_dump(mode="json") for q in questions]
            + [label.model_dump(mode="json") for label in labels],
            sort_keys=True,
        )
    return hashlib.sha256(text.encode()).hexdigest()


def stored(app, slug: str) -> Question | None:
    with app.app_context(), db.session() as session:
        return session.exec(select(Question).where(Question.slug == slug)).first()


# --- the command line -----------------------------------------------------------------------


def test_cli_previews_then_applies_and_a_second_run_changes_nothing(app, runner, tmp_path):
    path = tmp_path / "new.yaml"
    path.write_text(bank_yaml(NEW_QUESTION))
    first = runner.invoke(args=["bank", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "Preview: 1 new, 0 changed, 0 unchanged, 0 skipped." in first.output
    assert "+ pricing-page-redesign  Redesign a pricing page" in first.output
    assert "Imported: 1 new" in first.output
    assert stored(app, "pricing-page-redesign").companies == ["Notion"]

    again = runner.invoke(args=["bank", "import", str(path)])
    assert again.exit_code == 0
    assert "Preview: 0 new, 0 changed, 1 unchanged" in again.output
    assert "Nothing to change." in again.output
    with app.app_context(), db.session() as session:
        logs = session.exec(select(BankImport)).all()
    assert [(log.status, log.counts["new"], log.user_id) for log in logs] == [("applied", 1, None)]


def test_dry_run_shows_each_changed_field_and_changes_nothing(app, runner, tmp_path):
    path = tmp_path / "edit.yaml"
    path.write_text(
        bank_yaml(
            {
                "slug": "worldwide-outage",
                "title": "A worldwide outage, retold",
                "prompt": stored(app, "worldwide-outage").prompt,
                "rubric": "incident-response",
                "difficulty": "easy",
            }
        )
    )
    before = bank_digest(app)
    result = runner.invoke(args=["bank", "import", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "Preview: 0 new, 1 changed" in result.output
    assert "~ worldwide-outage" in result.output
    assert "title: " in result.output and "-> A worldwide outage, retold" in result.output
    assert "difficulty: hard -> easy" in result.output
    assert "Dry run: nothing was changed." in result.output
    assert bank_digest(app) == before


def test_fields_a_file_does_not_give_are_kept(app, runner, tmp_path):
    """A file without companies (as every Moodle file) does not wipe a question's companies."""
    before = stored(app, "worldwide-outage")
    path = tmp_path / "title-only.yaml"
    path.write_text(
        bank_yaml(
            {
                "slug": "worldwide-outage",
                "title": "New title",
                "prompt": before.prompt,
                "rubric": "incident-response",
            }
        )
    )
    assert runner.invoke(args=["bank", "import", str(path)]).exit_code == 0
    after = stored(app, "worldwide-outage")
    assert after.title == "New title"
    assert (after.companies, after.tags, after.hints) == (
        before.companies,
        before.tags,
        before.hints,
    )


def test_an_import_changing_what_the_scorer_reads_makes_a_new_question_version(
    app, runner, tmp_path
):
    """A new difficulty leaves the question's version alone; a new model answer, which the
    scorer reads, makes the next one (scores record the version they read)."""
    before = stored(app, "worldwide-outage")
    question = {
        "slug": "worldwide-outage",
        "title": before.title,
        "prompt": before.prompt,
        "rubric": "incident-response",
        "difficulty": "easy",
    }
    path = tmp_path / "edit.yaml"
    path.write_text(bank_yaml(question))
    assert runner.invoke(args=["bank", "import", str(path)]).exit_code == 0
    assert stored(app, "worldwide-outage").version == before.version
    path.write_text(bank_yaml({**question, "model_answer": "Restore service first, then talk."}))
    assert runner.invoke(args=["bank", "import", str(path)]).exit_code == 0
    after = stored(app, "worldwide-outage")
    assert after.model_answer == "Restore service first, then talk."
    assert after.version == before.version + 1


def test_every_problem_is_listed_with_its_file_line_and_field_and_nothing_is_imported(
    app, runner, tmp_path
):
    good = tmp_path / "good.yaml"
    good.write_text(bank_yaml(NEW_QUESTION))
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "questions:\n"
        "  - slug: other\n    title: T\n    prompt: P\n    rubric: nope\n"
        "  - slug: Not A Slug\n    title: T\n    prompt: P\n    rubric: star\n"
    )
    before = bank_digest(app)
    result = runner.invoke(args=["bank", "import", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"Error: {bad}:2: rubric: unknown rubric 'nope'" in result.output
    assert f"Error: {bad}:6: questions[1].slug:" in result.output
    assert bank_digest(app) == before
    assert count_rows(app, BankImport) == 0


def test_questions_naming_no_rubric_take_the_one_chosen_for_the_import(app, runner, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("title,prompt,tags\nEstimate bike sales,How many bikes sell in Oslo?,a;b\n")
    refused = runner.invoke(args=["bank", "import", str(path)])
    assert refused.exit_code == 1
    assert f"{path}:2: rubric:" in refused.output
    result = runner.invoke(args=["bank", "import", "--rubric", "estimation", str(path)])
    assert result.exit_code == 0, result.output
    question = stored(app, "estimate-bike-sales")
    assert (question.rubric_id, question.tags) == ("estimation", ["a", "b"])


def test_a_rubric_a_coach_chose_outlives_an_import(app, runner, tmp_path):
    with app.app_context(), db.session() as session:
        coach = User(email="c@example.com", password_hash="x", role="coach")
        session.add(coach)
        session.flush()
        question = session.exec(select(Question).where(Question.slug == "worldwide-outage")).one()
        question.rubric_id, question.rubric_assigned_by = "star", coach.id
        session.commit()
        prompt = question.prompt
    path = tmp_path / "outage.yaml"
    path.write_text(
        bank_yaml(
            {
                "slug": "worldwide-outage",
                "title": "Outage",
                "prompt": prompt,
                "rubric": "incident-response",
            }
        )
    )
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "rubric: kept star (chosen by a coach)" in result.output
    assert stored(app, "worldwide-outage").rubric_id == "star"


@pytest.mark.parametrize("format_name", ["yaml", "json", "csv", "moodle"])
def test_export_then_import_through_each_format_changes_nothing(app, runner, tmp_path, format_name):
    path = tmp_path / f"bank.{format_name}"
    exported = runner.invoke(args=["bank", "export", "--format", format_name, str(path)])
    assert exported.exit_code == 0, exported.output
    before = bank_digest(app)
    result = runner.invoke(
        args=["bank", "import", "--format", format_name, "--rubric", "star", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "0 new, 0 changed" in result.output
    assert bank_digest(app) == before


# --- hostile and broken files ---------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)
HOSTILE = {
    "alias-bomb.yaml": ALIAS_BOMB.encode(),
    "deep.yaml": b"questions: " + b"[" * 10000 + b"]" * 10000,
    "deep.json": b'{"questions": ' + b"[" * 10000 + b"]" * 10000 + b"}",
    "object.yaml": b"questions: !!python/object/apply:os.system ['true']\n",
    "binary.yaml": bytes(range(256)) * 4,
    "latin1.csv": "title,prompt\nCaf\xe9,Pr\xe9cis\n".encode("latin-1"),
    "broken.json": b'{"questions": [',
    "broken.xml": b"<quiz><question type='essay'>",
    "billion-laughs.xml": (
        b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b']><quiz><question type="essay"><name><text>&c;</text></name></question></quiz>'
    ),
    "external.xml": (
        b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<quiz><question type="essay"><name><text>&x;</text></name></question></quiz>'
    ),
    "escape.zip": _zip({"../outside.md": b"---\ntitle: T\nrubric: star\n---\nPrompt\n"}),
    "absolute.zip": _zip({"/etc/evil.md": b"---\ntitle: T\nrubric: star\n---\nPrompt\n"}),
    "bomb.zip": _zip({"big.md": b"---\ntitle: T\nrubric: star\n---\n" + b"a" * (12 * 2**20)}),
    "corrupt.zip": b"PK\x03\x04 not really a zip",
    "unknown.docx": b"hello",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_or_broken_file_is_refused_by_name_and_the_bank_stays_as_it_was(
    app, runner, tmp_path, name
):
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    before = bank_digest(app)
    result = runner.invoke(args=["bank", "import", "--rubric", "star", str(path)])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"Error: {path}" in result.output
    assert bank_digest(app) == before


def test_more_questions_than_the_limit_are_refused(tmp_path, seeded_database):
    (tmp_path / "coach.db").write_bytes(seeded_database.read_bytes())
    app = make_app(tmp_path, IMPORT_MAX_QUESTIONS=2)
    path = tmp_path / "three.yaml"
    path.write_text(
        bank_yaml(*({**NEW_QUESTION, "slug": f"q-{i}", "title": f"Q {i}"} for i in range(3)))
    )
    result = app.test_cli_runner().invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 1
    assert "more than 2 questions" in result.output or "limit" in result.output
    assert stored(app, "q-0") is None


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, seeded_database):
    (tmp_path / "coach.db").write_bytes(seeded_database.read_bytes())
    app = make_app(tmp_path, IMPORT_MAX_MB=0.001)
    path = tmp_path / "big.yaml"
    path.write_text(bank_yaml(*({**NEW_QUESTION, "slug": f"q-{i}"} for i in range(50))))
    result = app.test_cli_runner().invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 1 and f"Error: {path}" in result.output
    assert stored(app, "q-0") is None


# --- the browser ----------------------------------------------------------------------------


def admin_client(app):
    client = app.test_client()
    AuthActions(client).register("admin@example.com")  # the first account is the admin
    return client


def upload(client, name: str, data: bytes, **fields: str):
    token = csrf_from(client.get("/admin/bank").text)
    return client.post(
        "/admin/bank/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def test_an_upload_is_previewed_with_its_changes_then_applied_once(app):
    client = admin_client(app)
    outage = stored(app, "worldwide-outage")
    edited = {
        "slug": "worldwide-outage",
        "title": outage.title,
        "prompt": outage.prompt,
        "rubric": "incident-response",
        "tags": [*outage.tags, "sre"],
    }
    response = upload(client, "bank.yaml", bank_yaml(NEW_QUESTION, edited).encode())
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    preview = client.get(preview_url).text
    assert "Preview: <strong>1 new, 1 changed, 0 unchanged, 0 skipped</strong>" in preview
    assert "<code>pricing-page-redesign</code> Redesign a pricing page" in preview
    assert '<th scope="row">tags</th>' in preview and "sre" in preview
    assert stored(app, "pricing-page-redesign") is None  # nothing until applied

    token = csrf_from(preview)
    applied = client.post(preview_url + "/apply", data={"csrf_token": token})
    assert applied.status_code == 302
    outcome = client.get(preview_url).text
    assert "Imported: 1 new, 1 changed" in outcome
    assert "sre" in stored(app, "worldwide-outage").tags
    assert client.get("/questions?tag=sre").text.count("worldwide-outage") >= 1

    twice = client.post(preview_url + "/apply", data={"csrf_token": token})
    assert "already been applied" in client.get(twice.headers["Location"]).text
    with app.app_context(), db.session() as session:
        log = session.exec(select(BankImport)).one()
        assert (log.status, log.files, log.counts["new"], log.payload) == (
            "applied",
            ["bank.yaml"],
            1,
            None,
        )
    log_page = client.get("/admin/bank").text
    assert "admin@example.com" in log_page and "bank.yaml" in log_page


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_upload_gets_a_form_error_naming_the_file(app, name):
    client = admin_client(app)
    before = bank_digest(app)
    response = upload(client, name, HOSTILE[name], rubric="star")
    assert response.status_code == 400
    assert f"{name} cannot be imported" in response.text
    assert f"<code>{name}" in response.text  # each problem, located
    assert bank_digest(app) == before


def test_an_upload_name_is_never_used_as_a_path(app, tmp_path):
    client = admin_client(app)
    response = upload(client, "../../etc/new.yaml", bank_yaml(NEW_QUESTION).encode())
    assert response.status_code == 302
    with app.app_context(), db.session() as session:
        assert session.exec(select(BankImport)).one().files == ["new.yaml"]


def test_an_upload_over_the_request_limit_is_refused_unread(tmp_path, seeded_database):
    (tmp_path / "coach.db").write_bytes(seeded_database.read_bytes())
    app = make_app(tmp_path, IMPORT_MAX_MB=0.004)
    client = admin_client(app)
    response = upload(client, "big.yaml", b"#" * 100_000)
    assert response.status_code == 413
    assert "Too large" in response.text and "over the 68 KB limit" in response.text
    assert count_rows(app, BankImport) == 0


def test_an_upload_larger_than_other_forms_is_still_read(app):
    """Forms are capped at MAX_REQUEST_KB; a bank upload may be as large as IMPORT_MAX_MB."""
    client = admin_client(app)
    padding = "# " + "x" * 1000 + "\n"
    big = (padding * 400 + bank_yaml(NEW_QUESTION)).encode()
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    assert upload(client, "big.yaml", big).status_code == 302


def test_a_large_import_runs_in_the_background_and_reports_its_progress(tmp_path, seeded_database):
    (tmp_path / "coach.db").write_bytes(seeded_database.read_bytes())
    app = make_app(tmp_path, TASK_CONSUMER="in-process", IMPORT_BACKGROUND_OVER=2)
    finished = threading.Event()
    huey = app.extensions["tasks"].huey

    @huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)
    def _import_finished(signal, task, *_):
        if task.name == "coach.import_bank":
            finished.set()

    try:
        client = admin_client(app)
        questions = [{**NEW_QUESTION, "slug": f"bulk-{i}", "title": f"Bulk {i}"} for i in range(5)]
        preview_url = upload(client, "bulk.yaml", bank_yaml(*questions).encode()).headers[
            "Location"
        ]
        page = client.get(preview_url).text
        assert "runs in the background" in page
        client.post(preview_url + "/apply", data={"csrf_token": csrf_from(page)})
        assert finished.wait(timeout=30), "the import task never finished"
        progress = client.get(preview_url + "/progress").json
        assert progress["status"] == "applied"
        assert (progress["done"], progress["total"]) == (5, 5)
        assert stored(app, "bulk-4") is not None
    finally:
        app.extensions["tasks"].stop_consumer()


@pytest.mark.parametrize("format_name", ["yaml", "json", "csv", "moodle"])
def test_the_download_button_exports_the_whole_bank(app, format_name):
    client = admin_client(app)
    response = client.get(f"/admin/bank/export?format={format_name}")
    assert response.status_code == 200
    assert "attachment; filename=" in response.headers["Content-Disposition"]
    assert b"worldwide-outage" in response.data


def test_csv_export_escapes_cells_a_spreadsheet_would_run(app):
    with app.app_context(), db.session() as session:
        question = session.exec(select(Question).where(Question.slug == "worldwide-outage")).one()
        question.title = '=HYPERLINK("http://evil")'
        session.commit()
    client = admin_client(app)
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/bank/export?format=csv").text)))
    outage = next(row for row in rows if row["slug"] == "worldwide-outage")
    assert outage["title"] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("visitor", ["anonymous", "candidate", "coach"])
def test_every_admin_route_is_refused_to_anyone_but_an_admin(app, visitor):
    admin_client(app)
    client = app.test_client()
    if visitor != "anonymous":
        AuthActions(client).register_with_role(f"{visitor}@example.com", visitor)
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<id:{name}>", "1").replace(f"<{name}>", "x")
            assert "<" not in url, url
            routes += [(method, url) for method in rule.methods - {"HEAD", "OPTIONS"}]
    assert len(routes) >= 6
    token = csrf_from(client.get("/login" if visitor == "anonymous" else "/").text)
    for method, url in routes:
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        if visitor == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 403, (method, url)
