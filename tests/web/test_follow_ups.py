"""Follow-up questions on the result page: offered for the weakest criterion, answered once,
scored against that criterion alone, shown before and after; tailored by the AI when its
feedback proposes a grounded one. The score of record never changes."""

from __future__ import annotations

import html
import json

import pytest
import yaml
from sqlmodel import select

from app.extensions import db
from app.models import FollowUp, Score
from pm_scoring import load_rubric
from tests.conftest import AuthActions, csrf_from
from tests.feedback.standin import Reply, completion
from tests.web import test_feedback_flow as feedback_flow
from tests.web.test_practice import attempt_id, submit

OUTAGE_RUBRIC = load_rubric("incident-response")
FOLLOW_UPS = {c.spec.id: c.spec.follow_up for c in OUTAGE_RUBRIC.criteria}
# Strong on most criteria; on recovery metrics it only mentions alerts on error rates.
ANSWER = (
    "First I would ask which product and features are down, since when, and whether it is every "
    "platform and market or only some. Because the outage began right after our 14:00 release, "
    "the release is my first suspect, but I would also check the cloud provider's status page. "
    "I would have engineering roll back the latest release within fifteen minutes to restore "
    "service for everyone, and turn off the new feature with its flag if the rollback fails. "
    "I would post an apology on the status page and send updates every 30 minutes, and brief "
    "support and leadership in one war room led by an incident commander. Afterwards we would "
    "run a blameless postmortem with a timeline to find the root cause, with an owner for each "
    "action. We would add regression tests, a canary rollout market by market and alerts on "
    "error rates."
)
# A reply that shows the recovery metrics an interviewer asks about, with numbers and owners.
METRICS_REPLY = (
    "I would watch the error rate and the checkout success rate until both are back at their "
    "baseline, and track daily active users and logins for two weeks against the same weeks last "
    "month. Support tickets should fall back to normal within 48 hours, and I would check that "
    "app store ratings and NPS recover within a month, which tells us trust is coming back."
)


@pytest.fixture
def candidate(client, auth):
    auth.register_candidate()
    return client


def weakest(app, attempt: int) -> dict:
    """The attempt's weakest criterion as stored: lowest level, ties to the higher weight."""
    with app.app_context(), db.session() as session:
        stored = session.exec(select(Score).where(Score.attempt_id == attempt)).one()
    return min(stored.criteria, key=lambda c: (c["score"], -c["weight"]))


def answer(client, attempt: int, text: str, **extra: str):
    token = csrf_from(client.get(f"/attempts/{attempt}").text)
    return client.post(
        f"/attempts/{attempt}/follow-up", data={"reply": text, "csrf_token": token, **extra}
    )


def follow_ups(app, attempt: int) -> list[FollowUp]:
    with app.app_context(), db.session() as session:
        return list(session.exec(select(FollowUp).where(FollowUp.attempt_id == attempt)).all())


def test_the_result_offers_the_rubrics_follow_up_for_the_weakest_criterion(app, candidate):
    attempt = attempt_id(submit(candidate, ANSWER))
    weak = weakest(app, attempt)
    page = candidate.get(f"/attempts/{attempt}").text
    assert f"<q>{html.escape(FOLLOW_UPS[weak['id']])}</q>" in page
    assert f"Your weakest criterion here is <strong>{html.escape(weak['title'])}</strong>" in page
    assert 'name="reply"' in page and 'maxlength="2000"' in page
    assert 'href="#follow-up">Answer the follow-up</a>' in page  # offered as the next step
    assert follow_ups(app, attempt) == []  # nothing is stored until it is answered


def test_a_reply_is_scored_on_that_criterion_alone_and_shown_before_and_after(app, candidate):
    attempt = attempt_id(submit(candidate, ANSWER))
    weak = weakest(app, attempt)
    assert weak["id"] == "metrics"  # the answer names alerts on error rates, and no more
    with app.app_context(), db.session() as session:
        before = session.exec(select(Score).where(Score.attempt_id == attempt)).one().model_dump()

    response = answer(candidate, attempt, METRICS_REPLY)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/attempts/{attempt}#follow-up"

    [stored] = follow_ups(app, attempt)
    assert (stored.criterion_id, stored.source, stored.quote) == ("metrics", "rubric", None)
    assert stored.question == FOLLOW_UPS["metrics"]
    assert stored.level_before == weak["score"]
    assert stored.level_after > stored.level_before  # the reply shows what the answer lacked
    assert [c["id"] for c in [stored.report]] == ["metrics"] and stored.engine_version
    assert stored.answer_text == METRICS_REPLY and stored.answered_at is not None

    page = candidate.get(f"/attempts/{attempt}").text
    assert "Before, in your answer" in page and "After the follow-up" in page
    assert f"{stored.level_before}/4" in page and f"{stored.level_after}/4" in page
    start, end = stored.report["evidence"][0]
    assert f"<li><q>{html.escape(METRICS_REPLY[start:end])}</q></li>" in page
    assert 'name="reply"' not in page.split('id="follow-up"')[1]  # no second box
    with app.app_context(), db.session() as session:
        after = session.exec(select(Score).where(Score.attempt_id == attempt)).one().model_dump()
    assert after == before  # the score of record never changes


