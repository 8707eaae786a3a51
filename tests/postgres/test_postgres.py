"""The same app on a real PostgreSQL server: migrations, the shipped bank, a candidate's whole
journey, an all-or-nothing import and a submit race, with no SQLite-only SQL anywhere."""

from __future__ import annotations

import re

import yaml
from sqlmodel import select

from app.auth.services import register_user
from app.extensions import db
from app.models import Attempt, Question, QuestionLabel, RubricVersion, Score
from app.practice.services import save_draft
from tests.conftest import AuthActions, count_rows, csrf_from
from tests.web.test_practice import ANSWER, OUTAGE
from tests.web.test_submit_race import race


def test_init_migrates_and_loads_the_bank_and_a_second_run_changes_nothing(pg_app):
    assert db.engine.dialect.name == "postgresql"
    questions, rubrics = count_rows(pg_app, Question), count_rows(pg_app, RubricVersion)
    assert questions >= 44 and rubrics >= 9
    again = pg_app.test_cli_runner().invoke(args=["init"])
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert (count_rows(pg_app, Question), count_rows(pg_app, RubricVersion)) == (questions, rubrics)


def test_a_candidate_practises_from_search_to_progress(pg_app):
    client = pg_app.test_client()
    auth = AuthActions(client)
    auth.register_candidate()

    listing = client.get("/questions?q=WORLDWIDE&type=situational").text
    assert "worldwide-outage" in listing
    token = csrf_from(client.get(OUTAGE).text)
    saved = client.post(
        OUTAGE + "/draft",
        json={
            "draft_key": "pg-page",
            "version": 1,
            "answer_text": "First thoughts",
            "time_spent_seconds": 40,
        },
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 200
    assert "First thoughts" in client.get(OUTAGE).text  # the draft comes back

    ids = []
    for text in ("We roll back the release.", ANSWER):
        submitted = client.post(
            OUTAGE + "/submit",
            data={"answer_text": text, "time_spent_seconds": "90", "csrf_token": token},
        )
        assert submitted.status_code == 302, submitted.text
        ids.append(int(re.search(r"/attempts/(\d+)", submitted.headers["Location"]).group(1)))
    result = client.get(f"/attempts/{ids[1]}").text
    assert "Clarifies the situation" in result and "<mark" in result
    comparison = client.get(f"/attempts/compare?first={ids[0]}&second={ids[1]}").text
    assert '<span class="label">Added</span>' in comparison
    assert 'id="progress-chart"' in client.get("/progress").text
    assert "My best:" in client.get("/questions?q=worldwide").text

    auth.logout()
    auth.register("someone-else@example.com")
    assert client.get(f"/attempts/{ids[1]}").status_code == 404


def test_import_is_all_or_nothing(pg_app, tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(
        yaml.safe_dump(
            {
                "questions": [
                    {"slug": "brand-new", "title": "New", "prompt": "P", "rubric": "star"},
                    {
                        "slug": "also-new",
                        "title": "N",
                        "prompt": "P",
                        "rubric": "star",
                        "tags": ["a"],
                    },
                ]
            }
        )
    )
    bad.write_text("questions:\n  - slug: other\n    title: T\n    prompt: P\n    rubric: nope\n")
    runner = pg_app.test_cli_runner()
    labels = count_rows(pg_app, QuestionLabel)
    before = count_rows(pg_app, Question)
    failed = runner.invoke(args=["bank", "import", str(good), str(bad)])
    assert failed.exit_code == 1 and "unknown rubric 'nope'" in failed.output
    assert count_rows(pg_app, Question) == before
    done = runner.invoke(args=["bank", "import", str(good)])
    assert done.exit_code == 0, done.output
    assert count_rows(pg_app, Question) == before + 2
    assert count_rows(pg_app, QuestionLabel) == labels + 1
    again = runner.invoke(args=["bank", "import", str(good)])
    assert "Nothing to change." in again.output


def test_concurrent_submissions_of_one_draft_store_one_score(pg_app):
    with pg_app.app_context():
        with db.session() as session:
            user_id = register_user(session, "racer@example.com", "a long password").id
            draft_id = save_draft(session, user_id, "worldwide-outage", "draft", 30).id
        outcomes = race(user_id, draft_id)
        assert sorted(type(o).__name__ for o in outcomes) == ["AlreadySubmitted", "int"]
        with db.session() as session:
            assert len(session.exec(select(Score).where(Score.attempt_id == draft_id)).all()) == 1
            assert len(session.exec(select(Attempt)).all()) == 1
