"""Published rubrics anyone can read, and the coach's editor: drafts that are never live, publish,
retire, compare, import and export."""

from __future__ import annotations

import html
import re
import threading
from pathlib import Path

import pytest
import yaml
from flask import Flask
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR
from markupsafe import escape
from sqlmodel import select

from app.bank.service import live_rubric_version, load_shipped_content
from app.coach.rubric_form import RubricForm, form_content, form_data
from app.extensions import db
from app.models import Rescore, RubricVersion, Score, User
from app.practice.services import get_question
from app.review.services import create_share_link, override_level, share_with_coach
from app.rubrics.calibration import add_sample, samples_of
from app.rubrics.rescoring import start_rescoring
from app.rubrics.services import check_rubric_text
from app.scoring import question_as_asked
from pm_scoring import load_rubric, score
from pm_scoring.evaluation import load_eval_set, pairwise_accuracy
from pm_scoring.rubric import SHIPPED_RUBRICS_DIR, parse_rubric
from tests.conftest import AuthActions, csrf_from, make_app
from tests.web.test_practice import ANSWER, attempt_id, submit

SHIPPED = load_rubric("incident-response").version


def coach_client(app: Flask, role: str = "coach", email: str | None = None):
    client = app.test_client()
    AuthActions(client).register_with_role(email or f"{role}@example.com", role)
    return client