def test_the_same_reply_always_gets_the_same_level(app, client):
    auth = AuthActions(client)
    levels = []
    for email in ("first@example.com", "second@example.com"):
        auth.register(email)
        attempt = attempt_id(submit(client, ANSWER))
        answer(client, attempt, METRICS_REPLY)
        [stored] = follow_ups(app, attempt)
        levels.append((stored.level_after, stored.report))
        auth.logout()
    assert levels[0] == levels[1]


def test_a_reply_about_something_else_stays_weak_and_shows_the_tip(app, candidate):
    attempt = attempt_id(submit(candidate, ANSWER))
    answer(candidate, attempt, "I enjoy long walks in the hills with my dog on Sunday mornings.")
    [stored] = follow_ups(app, attempt)
    assert stored.level_after == 0
    page = candidate.get(f"/attempts/{attempt}").text
    assert "No sentence of the reply showed this criterion yet." in page
    assert f"Still to add:</strong> {html.escape(stored.report['tip'])}" in page


def test_answering_again_replaces_nothing(app, candidate):
    attempt = attempt_id(submit(candidate, ANSWER))
    answer(candidate, attempt, METRICS_REPLY)
    token = csrf_from(candidate.get(f"/attempts/{attempt}").text)
    again = candidate.post(
        f"/attempts/{attempt}/follow-up",
        data={"reply": "A second, different reply.", "csrf_token": token},
    )
    assert again.status_code == 302
    [stored] = follow_ups(app, attempt)
    assert stored.answer_text == METRICS_REPLY
    page = candidate.get(f"/attempts/{attempt}").text
    assert "This answer&#39;s follow-up was answered already" in page
    assert "A second, different reply." not in page and html.escape(METRICS_REPLY) in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write your reply to the follow-up question before sending it."),
        ("   \n  ", "Write your reply to the follow-up question before sending it."),
        ("word " * 500, "Keep your reply under 2,000 characters."),
    ],
)
def test_an_empty_or_overlong_reply_says_what_is_wrong(app, candidate, text, message):
    attempt = attempt_id(submit(candidate, ANSWER))
    response = answer(candidate, attempt, text)
    assert response.status_code == 400
    assert f'<span class="error">{message}</span>' in response.text
    assert 'id="follow-up-help"' in response.text  # beside the reply's box, on the result page
    assert follow_ups(app, attempt) == []


def test_a_reply_without_a_csrf_token_is_refused(app, candidate):
    attempt = attempt_id(submit(candidate, ANSWER))
    response = candidate.post(f"/attempts/{attempt}/follow-up", data={"reply": "x y z"})
    assert response.status_code == 400
    assert follow_ups(app, attempt) == []


def test_only_the_owner_sees_or_answers_the_follow_up(app, client, auth):
    auth.register_candidate("owner@example.com")
    attempt = attempt_id(submit(client, ANSWER))
    answer(client, attempt, METRICS_REPLY)
    auth.logout()

    anonymous_post = client.post(f"/attempts/{attempt}/follow-up", data={"reply": "x"})
    assert anonymous_post.status_code in (302, 400)
    assert client.get(f"/attempts/{attempt}/follow-up").status_code == 302  # to log in

    auth.register("other@example.com")
    assert client.get(f"/attempts/{attempt}/follow-up").status_code == 404
    token = csrf_from(client.get("/").text)
    stolen = client.post(
        f"/attempts/{attempt}/follow-up", data={"reply": "Mine now.", "csrf_token": token}
    )
    assert stolen.status_code == 404
    [stored] = follow_ups(app, attempt)
    assert stored.answer_text == METRICS_REPLY


def test_the_follow_up_section_alone_is_the_same_as_on_the_page(app, candidate):
    attempt = attempt_id(submit(candidate, ANSWER))
    section = candidate.get(f"/attempts/{attempt}/follow-up")
    assert section.status_code == 200 and 'data-state="offered"' in section.text
    assert html.escape(FOLLOW_UPS["metrics"]) in section.text


# AI-tailored follow-ups, through the real openai client and a stand-in server on 127.0.0.1.

