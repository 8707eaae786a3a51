"""Security as tests, so it stays true: every route of `app.url_map` refuses a POST without its
CSRF token and answers each kind of visitor as the access rules say; request bodies are capped
before they are read and never echoed back; JSON bodies of the wrong shape are a 400, never a 500.

The route walkers fail when a route appears that they cannot fill or that has no rule below: a new
route gets its rule written here, on purpose."""

from __future__ import annotations

import inspect
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app.auth.services import issue_password_reset
from app.bank.service import live_rubric_version
from app.extensions import db
from app.models import (
    Attempt,
    AttemptStatus,
    MockInterview,
    MockQuestion,
    MockStatus,
    Question,
    Transcription,
    User,
    utcnow,
)
from app.practice.services import MAX_ANSWER_CHARS
from app.review.services import create_share_link, override_level, share_with_coach
from app.rubrics.calibration import add_sample
from app.rubrics.rescoring import start_rescoring
from app.rubrics.services import start_draft
from tests.conftest import AuthActions, csrf_from, make_app
from tests.web.test_bank_import import NEW_QUESTION, bank_yaml, upload
from tests.web.test_practice import ANSWER, OUTAGE, attempt_id, submit

VISITORS = ("anonymous", "candidate_a", "candidate_b", "coach", "admin")
EMAILS = {
    "candidate_a": "candidate-a@example.com",
    "candidate_b": "candidate-b@example.com",
    "coach": "coach@example.com",
    "admin": "admin@example.com",
}


@dataclass
class World:
    """Real rows for every URL argument, and a logged-in client per visitor."""

    app: Flask
    clients: dict[str, FlaskClient]
    ids: dict[str, int | str] = field(default_factory=dict)

    def fill(self, rule) -> str:
        url = rule.rule
        if rule.endpoint == "auth.reset":  # a password-reset link's token, not a share link's
            url = url.replace("<token>", str(self.ids["reset_token"]))
        if rule.endpoint == "practice.mock_report_page":  # a report is a finished mock's
            url = url.replace("<id:mock_id>", str(self.ids["finished_mock_id"]))
        if rule.endpoint == "auth.finish_signup":
            url = url.replace("<token>", "no-such-signup-link")
        for name, value in self.ids.items():
            url = url.replace(f"<id:{name}>", str(value)).replace(f"<{name}>", str(value))
        url = url.replace("<path:filename>", "css/account.css")
        assert "<" not in url, f"a route this test cannot fill: {rule.rule} ({rule.endpoint})"
        return url + QUERIES.get(rule.endpoint, "").format(**self.ids)


def build_world(app: Flask) -> World:
    """An admin (the first account), a coach, candidates A and B, and a target account; A's
    submitted attempt shared with the coach, a draft rubric, a sample, an override, a rescoring
    job, a share link, a reset link, and a bank import waiting to be applied."""
    clients = {"anonymous": app.test_client()}
    for visitor in ("admin", "coach", "candidate_a", "candidate_b"):
        client = app.test_client()
        role = {"admin": "admin", "coach": "coach"}.get(visitor, "candidate")
        AuthActions(client).register_with_role(EMAILS[visitor], role)
        clients[visitor] = client
    AuthActions(app.test_client()).register("target@example.com")
    attempt = attempt_id(submit(clients["candidate_a"], ANSWER))
    world = World(app, clients)
    with app.app_context(), db.session() as session:
        users = {u.email: u.id for u in session.exec(select(User))}
        owner, coach = users[EMAILS["candidate_a"]], users[EMAILS["coach"]]
        share = share_with_coach(session, owner, attempt, EMAILS["coach"])
        link = create_share_link(session, owner, attempt)
        level = override_level(session, coach, attempt, "mitigation", 4, "Rolled back first.")
        live = live_rubric_version(session, "incident-response")
        job = start_rescoring(session, live, coach)
        sample = add_sample(session, "incident-response", "We rolled back at once.", 3)
        draft = start_draft(session, "incident-response")
        reset = issue_password_reset(session, users[EMAILS["candidate_b"]], None, 24)
        question = session.exec(select(Question).where(Question.slug == "worldwide-outage")).one()
        mock = MockInterview(user_id=owner, title="Three questions")
        session.add(mock)
        session.flush()
        session.add(
            MockQuestion(
                mock_id=mock.id, position=1, question_id=question.id, time_limit_seconds=600
            )
        )
        finished = MockInterview(
            user_id=owner, title="Done", status=MockStatus.FINISHED, finished_at=utcnow()
        )
        session.add(finished)
        session.flush()
        session.add(
            MockQuestion(
                mock_id=finished.id,
                position=1,
                question_id=question.id,
                time_limit_seconds=600,
                answer_text=ANSWER,
                attempt_id=attempt,
            )
        )
        recording = Transcription(
            user_id=owner,
            question_id=question.id,
            attempt_id=attempt,
            status="done",
            audio=b"RIFF kept recording",
            audio_type="audio/wav",
            keep_audio=True,
            transcript="We rolled back at once.",
        )
        session.add(recording)
        session.commit()
        world.ids = {
            "attempt_id": attempt,
            "share_id": share.id,
            "token": link.token,
            "override_id": level.id,
            "job_id": job.id,
            "sample_id": sample.id,
            "draft_id": draft.id,
            "rubric_id": "incident-response",
            "version": live.version,
            "slug": "worldwide-outage",
            "question_id": question.id,
            "user_id": users["target@example.com"],
            "mock_id": mock.id,
            "finished_mock_id": finished.id,
            "transcription_id": recording.id,
        }
        world.ids["reset_token"] = reset.token
    world.ids["import_id"] = _pending_import(clients["admin"])
    return world