def start_draft(client, rubric_id: str = "incident-response") -> tuple[int, str, int]:
    """Start a draft from the coach's page; returns its id, its text and its revision."""
    page = client.get(f"/coach/rubrics/{rubric_id}")
    response = client.post(
        f"/coach/rubrics/{rubric_id}/draft", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 302, response.text
    draft_id = int(response.headers["Location"].rsplit("/", 1)[1])
    editor = client.get(f"/coach/drafts/{draft_id}").text
    match = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", editor, re.S)
    assert match
    text = html.unescape(match.group(1))  # the textarea holds the YAML, HTML-escaped
    revision = int(re.search(r'name="revision" type="hidden" value="(\d+)"', editor).group(1))
    return draft_id, text, revision


def autosave(client, draft_id: int, text: str, revision: int):
    token = csrf_from(client.get(f"/coach/drafts/{draft_id}").text)
    return client.post(
        f"/coach/drafts/{draft_id}",
        json={"text": text, "revision": revision},
        headers={"X-CSRFToken": token},
    )


def press(client, page_url: str, action_url: str):
    """Press a button (publish, retire, discard) on a page, as a browser posts its form."""
    return client.post(action_url, data={"csrf_token": csrf_from(client.get(page_url).text)})


def live_version(app: Flask, rubric_id: str = "incident-response") -> int:
    with app.app_context(), db.session() as session:
        return live_rubric_version(session, rubric_id).version


def test_every_published_rubric_is_public_in_full(client):
    index = client.get("/rubrics")
    assert index.status_code == 200
    assert 'href="/rubrics/incident-response"' in index.text and "Behavioural story" in index.text
    page = client.get("/rubrics/incident-response").text
    assert "Restores service first" in page  # a criterion
    assert "4/4</th>" in page and "0/4</th>" in page  # its five level descriptors
    spec = load_rubric("incident-response").spec
    every_example = [e for c in spec.criteria for k in c.concepts for e in k.examples]
    assert all(escape(example) in page for example in every_example)
    assert all(escape(flag.title) in page for flag in spec.red_flags)
    assert "Handle a worldwide outage" in page  # a question that uses it
    assert "live" in page
    yaml_file = client.get(f"/rubrics/incident-response/v{SHIPPED}.yaml")
    assert yaml.safe_load(yaml_file.text)["id"] == "incident-response"
    assert client.get("/rubrics/no-such-rubric").status_code == 404
    assert client.get("/rubrics/incident-response/v99999999999").status_code == 404


def test_a_result_links_to_the_exact_rubric_version_that_scored_it(client, auth):
    auth.register_candidate()
    result = client.get(f"/attempts/{attempt_id(submit(client, ANSWER))}").text
    assert f'href="/rubrics/incident-response/v{SHIPPED}"' in result


def test_a_draft_is_never_live_and_publishing_makes_it_live(app, client, auth):
    coach = coach_client(app)
    draft_id, text, revision = start_draft(coach)
    edited = text.replace("title: Restores service first", "title: Restores service before all")
    assert edited != text
    saved = autosave(coach, draft_id, edited, revision)
    assert saved.status_code == 200 and saved.json["problems"] == []
    assert "Restores service before all" in saved.json["preview"]

    # Candidates are still scored against the published version; the draft is not public.
    auth.register("candidate@example.com")  # not the first account, so a candidate
    first = attempt_id(submit(client, ANSWER))
    assert live_version(app) == SHIPPED
    assert client.get(f"/rubrics/incident-response/v{SHIPPED + 1}").status_code == 404
    assert coach.get(f"/rubrics/incident-response/v{SHIPPED + 1}").status_code == 200

    published = press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    assert published.headers["Location"] == f"/rubrics/incident-response/v{SHIPPED + 1}"
    assert live_version(app) == SHIPPED + 1
    second = attempt_id(submit(client, ANSWER + " We kept customers informed."))
    with app.app_context(), db.session() as session:
        used = {
            s.attempt_id: session.get(RubricVersion, s.rubric_version_id).version
            for s in session.exec(select(Score)).all()
        }
    assert used == {first: SHIPPED, second: SHIPPED + 1}  # the old score keeps its version
    assert "Restores service before all" in client.get("/rubrics/incident-response").text


def test_a_published_version_cannot_be_edited(app):
    coach = coach_client(app)
    draft_id, text, revision = start_draft(coach)
    press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    assert coach.get(f"/coach/drafts/{draft_id}").status_code == 404
    token = csrf_from(coach.get("/coach/").text)
    response = coach.post(
        f"/coach/drafts/{draft_id}",
        json={"text": text + "\n# changed", "revision": revision},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 404


def test_autosave_keeps_invalid_text_and_says_what_is_wrong_where(app):
    coach = coach_client(app)
    draft_id, text, revision = start_draft(coach)
    broken = re.sub(r"(?m)^(\s*weight: )", r"\1-", text, count=1)
    saved = autosave(coach, draft_id, broken, revision)
    assert saved.status_code == 200
    (problem,) = saved.json["problems"]
    assert problem["field"].startswith("criteria[") and problem["field"].endswith(".weight")
    assert broken.splitlines()[problem["line"] - 1].strip().startswith("weight: -")
    # Nothing typed is lost, and a broken draft cannot be published.
    assert "weight: -" in coach.get(f"/coach/drafts/{draft_id}").text
    refused = press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    assert refused.headers["Location"] == f"/coach/drafts/{draft_id}"
    assert live_version(app) == SHIPPED
    # A save based on an older revision (another tab) is refused, not written over.
    stale = autosave(coach, draft_id, text, revision)
    assert stale.status_code == 409 and "another tab" in stale.json["error"]


def test_retiring_the_live_version_brings_back_the_one_before(app):
    coach = coach_client(app)
    draft_id, _, _ = start_draft(coach)
    press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    page = "/coach/rubrics/incident-response"
    press(coach, page, f"/coach/rubrics/incident-response/v{SHIPPED + 1}/retire")
    assert live_version(app) == SHIPPED
    assert "retired" in coach.get(f"/rubrics/incident-response/v{SHIPPED + 1}").text
    refused = press(coach, page, f"/coach/rubrics/incident-response/v{SHIPPED}/retire")
    assert refused.status_code == 302 and live_version(app) == SHIPPED
    assert "cannot be retired" in coach.get(page).text


def test_two_versions_compare_criterion_by_criterion(app):
    coach = coach_client(app)
    draft_id, text, revision = start_draft(coach)
    edited = text.replace("title: Restores service first", "title: Puts service back first")
    rollback = re.compile(r"^(\s*)- roll back$", re.MULTILINE)
    edited = rollback.sub(r"\1- roll it back\n\1- roll back", edited, count=1)
    assert "- roll it back" in edited
    assert autosave(coach, draft_id, edited, revision).json["problems"] == []
    page = coach.get(f"/coach/rubrics/incident-response/diff?old={SHIPPED}&new={SHIPPED + 1}").text
    assert "Criterion mitigation" in page
    assert "Restores service first</del> → <ins>Puts service back first" in page
    assert "+ roll it back" in page
    assert "Criterion clarify" not in page  # unchanged criteria are not listed


def test_an_exported_rubric_imports_and_exports_as_the_same_file(app):
    coach = coach_client(app)
    original = coach.get(f"/rubrics/incident-response/v{SHIPPED}.yaml").text
    new_rubric = original.replace("id: incident-response", "id: incident-drill", 1).replace(
        f"version: {SHIPPED}", "version: 1", 1
    )
    token = csrf_from(coach.get("/coach/").text)
    imported = coach.post("/coach/import", data={"text": new_rubric, "csrf_token": token})
    draft_id = int(imported.headers["Location"].rsplit("/", 1)[1])
    press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    assert coach.get("/rubrics/incident-drill/v1.yaml").text == new_rubric
    # A new version of an existing rubric keeps the file, with the version it was given.
    token = csrf_from(coach.get("/coach/").text)
    again = coach.post("/coach/import", data={"text": original, "csrf_token": token})
    assert again.status_code == 302
    draft_id = int(again.headers["Location"].rsplit("/", 1)[1])
    press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    exported = coach.get(f"/rubrics/incident-response/v{SHIPPED + 1}.yaml").text
    assert exported == original.replace(f"version: {SHIPPED}", f"version: {SHIPPED + 1}", 1)


def test_an_import_that_does_not_validate_says_where_and_stores_nothing(app):
    coach = coach_client(app)
    token = csrf_from(coach.get("/coach/").text)
    response = coach.post(
        "/coach/import",
        data={"text": "id: broken\nversion: 1\ntitle: Broken\ncriteria: []\n", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "criteria" in response.text and "Line 4" in response.text
    with app.app_context(), db.session() as session:
        assert not session.exec(
            select(RubricVersion).where(RubricVersion.rubric_id == "broken")
        ).all()


def test_reloading_the_shipped_files_does_not_undo_a_coach_version(app):
    coach = coach_client(app)
    draft_id, _, _ = start_draft(coach)
    press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    with app.app_context(), db.session() as session:
        assert load_shipped_content(session).rubrics_added == []
    assert live_version(app) == SHIPPED + 1


def test_the_editor_page_names_the_draft_and_its_preview(app):
    coach = coach_client(app)
    draft_id, _, _ = start_draft(coach)
    page = coach.get(f"/coach/drafts/{draft_id}").text
    assert f"Draft v{SHIPPED + 1}" in page and "js/rubric-editor.js" in page
    assert "this draft can be published" in page and "Restores service first" in page
    # Starting again opens the same draft rather than a second one.
    assert start_draft(coach)[0] == draft_id


# Every coach route, as each kind of visitor: anonymous visitors are sent to log in, candidates
# get 403, coaches and admins get in.
def coach_routes(app: Flask, ids: dict[str, int]) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("coach."):
            continue
        url = rule.rule.replace("<rubric_id>", "incident-response")
        url = url.replace("v<id:version>", f"v{SHIPPED}")
        for name, value in ids.items():
            url = url.replace(f"<id:{name}>", str(value)).replace(f"<{name}>", str(value))
        assert "<" not in url, f"a coach route this test does not know how to fill: {url}"
        if rule.endpoint == "coach.diff":
            url += f"?old={SHIPPED}&new={SHIPPED}"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    # Pages first, then changes, and last what ends the draft (publish, discard).
    return sorted(routes, key=lambda r: (r[0] == "POST", r[1].endswith(("/publish", "/discard"))))


@pytest.mark.parametrize("visitor", ["anonymous", "candidate", "coach", "admin"])
def test_every_coach_route_checks_the_role_on_the_server(app, visitor):
    draft_id = start_draft(coach_client(app, "coach", "author@example.com"))[0]
    owner = app.test_client()
    AuthActions(owner).register("owner@example.com")
    attempt = attempt_id(submit(owner, ANSWER))
    client = app.test_client()
    if visitor == "candidate":
        AuthActions(client).register("candidate@example.com")
    elif visitor != "anonymous":
        client = coach_client(app, visitor)
    with app.app_context(), db.session() as session:
        sample = add_sample(session, "incident-response", "We rolled back at once.", 3)
        owner_id = session.exec(select(User).where(User.email == "owner@example.com")).one().id
        for coach in ["author@example.com"] + (
            [f"{visitor}@example.com"] if visitor in {"coach", "admin"} else []
        ):
            share_with_coach(session, owner_id, attempt, coach)
        author = session.exec(select(User).where(User.email == "author@example.com")).one()
        level = override_level(session, author.id, attempt, "mitigation", 4, "Rolled back first.")
        job = start_rescoring(session, live_rubric_version(session, "incident-response"), author.id)
        link = create_share_link(session, owner_id, attempt)
    ids = {
        "draft_id": draft_id,
        "sample_id": sample.id,
        "attempt_id": attempt,
        "override_id": level.id,
        "job_id": job.id,
        "token": link.token,
    }
    routes = coach_routes(app, ids)
    assert len(routes) >= 10
    # A valid token, so that the role check, not CSRF, answers the POSTs.
    token = csrf_from(client.get("/" if visitor != "anonymous" else "/login").text)
    for method, url in routes:
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        if visitor == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        elif visitor == "candidate":
            assert response.status_code == 403, (method, url)
        elif method == "GET":  # a page, or (a share link) a coach page
            assert response.status_code == 200 or "/coach/" in response.headers["Location"], url
        else:  # done, or refused for what the request holds (an empty import), never hidden
            assert response.status_code in {302, 422}, (method, url, response.status_code)


BANNED_ROLLBACK = """red_flags:
- id: rollback-banned
  title: Rolls back
  detector: phrases
  phrases: [roll back, rolled back, rollback]
  penalty: 100
  message: Never roll back.
"""


def add_samples(app: Flask, samples: list[tuple[str, int]]) -> None:
    with app.app_context(), db.session() as session:
        for text, level in samples:
            add_sample(session, "incident-response", text, level, "worldwide-outage")


def test_calibration_shows_how_a_version_ranks_the_coachs_samples(app):
    labelled = load_eval_set(Path(__file__).parents[1] / "eval" / "worldwide-outage.yaml")
    known = [(a.text, a.grade) for a in labelled.answers[:12]]
    add_samples(app, known)
    rubric = load_rubric("incident-response")
    asked = question_as_asked(*worldwide_outage_title_and_prompt(app))
    overall = [score(rubric, text, asked).overall for text, _ in known]
    expected = pairwise_accuracy([level for _, level in known], overall)
    page = coach_client(app).get("/coach/rubrics/incident-response").text
    assert f'<td class="pairwise">{expected:.2f}</td>' in page
    assert "Criteria most at odds with your levels" in page
    assert page.count('<tr class="sample') == len(known)


def test_a_draft_that_agrees_less_with_the_samples_asks_before_it_is_published(app):
    add_samples(
        app,
        [(ANSWER, 5), ("I would stay calm and tell people it will be fine soon enough.", 1)],
    )
    coach = coach_client(app)
    draft_id, text, revision = start_draft(coach)
    worse = text.replace("red_flags: []\n", BANNED_ROLLBACK)
    assert worse != text
    saved = autosave(coach, draft_id, worse, revision)
    assert saved.json["problems"] == []
    assert "agrees less with your levels than the live version" in saved.json["preview"]
    asked = press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    assert asked.status_code == 409 and "Publish anyway" in asked.text
    assert live_version(app) == SHIPPED
    confirmed = coach.post(
        f"/coach/drafts/{draft_id}/publish",
        data={"csrf_token": csrf_from(asked.text), "confirm": "yes"},
    )
    assert confirmed.status_code == 302 and live_version(app) == SHIPPED + 1


def test_a_sample_needs_text_and_a_level_and_says_which_is_missing(app):
    coach = coach_client(app)
    token = csrf_from(coach.get("/coach/rubrics/incident-response").text)
    response = coach.post(
        "/coach/rubrics/incident-response/samples",
        data={"csrf_token": token, "text": "   ", "level": "3", "question": ""},
    )
    assert response.status_code == 422 and "Paste the sample answer." in response.text
    response = coach.post(
        "/coach/rubrics/incident-response/samples",
        data={"csrf_token": token, "text": "We rolled back.", "level": "9", "question": ""},
    )
    assert response.status_code == 422 and "Not a valid choice" in response.text
    with app.app_context(), db.session() as session:
        assert samples_of(session, "incident-response") == []


def worldwide_outage_title_and_prompt(app: Flask) -> tuple[str, str]:
    with app.app_context(), db.session() as session:
        question = get_question(session, "worldwide-outage")
        return question.title, question.prompt


def publish_banning_rollback(coach) -> int:
    draft_id, text, revision = start_draft(coach)
    autosave(coach, draft_id, text.replace("red_flags: []\n", BANNED_ROLLBACK), revision)
    return draft_id


def test_the_impact_preview_shows_how_past_scores_would_move(app, client, auth):
    auth.register_candidate()
    kept = attempt_id(submit(client, "I would stay calm, find who did it and fix the problem."))
    moved = attempt_id(submit(client, ANSWER))
    coach = coach_client(app)
    draft_id = publish_banning_rollback(coach)
    page = coach.get(f"/coach/drafts/{draft_id}/impact").text
    with app.app_context(), db.session() as session:
        before = {s.attempt_id: s.overall for s in session.exec(select(Score)).all()}
    assert "2 answers were scored against earlier versions" in page
    assert "1 of 2 would score differently" in page
    assert f"<td>{before[moved]}</td><td>0</td><td>{-before[moved]:+d}</td>" in page
    assert before[kept] < before[moved]


def test_publishing_then_rescoring_keeps_each_score_of_record_and_shows_the_new_one(
    tmp_path, seeded_database
):
    (tmp_path / "coach.db").write_bytes(seeded_database.read_bytes())
    app = make_app(tmp_path, TASK_CONSUMER="in-process")
    finished = threading.Event()
    huey = app.extensions["tasks"].huey

    @huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)
    def _rescoring_finished(signal, task, *_):
        if task.name == "coach.rescore":
            finished.set()

    try:
        coach = app.test_client()
        AuthActions(coach).register("first@example.com")  # the first account: an admin
        owner = app.test_client()
        AuthActions(owner).register("owner@example.com")
        attempt = attempt_id(submit(owner, ANSWER))
        draft_id = publish_banning_rollback(coach)
        press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
        started = press(
            coach,
            "/coach/rubrics/incident-response",
            f"/coach/rubrics/incident-response/v{SHIPPED + 1}/rescore",
        )
        job_url = started.headers["Location"]
        assert finished.wait(timeout=30), "the rescoring task never finished"
        progress = coach.get(job_url + ".json").json
        assert progress == {"status": "done", "total": 1, "done": 1, "changed": 1, "error": None}
        assert "Done: 1 answer scored again, 1 differently." in coach.get(job_url).text

        result = owner.get(f"/attempts/{attempt}").text
        with app.app_context(), db.session() as session:
            record = session.exec(select(Score).where(Score.attempt_id == attempt)).one()
            assert session.get(RubricVersion, record.rubric_version_id).version == SHIPPED
            again = session.exec(select(Rescore).where(Rescore.attempt_id == attempt)).one()
            assert record.question_version == again.question_version == 1
        assert (
            f'Scored again against <a href="/rubrics/incident-response/v{SHIPPED + 1}">' in result
        )
        assert f"Your score of record stays\n      {record.overall}" in result
    finally:
        app.extensions["tasks"].stop_consumer()


def test_the_progress_chart_marks_where_a_rubric_changed(app, client, auth):
    auth.register_candidate()
    submit(client, ANSWER)
    coach = coach_client(app)
    draft_id, _, _ = start_draft(coach)
    press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    submit(client, ANSWER + " We kept customers informed.")
    page = client.get("/progress").text
    assert f'<td data-label="Rubric">incident-response v{SHIPPED}</td>' in page
    assert f'<td data-label="Rubric">incident-response v{SHIPPED + 1} (new version)</td>' in page
    assert "A triangle marks the first score under a new version" in page
    assert '"pointStyle": ["circle", "triangle"]' in page  # the chart marks it too


@pytest.mark.parametrize("rubric_id", sorted(p.stem for p in SHIPPED_RUBRICS_DIR.glob("*.yaml")))
def test_every_shipped_rubric_survives_the_form_unchanged(app, rubric_id):
    content = load_rubric(rubric_id).to_dict()
    with app.test_request_context():
        form = RubricForm(formdata=None, data=form_data(content), meta={"csrf": False})
        again = form_content(form, rubric_id, content["version"])
    assert parse_rubric(again).content_hash == parse_rubric(content).content_hash


def form_fields(html_text: str) -> list[tuple[str, str]]:
    """The form's fields as a browser would post them (inputs, text areas, chosen options)."""
    fields = []
    for tag in re.finditer(r"<input[^>]*>", html_text):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group()))
        if ("name" in attrs and attrs.get("type") != "checkbox") or "checked" in tag.group():
            fields.append((attrs["name"], html.unescape(attrs.get("value", "y"))))
    for area in re.finditer(
        r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html_text, re.S
    ):
        fields.append((area.group(1), html.unescape(area.group(2))))
    for menu in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html_text, re.S):
        options = re.findall(r"<option([^>]*)>", menu.group(2))
        chosen = next((o for o in options if re.search(r"\bselected\b", o)), options[0])
        fields.append(
            (menu.group(1), html.unescape(re.search(r'value="([^"]*)"', chosen).group(1)))
        )
    return fields