QUOTE = "alerts on error rates"
ADVICE = {
    "summary": "A calm plan that restores service first.",
    "criteria": [
        {
            "id": "metrics",
            "good": "",
            "good_quote": "",
            "add": "Name the numbers that prove recovery.",
            "add_quote": "",
            "level": 1,
        }
    ],
    "rewrite": "",
    "follow_up": {
        "criterion": "metrics",
        "question": "You would add alerts on error rates. Which level of error rate tells you the "
        "incident is over, and what else would you watch to know users trust you again?",
        "quote": QUOTE,
    },
}


standin = feedback_flow.standin  # the stand-in OpenAI server
feedback_app = feedback_flow.feedback_app
wait_for_feedback = feedback_flow.wait_for_feedback


@pytest.fixture
def ai_app(feedback_app):
    """The app with AI feedback on, through the stand-in server (test_feedback_flow's)."""
    return feedback_app


@pytest.fixture
def ai_candidate(ai_app):
    client = ai_app.test_client()
    AuthActions(client).register_candidate()
    return client


def feedback_written(client, attempt: int) -> str:
    """The feedback panel once it is no longer pending."""
    status, html = wait_for_feedback(client, attempt)
    assert status != "pending", "the feedback was still pending"
    return html


def test_an_ai_follow_up_grounded_in_the_answer_is_offered_and_scored(
    ai_app, ai_candidate, standin
):
    standin.script(Reply(body=completion(json.dumps(ADVICE))))
    attempt = attempt_id(submit(ai_candidate, ANSWER))
    assert "A calm plan" in feedback_written(ai_candidate, attempt)
    [request] = standin.requests
    schema = request.body["response_format"]["json_schema"]["schema"]
    assert "follow_up" in schema["required"] and "follow_up" in request.message("system")

    section = ai_candidate.get(f"/attempts/{attempt}/follow-up").text
    assert html.escape(ADVICE["follow_up"]["question"]) in section
    assert f"picking up your words <q>{QUOTE}</q>" in section
    assert 'name="source" type="hidden" value="ai"' in section

    token = csrf_from(section)
    ai_candidate.post(
        f"/attempts/{attempt}/follow-up",
        data={"reply": METRICS_REPLY, "source": "ai", "csrf_token": token},
    )
    [stored] = follow_ups(ai_app, attempt)
    assert (stored.source, stored.quote, stored.criterion_id) == ("ai", QUOTE, "metrics")
    assert stored.question == ADVICE["follow_up"]["question"]
    assert stored.level_after > stored.level_before
    page = ai_candidate.get(f"/attempts/{attempt}").text
    assert f"Asked by the AI coach about your words <q>{QUOTE}</q>" in page


@pytest.mark.parametrize(
    "follow_up",
    [
        {
            "criterion": "metrics",
            "question": "What did you mean by that?",
            "quote": "we paid users",
        },
        {"criterion": "charisma", "question": "How charming were you there?", "quote": QUOTE},
        {"criterion": "metrics", "question": "Why " * 100, "quote": QUOTE},
        {"criterion": "metrics", "question": "", "quote": QUOTE},
        "not an object",
    ],
    ids=["quote-not-in-answer", "unknown-criterion", "too-long", "empty", "malformed"],
)
def test_an_invalid_ai_follow_up_is_dropped_and_the_feedback_stands(
    ai_app, ai_candidate, standin, follow_up
):
    standin.script(Reply(body=completion(json.dumps(ADVICE | {"follow_up": follow_up}))))
    attempt = attempt_id(submit(ai_candidate, ANSWER))
    panel = feedback_written(ai_candidate, attempt)
    assert 'data-status="ok"' in panel and "A calm plan" in panel
    section = ai_candidate.get(f"/attempts/{attempt}/follow-up").text
    assert html.escape(FOLLOW_UPS["metrics"]) in section  # the rubric's own, instead
    assert 'value="rubric"' in section and "AI coach" not in section


# Coaches write follow-ups in the rubric editor, as YAML or as the form; the diff shows them.

NEW_FOLLOW_UP = "Two weeks on, which three numbers would you put in front of the CEO, and why?"