def _pending_import(admin: FlaskClient) -> int:
    response = upload(admin, "one.yaml", bank_yaml(NEW_QUESTION).encode())
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


# Query strings some pages need to do their work (not to pass their access check).
QUERIES = {
    "practice.compare": "?first={attempt_id}",
    "coach.diff": "?old={version}&new={version}",
    "admin.export_bank": "?format=yaml",
}

# Form fields a POST needs to reach its access check (beyond the CSRF token).
POST_DATA = {
    "practice.share": {"email": EMAILS["coach"]},
    "coach.keep_as_sample": {"level": "3"},
}

# --- The access rules -----------------------------------------------------------------------
# What each kind of visitor gets from each route. "ok" means the route does its work: a page
# (200) for a GET, and for a POST anything but a refusal of the visitor (it may redirect, or
# refuse the empty form it was sent, 400/409/422). "login" is a redirect to the login page.
OK, LOGIN, FORBIDDEN, HIDDEN, AWAY = "ok", "login", 403, 404, "away"

PUBLIC = dict.fromkeys(VISITORS, OK)
GUESTS = {"anonymous": OK, **dict.fromkeys(VISITORS[1:], AWAY)}  # signed in: sent onwards
SIGNED_IN = {"anonymous": LOGIN, **dict.fromkeys(VISITORS[1:], OK)}
OWNER = {**dict.fromkeys(VISITORS, HIDDEN), "anonymous": LOGIN, "candidate_a": OK}
COACHES = {
    "anonymous": LOGIN,
    "candidate_a": FORBIDDEN,
    "candidate_b": FORBIDDEN,
    "coach": OK,
    "admin": OK,
}
SHARED_WITH_COACH = {**COACHES, "admin": HIDDEN}  # shared with the coach, not with the admin
ADMINS = {**dict.fromkeys(VISITORS, FORBIDDEN), "anonymous": LOGIN, "admin": OK}

