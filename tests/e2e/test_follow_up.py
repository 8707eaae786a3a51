"""The follow-up question in a real browser: submit an answer, see the follow-up offered for its
weakest criterion, answer it, and read the criterion before and after; with AI feedback on, the
page swaps in the AI's tailored follow-up once the feedback arrives."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from pm_scoring import load_rubric
from tests.e2e.conftest import TIMEOUT_MS, LiveServer
from tests.feedback.standin import Reply, StandIn, completion
from tests.web.test_follow_ups import ADVICE, ANSWER, METRICS_REPLY, QUOTE

PASSWORD = "correct horse battery"
METRICS_FOLLOW_UP = next(
    c.spec.follow_up for c in load_rubric("incident-response").criteria if c.spec.id == "metrics"
)


def sign_up(page: Page, email: str) -> None:
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_candidate_answers_the_follow_up_and_sees_the_criterion_before_and_after(page: Page):
    sign_up(page, "follow-up@example.com")
    page.goto("/questions/worldwide-outage")
    page.locator("textarea[name=answer_text]").fill(ANSWER)
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))

    follow_up = page.locator("#follow-up")
    expect(follow_up.locator(".follow-up-question")).to_have_text(METRICS_FOLLOW_UP)
    next_step = page.locator("#next-step")
    expect(next_step.locator(".practise-next")).to_contain_text("your weakest criterion")
    next_step.get_by_role("link", name="Answer the follow-up").click()
    expect(page).to_have_url(re.compile(r"#follow-up$"))

    page.get_by_label("Your reply").fill(METRICS_REPLY)
    page.get_by_role("button", name="Answer the follow-up").click()

    expect(page.get_by_text("Follow-up scored")).to_be_visible()
    expect(follow_up.locator(".follow-up-before")).to_contain_text("1/4")
    expect(follow_up.locator(".follow-up-after")).to_contain_text("4/4")
    expect(follow_up.locator(".follow-up-evidence li")).not_to_have_count(0)
    expect(follow_up.get_by_label("Your reply")).to_have_count(0)  # answered once, for good
    expect(next_step).to_contain_text("went from 1/4 to 4/4")


@pytest.fixture
def ai_server(tmp_path, seeded_database, monkeypatch) -> Iterator[tuple[LiveServer, StandIn]]:
    """The live server with AI feedback on, against a stand-in OpenAI server on 127.0.0.1."""
    import tests.e2e.conftest as e2e

    with StandIn() as standin:
        plain = e2e.make_app
        ai_config = {
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": standin.base_url,
            "LLM_TIMEOUT": 5,
            "LLM_MAX_RETRIES": 0,
        }
        # LiveServer builds its app (on every start) with the e2e conftest's make_app: give that
        # app the AI settings, as a server configured with a key would have.
        monkeypatch.setattr(
            e2e, "make_app", lambda instance, **config: plain(instance, **config, **ai_config)
        )
        instance = tmp_path / "instance"
        instance.mkdir()
        shutil.copy(seeded_database, instance / "coach.db")
        server = LiveServer(instance)
        server.start()
        try:
            yield server, standin
        finally:
            server.stop()


def test_the_ai_follow_up_replaces_the_rubrics_once_the_feedback_arrives(browser, ai_server):
    server, standin = ai_server
    # The model takes a moment: the result page shows the rubric's follow-up first.
    standin.script(Reply(body=completion(json.dumps(ADVICE)), delay=3))
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_up(page, "ai-follow-up@example.com")
        page.goto("/questions/worldwide-outage")
        page.locator("textarea[name=answer_text]").fill(ANSWER)
        page.get_by_role("button", name="Submit for scoring").click()
        expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
        question = page.locator("#follow-up .follow-up-question")
        expect(question).to_have_text(METRICS_FOLLOW_UP)

        expect(question).to_have_text(ADVICE["follow_up"]["question"], timeout=15_000)
        expect(page.locator("#follow-up")).to_contain_text(f"picking up your words {QUOTE}")
        page.get_by_label("Your reply").fill(METRICS_REPLY)
        page.get_by_role("button", name="Answer the follow-up").click()
        expect(page.locator("#follow-up .follow-up-source")).to_contain_text(QUOTE)
        expect(page.locator("#follow-up .follow-up-after")).to_contain_text("4/4")
    finally:
        context.close()