def test_a_coachs_follow_up_round_trips_through_the_editor_the_diff_and_the_result(
    app, client, auth
):
    from tests.web.test_rubrics import SHIPPED, autosave, coach_client, form_fields, press
    from tests.web.test_rubrics import start_draft as start_rubric_draft

    coach = coach_client(app)
    draft_id, text, revision = start_rubric_draft(coach)
    content = yaml.safe_load(text)
    [metrics] = [c for c in content["criteria"] if c["id"] == "metrics"]
    assert metrics["follow_up"] == FOLLOW_UPS["metrics"]  # the draft starts from the live one
    metrics["follow_up"] = NEW_FOLLOW_UP
    edited = yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=1000)
    saved = autosave(coach, draft_id, edited, revision)
    assert saved.status_code == 200 and saved.json["problems"] == []
    assert html.escape(NEW_FOLLOW_UP) in saved.json["preview"]

    # The form view shows it in its own field, and saving the form keeps it.
    form_page = coach.get(f"/coach/drafts/{draft_id}/form").text
    fields = dict(form_fields(form_page))
    metrics_id = next(k for k, v in fields.items() if k.endswith("-id") and v == "metrics")
    assert fields[metrics_id.replace("-id", "-follow_up")].strip() == NEW_FOLLOW_UP
    assert coach.post(f"/coach/drafts/{draft_id}/form", data=fields).status_code == 302

    press(coach, f"/coach/drafts/{draft_id}", f"/coach/drafts/{draft_id}/publish")
    diff = coach.get(f"/coach/rubrics/incident-response/diff?old={SHIPPED}&new={SHIPPED + 1}").text
    assert "Criterion metrics" in diff and "<code>follow_up</code>" in diff
    assert f"<del>{html.escape(FOLLOW_UPS['metrics'])}</del> → " in diff
    assert f"<ins>{html.escape(NEW_FOLLOW_UP)}</ins>" in diff
    assert "Criterion clarify" not in diff  # nothing else changed
    exported = coach.get(f"/rubrics/incident-response/v{SHIPPED + 1}.yaml").text
    assert f"follow_up: {NEW_FOLLOW_UP}" in exported
    assert html.escape(NEW_FOLLOW_UP) in client.get("/rubrics/incident-response").text

    auth.register("candidate@example.com")
    attempt = attempt_id(submit(client, ANSWER))  # scored against the new version
    assert html.escape(NEW_FOLLOW_UP) in client.get(f"/attempts/{attempt}/follow-up").text


def test_coach_init_gives_an_existing_database_the_rubrics_with_follow_ups(empty_app, tmp_path):
    """A database loaded before follow-ups existed gets a new version of every shipped rubric."""
    from app.bank.service import live_rubric_version, load_shipped_content
    from pm_scoring.rubric import SHIPPED_RUBRICS_DIR

    before = tmp_path / "rubrics-before-follow-ups"
    before.mkdir()
    for path in SHIPPED_RUBRICS_DIR.glob("*.yaml"):
        version = load_rubric(path).version
        text = path.read_text().replace(f"\nversion: {version}\n", f"\nversion: {version - 1}\n")
        lines = text.splitlines(keepends=True)
        (before / path.name).write_text("".join(x for x in lines if "follow_up:" not in x))
    with empty_app.app_context():
        db.upgrade_schema()
        with db.session() as session:
            load_shipped_content(session, rubrics_dir=before)

    result = empty_app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0 and "10 rubric version(s) added" in result.output
    with empty_app.app_context(), db.session() as session:
        for path in SHIPPED_RUBRICS_DIR.glob("*.yaml"):
            shipped = load_rubric(path)
            live = live_rubric_version(session, shipped.id)
            assert live.version == shipped.version  # the file's number, bumped for the change
            assert all(c["follow_up"] for c in live.content["criteria"])
    again = empty_app.test_cli_runner().invoke(args=["init"])
    assert "nothing changed" in again.output


def test_a_candidate_who_answered_a_follow_up_can_still_delete_their_account(app, candidate):
    from tests.web.test_account import delete_through_the_page

    attempt = attempt_id(submit(candidate, ANSWER))
    answer(candidate, attempt, METRICS_REPLY)
    deleted = delete_through_the_page(candidate, "candidate@example.com")
    assert deleted.status_code == 302, deleted.text
    assert follow_ups(app, attempt) == []  # gone with the attempt it followed up


def test_an_answer_scored_before_follow_ups_existed_gets_the_live_versions(app, candidate):
    from app.bank.service import store_rubric
    from pm_scoring import parse_rubric

    content = OUTAGE_RUBRIC.to_dict()
    without = content | {"criteria": [c | {"follow_up": None} for c in content["criteria"]]}
    with app.app_context(), db.session() as session:
        old = store_rubric(session, parse_rubric(without))
        session.commit()
    attempt = attempt_id(submit(candidate, ANSWER))
    with app.app_context(), db.session() as session:
        stored = session.exec(select(Score).where(Score.attempt_id == attempt)).one()
        assert stored.rubric_version_id == old.id  # scored by the version with no follow-ups
        store_rubric(session, parse_rubric(content | {"description": "Now with follow-ups."}))
        session.commit()

    answer(candidate, attempt, METRICS_REPLY)
    [follow_up] = follow_ups(app, attempt)
    assert follow_up.question == FOLLOW_UPS["metrics"]
    assert follow_up.level_before == weakest(app, attempt)["score"]