RULES: dict[str, dict[str, object]] = {
    "static": PUBLIC,
    "practice.home": PUBLIC,
    "practice.questions": PUBLIC,
    "practice.question": PUBLIC,
    "rubrics.index": PUBLIC,
    "rubrics.show": PUBLIC,
    "rubrics.download": PUBLIC,
    "auth.reset": PUBLIC,
    "observability.healthz": PUBLIC,
    "observability.readyz": PUBLIC,
    "observability.metrics": PUBLIC,  # from this machine (the test client's 127.0.0.1) only
    # A sign-up link this test cannot make (it is signed): an unknown one is 404 for everyone.
    "auth.finish_signup": dict.fromkeys(VISITORS, HIDDEN),
    "auth.login": GUESTS,
    "auth.register": GUESTS,
    "auth.logout": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.account_password": SIGNED_IN,
    "auth.account_delete": SIGNED_IN,
    "auth.account_end_sessions": SIGNED_IN,
    "auth.account_export_json": SIGNED_IN,
    "auth.account_export_csv": SIGNED_IN,
    "practice.draft": SIGNED_IN,
    "practice.submit": SIGNED_IN,
    "practice.history": SIGNED_IN,
    "practice.notifications": SIGNED_IN,
    "practice.progress": SIGNED_IN,
    # Candidate A's attempt: only A acts on it or sees it here (coaches see it under /coach).
    "practice.attempt": OWNER,
    "practice.feedback": OWNER,
    "practice.retry_feedback": OWNER,
    "practice.retry": OWNER,
    "practice.share": OWNER,
    "practice.share_link": OWNER,
    "practice.revoke": OWNER,
    "practice.compare": OWNER,
    "practice.follow_up_reply": OWNER,
    "practice.follow_up_section": OWNER,
    "practice.weekly_goal": SIGNED_IN,
    # Mock interviews: anyone signed in starts and lists their own; one is its owner's only.
    "practice.mocks": SIGNED_IN,
    "practice.new_mock": SIGNED_IN,
    "practice.mock": OWNER,
    "practice.mock_answer": OWNER,
    "practice.mock_next": OWNER,
    "practice.mock_finish": OWNER,
    "practice.mock_report_page": OWNER,
    # Spoken answers: anyone signed in records; a recording, its audio and its deletion are
    # its owner's only.
    "practice.upload_recording": SIGNED_IN,
    "practice.recording": OWNER,
    "practice.recording_audio": OWNER,
    "practice.delete_recording_audio": OWNER,
    # A's attempt, shared with the coach (and through the share link the coach opens).
    "coach.review": SHARED_WITH_COACH,
    "coach.comment": SHARED_WITH_COACH,
    "coach.override": SHARED_WITH_COACH,
    "coach.revert": SHARED_WITH_COACH,
    "coach.keep_as_sample": SHARED_WITH_COACH,
    # A share link opens for any coach or admin: it is how a candidate shares with one. Opening
    # it shows what it offers; taking it (a POST) shares the attempt.
    "coach.open_link": COACHES,
    "coach.take_link": {**COACHES, "coach": AWAY, "admin": AWAY},
}
RULES.update(
    {
        name: COACHES
        for name in (
            "coach.index coach.rubric coach.diff coach.edit coach.save coach.discard "
            "coach.edit_form coach.save_form coach.impact coach.publish coach.import_rubric "
            "coach.rescoring coach.rescoring_progress coach.reviews coach.start coach.assign "
            "coach.add_rubric_sample coach.delete_rubric_sample coach.rescore coach.retire "
            "coach.new_rubric"
        ).split()
    }
)


def rule_for(endpoint: str) -> dict[str, object]:
    if endpoint.startswith("admin."):
        return ADMINS
    assert endpoint in RULES, f"{endpoint} has no access rule: write it in RULES"
    return RULES[endpoint]


def routes(world: World) -> list[tuple[str, str, str]]:
    """(method, url, endpoint) for every rule; pages first, then changes, and last what ends
    something (publish, discard, opening a share link, logging out)."""
    found = []
    for rule in world.app.url_map.iter_rules():
        url = world.fill(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url, rule.endpoint))
    last = ("coach.publish", "coach.discard", "auth.account_delete")
    ends_session = ("auth.logout", "auth.account_end_sessions")
    # Taking a share link lets that coach (or admin) see the attempt: it is walked after the
    # routes the share decides, so the admin, with whom nothing is shared, meets them hidden.
    opens_share = ("coach.take_link",)
    return sorted(
        found,
        key=lambda r: (r[2] in ends_session, r[2] in opens_share, r[0] != "GET", r[2] in last),
    )


@pytest.fixture(scope="module")
def world_template(tmp_path_factory, seeded_database: Path):
    """The world is built once (registering five accounts is most of its cost); each test gets
    a copy of its database and its visitors' session cookies, so what one test changes no
    other sees."""
    instance = tmp_path_factory.mktemp("security-world")
    shutil.copy(seeded_database, instance / "coach.db")
    app = make_app(instance)
    world = build_world(app)
    cookies = {
        visitor: cookie.value
        for visitor, client in world.clients.items()
        if (cookie := client.get_cookie("session")) is not None
    }
    with app.app_context():
        db.engine.dispose()  # folds the WAL into the file, so a copy holds everything
    return instance, world.ids, cookies


@pytest.fixture
def world(tmp_path: Path, world_template) -> World:
    instance, ids, cookies = world_template
    for name in ("coach.db", "secret_key"):
        shutil.copy(instance / name, tmp_path / name)
    app = make_app(tmp_path)
    clients = {visitor: app.test_client() for visitor in VISITORS}
    for visitor, value in cookies.items():
        clients[visitor].set_cookie("session", value)
    return World(app, clients, dict(ids))