@pytest.mark.parametrize("rubric_id", sorted(p.stem for p in SHIPPED_RUBRICS_DIR.glob("*.yaml")))
def test_a_shipped_rubric_s_form_saved_untouched_keeps_the_rubric(app, rubric_id):
    """Every detector is offered, and patterns, penalties of 0 and the like come back as sent."""
    coach = coach_client(app)
    draft_id, text, _ = start_draft(coach, rubric_id)
    fields = dict(form_fields(coach.get(f"/coach/drafts/{draft_id}/form").text))
    if rubric_id == "failure-story":
        assert "blames_others" in fields.values()  # the failure story's blame flag, chosen
    assert coach.post(f"/coach/drafts/{draft_id}/form", data=fields).status_code == 302
    editor = coach.get(f"/coach/drafts/{draft_id}").text
    saved = html.unescape(re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", editor, re.S).group(1))
    assert parse_rubric(yaml.safe_load(saved)).content_hash == (
        parse_rubric(yaml.safe_load(text)).content_hash
    )


def test_a_coach_edits_the_rubric_as_a_form_and_sees_each_problem_beside_its_field(app):
    coach = coach_client(app)
    draft_id, _, _ = start_draft(coach)
    page = coach.get(f"/coach/drafts/{draft_id}/form").text
    fields = dict(form_fields(page))
    assert fields["criteria-2-title"] == "Restores service first"
    fields["criteria-2-title"] = "Puts service back first"
    saved = coach.post(f"/coach/drafts/{draft_id}/form", data=fields)
    assert saved.status_code == 302
    text = html.unescape(
        re.search(
            r"<textarea[^>]*>\n?(.*?)</textarea>", coach.get(f"/coach/drafts/{draft_id}").text, re.S
        ).group(1)
    )
    assert "title: Puts service back first" in text and check_rubric_text(text)[1] == []

    page = coach.get(f"/coach/drafts/{draft_id}/form").text
    fields = dict(form_fields(page))
    fields["criteria-0-weight"] = "-2"
    typed = coach.post(
        f"/coach/drafts/{draft_id}/form", data=fields, headers={"X-Requested-With": "fetch"}
    )
    assert [p["field"] for p in typed.json["problems"]] == ["criteria-0-weight"]
    fields["revision"] = str(typed.json["revision"])
    fields["criteria-0-weight"] = "two"
    typed = coach.post(
        f"/coach/drafts/{draft_id}/form", data=fields, headers={"X-Requested-With": "fetch"}
    )
    assert typed.json["problems"] == [
        {"field": "criteria-0-weight", "message": "Not a valid float value."}
    ]

    fields["criteria-0-weight"] = "1"
    added = coach.post(f"/coach/drafts/{draft_id}/form", data={**fields, "action": "add-criterion"})
    criteria = len(load_rubric("incident-response").criteria)
    assert added.status_code == 422 and f"Criterion {criteria + 1}:" in added.text
    slot = re.search(rf'data-error-for="criteria-{criteria}-title">([^<]*)<', added.text)
    assert slot and slot.group(1)  # the new criterion's empty title, named beside it


def test_a_coach_creates_a_rubric_publishes_it_and_assigns_a_question_to_it(app, client, auth):
    coach = coach_client(app)
    token = csrf_from(coach.get("/coach/").text)
    created = coach.post(
        "/coach/rubrics/new",
        data={"csrf_token": token, "rubric_id": "outage-drill", "title": "Outage drill"},
    )
    draft_id = int(created.headers["Location"].split("/")[-2])
    assert created.headers["Location"] == f"/coach/drafts/{draft_id}/form"
    page = "/coach/rubrics/outage-drill"
    refused = press(coach, page, "/coach/rubrics/outage-drill/questions")
    assert "Choose one of the questions." in coach.get(refused.headers["Location"]).text
    token = csrf_from(coach.get(page).text)
    early = coach.post(
        page + "/questions", data={"csrf_token": token, "question": "launch-slipping"}
    )
    assert "publish the rubric first" in coach.get(early.headers["Location"]).text
    press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    token = csrf_from(coach.get(page).text)
    coach.post(page + "/questions", data={"csrf_token": token, "question": "launch-slipping"})
    assert "A launch that is slipping" in client.get("/rubrics/outage-drill").text
    with app.app_context(), db.session() as session:  # `coach init` (every `make run`) again
        load_shipped_content(session)
        assert get_question(session, "launch-slipping").rubric_id == "outage-drill"
    auth.register("candidate@example.com")
    token = csrf_from(client.get("/questions/launch-slipping").text)
    result = client.post(
        "/questions/launch-slipping/submit", data={"answer_text": ANSWER, "csrf_token": token}
    )
    assert 'href="/rubrics/outage-drill/v1"' in client.get(result.headers["Location"]).text
    again = coach.post(
        "/coach/rubrics/new",
        data={
            "csrf_token": csrf_from(coach.get("/coach/").text),
            "rubric_id": "outage-drill",
            "title": "Again",
        },
    )
    assert "a rubric &#39;outage-drill&#39; exists" in coach.get(again.headers["Location"]).text