def test_every_state_changing_route_refuses_a_request_without_its_csrf_token(world):
    admin = world.clients["admin"]
    changing = [r for r in routes(world) if r[0] in {"POST", "PUT", "PATCH", "DELETE"}]
    assert len(changing) >= 30
    for method, url, _ in changing:
        form = admin.open(url, method=method, data={"note": "no token"})
        assert form.status_code == 400, (method, url, form.status_code)
        as_json = admin.open(url, method=method, json={"text": "no token"})
        assert as_json.status_code == 400, (method, url, as_json.status_code)
        wrong = admin.open(url, method=method, data={"csrf_token": "forged"})
        assert wrong.status_code == 400, (method, url, wrong.status_code)
    assert admin.get("/admin/users").status_code == 200  # still signed in: nothing was done


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_route_answers_each_visitor_as_the_access_rules_say(world, visitor):
    client = world.clients[visitor]
    token = csrf_from(client.get("/login" if visitor == "anonymous" else "/account").text)
    for method, url, endpoint in routes(world):
        expected = rule_for(endpoint)[visitor]
        data = {"csrf_token": token, **POST_DATA.get(endpoint, {})} if method != "GET" else None
        response = client.open(url, method=method, data=data)
        status, where = response.status_code, response.headers.get("Location", "")
        said = (visitor, method, url, status, where)
        if expected == LOGIN:
            assert status == 302 and where.startswith("/login"), said
        elif expected == AWAY:
            assert status == 302 and not where.startswith("/login"), said
        elif expected == OK and method == "GET":
            assert status == 200, said
        elif expected == OK:
            assert status in {200, 302, 400, 409, 413, 422}, said
            assert not where.startswith("/login"), said
        else:
            assert status == expected, said


# --- Request size and echoes ------------------------------------------------------------------


def test_a_huge_anonymous_post_is_refused_before_it_is_read_and_never_echoed(client):
    huge = b"email=" + b"x" * (100 * 2**20) + b"&password=secret"
    response = client.post("/login", data=huge, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "256 KB limit" in response.text
    assert "xxxxxxxxxx" not in response.text and len(response.data) < 20_000


class _CountedBody(io.RawIOBase):
    """A request body of any length that counts how much of it the app reads."""

    def __init__(self) -> None:
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.bytes_read += len(buffer)
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/login", "application/x-www-form-urlencoded"),
        ("/questions/worldwide-outage/draft", "application/json"),
        ("/admin/bank/import", "multipart/form-data; boundary=x"),  # allows IMPORT_MAX_MB
    ],
)
def test_a_body_over_the_limit_is_refused_before_a_byte_of_it_is_read(app, path, content_type):
    """The declared length alone decides: a client that says it will send 100 MB is answered
    413 without the app reading any of it (the test client would read it all first)."""
    body = _CountedBody()
    environ = EnvironBuilder(path=path, method="POST", content_type=content_type).get_environ()
    environ["wsgi.input"] = io.BufferedReader(body)
    environ["CONTENT_LENGTH"] = str(100 * 2**20)
    chunks, status, _ = run_wsgi_app(app.wsgi_app, environ)
    b"".join(chunks)
    assert status.startswith("413") and body.bytes_read == 0


def test_every_route_refuses_a_body_over_the_limit(world):
    """Only the bank upload (IMPORT_MAX_MB) and a recording (VOICE_MAX_MB) take more; every
    other route answers 413."""
    admin = world.clients["admin"]
    body = b"x" * (world.app.config["MAX_CONTENT_LENGTH"] + 1)
    for method, url, endpoint in routes(world):
        if method == "GET" or endpoint in ("admin.upload", "practice.upload_recording"):
            continue
        response = admin.open(
            url, method=method, data=body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 413, (method, url, response.status_code)
        assert b"xxxxxxxxxx" not in response.data, url


def test_the_expired_form_page_keeps_an_answer_only_up_to_the_answer_limit(world):
    candidate = world.clients["candidate_a"]
    kept = "k" * MAX_ANSWER_CHARS
    posted = kept + "OVERFLOW" * 1000  # under the request limit, over the answer limit
    response = candidate.post(
        OUTAGE + "/submit", data={"answer_text": posted, "csrf_token": "expired"}
    )
    assert response.status_code == 400 and "Form expired" in response.text
    assert kept in response.text and "OVERFLOW" not in response.text


# --- JSON bodies --------------------------------------------------------------------------------

NOT_AN_OBJECT = ["[1]", '"x"', "true", "null", "1e999", "{" * 10, "[" * 100_000 + "]" * 100_000]


def _json_post(client, url: str, body: str | bytes, token: str):
    return client.post(
        url, data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )


def _json_endpoints(world) -> dict[str, tuple[str, str]]:
    """Each view that reads a JSON body: the visitor allowed to post to it, and its URL."""
    return {
        "practice.draft": ("candidate_a", OUTAGE + "/draft"),
        "practice.mock_answer": ("candidate_a", f"/mock/{world.ids['mock_id']}/answer"),
        "coach.save": ("coach", f"/coach/drafts/{world.ids['draft_id']}"),
        "admin.preview_markdown": ("admin", "/admin/questions/preview"),
    }


def test_the_json_endpoints_under_test_are_every_view_that_reads_a_json_body(world):
    reading = {
        endpoint
        for endpoint, view in world.app.view_functions.items()
        if "parse_json(" in inspect.getsource(inspect.unwrap(view))
    }
    assert reading == set(_json_endpoints(world))


@pytest.mark.parametrize("body", NOT_AN_OBJECT, ids=lambda b: b[:12])
def test_every_json_endpoint_answers_a_body_of_the_wrong_shape_with_400(world, body):
    for endpoint, (visitor, url) in _json_endpoints(world).items():
        client = world.clients[visitor]
        response = _json_post(client, url, body, csrf_from(client.get("/account").text))
        assert response.status_code == 400, (endpoint, response.status_code)
        assert response.json["error"], endpoint


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("answer_text", '{"draft_key": "k1", "version": 1, "answer_text": "before \\ud800 after"}'),
        ("draft_key", '{"draft_key": "\\ud83d", "version": 1, "answer_text": "ok"}'),
    ],
)
def test_a_lone_surrogate_is_refused_naming_its_field_and_nothing_is_saved(world, field, body):
    candidate = world.clients["candidate_a"]
    token = csrf_from(candidate.get(OUTAGE).text)
    response = _json_post(candidate, OUTAGE + "/draft", body, token)
    assert response.status_code == 400 and field in response.json["error"]
    with world.app.app_context(), db.session() as session:
        drafts = session.exec(select(Attempt).where(Attempt.status == AttemptStatus.DRAFT)).all()
    assert drafts == []
    # A real pair (an emoji) is text like any other.
    emoji = '{"draft_key": "k1", "version": 1, "answer_text": "ok \\ud83d\\ude00"}'
    assert _json_post(candidate, OUTAGE + "/draft", emoji, token).status_code == 200


def test_lone_surrogates_are_refused_by_the_rubric_and_preview_endpoints(world):
    coach, admin = world.clients["coach"], world.clients["admin"]
    draft = f"/coach/drafts/{world.ids['draft_id']}"
    saved = _json_post(
        coach, draft, '{"text": "\\ud800", "revision": 1}', csrf_from(coach.get(draft).text)
    )
    assert saved.status_code == 400 and "text" in saved.json["error"]
    token = csrf_from(admin.get("/admin/questions/new").text)
    preview = _json_post(admin, "/admin/questions/preview", '{"text": "\\udc00"}', token)
    assert preview.status_code == 400 and "text" in preview.json["error"]


IMPOSSIBLE_VERSIONS = [0, -1, 2**31, "soon", 1.5]


@pytest.mark.parametrize("version", IMPOSSIBLE_VERSIONS, ids=str)
def test_an_impossible_version_is_a_400_by_autosave_and_by_the_form(world, version):
    candidate = world.clients["candidate_a"]
    token = csrf_from(candidate.get(OUTAGE).text)
    body = {"draft_key": "k1", "answer_text": "Typed.", "version": version}
    autosaved = candidate.post(OUTAGE + "/draft", json=body, headers={"X-CSRFToken": token})
    assert autosaved.status_code == 400 and "version" in autosaved.json["error"]
    for action in ("/draft", "/submit"):
        posted = candidate.post(OUTAGE + action, data={**body, "csrf_token": token})
        assert posted.status_code == 400, action
        assert "version" in posted.text and "Typed." in posted.text  # the text is kept


def test_a_later_version_of_a_draft_still_saves(world):
    candidate = world.clients["candidate_a"]
    token = csrf_from(candidate.get(OUTAGE).text)

    def save(text: str, version: int):
        body = {"draft_key": "k1", "version": version, "answer_text": text}
        return candidate.post(OUTAGE + "/draft", json=body, headers={"X-CSRFToken": token})

    first, again = save("One.", 1), save("Two.", 2)
    assert again.status_code == 200 and again.json["attempt_id"] == first.json["attempt_id"]


def test_a_long_email_under_the_limit_is_not_echoed_back_whole(client):
    page = client.get("/login").text
    long_email = "a" * 200_000 + "@example.com"
    response = client.post(
        "/login", data={"email": long_email, "password": "x", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 200 and "a" * 300 not in response.text
    assert len(response.data) < 30_000
