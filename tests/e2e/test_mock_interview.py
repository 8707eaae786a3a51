"""A mock interview in a real browser: start, answer three questions, close the tab halfway,
come back to the same question with its text, finish, read the report.

The app runs on a real HTTP server (see conftest.py) with autosave every second; waits are for
states (an element, a value, a row), never fixed times.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect
from sqlmodel import select

from app.extensions import db
from app.models import Attempt, MockInterview, MockQuestion, MockStatus, User
from tests.e2e.test_candidate_journey import sign_up

EMAIL = "mock@example.com"
ANSWERS = [
    "Last year I led the launch of a checkout redesign with four engineers. The deadline slipped "
    "by two weeks when the payment vendor changed its API. I met the vendor, cut two minor "
    "features and told leadership the new date. We shipped in April and conversion rose by 6%.",
    "I owned our onboarding flow when activation fell. I interviewed ten new users, found the "
    "sign-up form asked for too much, and ran an experiment with a shorter form.",
    "A senior engineer and I disagreed about rewriting the search service. I asked for the data "
    "behind both views, we agreed a two-week spike, and the numbers settled it.",
]
LATER_PART = " Activation rose from 41% to 48% within a month."


def mock_rows(live_server, email: str) -> tuple[MockInterview, list[MockQuestion]]:
    with live_server.app.app_context(), db.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        mock = session.exec(select(MockInterview).where(MockInterview.user_id == user.id)).one()
        items = session.exec(
            select(MockQuestion)
            .where(MockQuestion.mock_id == mock.id)
            .order_by(MockQuestion.position)
        ).all()
        return mock, list(items)


def expect_stored_answer(live_server, position: int, text: str, timeout: float = 10) -> None:
    """The server comes to hold `text` as the answer to question `position`; each commit on the
    server is a moment to look again."""
    deadline = time.monotonic() + timeout
    while True:
        seen = live_server.commits
        found = mock_rows(live_server, EMAIL)[1][position - 1].answer_text
        if found == text or not live_server.wait_for_commit(seen, deadline - time.monotonic()):
            break
    assert found == text


def test_a_mock_interview_survives_a_closed_tab_and_ends_in_a_report(context, live_server):
    page: Page = context.new_page()
    sign_up(page, EMAIL)
    page.get_by_role("link", name="Mock interviews").click()
    page.get_by_role("link", name="Start a mock interview").click()
    page.get_by_label("How many questions").fill("3")
    page.get_by_label("Type").select_option("behavioral")
    page.get_by_role("button", name="Start", exact=True).click()

    box, status = page.get_by_role("textbox", name="Your answer"), page.locator("#save-status")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Question 1 of 3")
    expect(page.locator("#mock-timer")).to_have_text(re.compile(r"^\d+:\d\d left of \d+:00$"))
    expect(page.locator(".score-badge")).to_have_count(0)  # no scores until the end
    box.fill(ANSWERS[0])
    page.get_by_role("button", name="Next question").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Question 2 of 3")
    expect(box).to_have_value("")
    box.fill(ANSWERS[1])
    expect(status).to_have_text("Saved")
    expect_stored_answer(live_server, 2, ANSWERS[1])
    # More typed, and the tab closed straight away: the browser's copy keeps it.
    box.press_sequentially(LATER_PART, delay=5)
    page.close()

    page = context.new_page()
    page.goto("/mock")
    expect(page.get_by_role("cell", name="In progress: question 2 of 3")).to_be_visible()
    page.get_by_role("link", name="Resume").click()
    box, status = page.get_by_role("textbox", name="Your answer"), page.locator("#save-status")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Question 2 of 3")
    expect(box).to_have_value(ANSWERS[1] + LATER_PART)
    expect(status).to_have_text("Saved")  # whatever the server lacked is sent again
    expect_stored_answer(live_server, 2, ANSWERS[1] + LATER_PART)
    page.get_by_role("button", name="Next question").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Question 3 of 3")
    box.fill(ANSWERS[2])
    page.get_by_role("button", name="Finish the interview").click()

    expect(page).to_have_url(re.compile(r"/mock/\d+/report$"))
    expect(page.get_by_role("heading", name="Each answer")).to_be_visible()
    mock, items = mock_rows(live_server, EMAIL)
    assert mock.status == MockStatus.FINISHED
    assert [item.answer_text for item in items] == [ANSWERS[0], ANSWERS[1] + LATER_PART, ANSWERS[2]]
    assert all(item.attempt_id for item in items)
    answers = page.locator("table.mock-answers tbody tr")
    expect(answers).to_have_count(3)
    for item, row in zip(items, answers.all(), strict=True):
        link = row.get_by_role("link", name=re.compile(r"^Score \d{1,3} of 100"))
        expect(link).to_have_attribute("href", f"/attempts/{item.attempt_id}")
        expect(row.locator("td").nth(3)).to_have_text(re.compile(r"^\d+:\d\d of \d+:00"))
    expect(page.get_by_role("heading", name="Weakest criteria in this interview")).to_be_visible()
    expect(page.locator("table.weakest tbody tr").first).to_contain_text(" of 4")
    expect(page.get_by_role("heading", name="What to practise next")).to_be_visible()
    # The browser's copies of the answers are cleared once the interview is over.
    page.wait_for_function(
        "() => !Object.keys(localStorage).some((k) => k.startsWith('coach-mock:'))"
    )

    answers.first.get_by_role("link", name=re.compile(r"^Score ")).click()
    expect(page).to_have_url(f"{live_server.url}/attempts/{items[0].attempt_id}")
    expect(page.locator(".score-badge").first).to_have_text(re.compile(r"^\d{1,3}/100$"))


def test_two_finish_posts_at_once_submit_each_answer_once(context, live_server):
    page: Page = context.new_page()
    sign_up(page, EMAIL)
    page.goto("/mock/new")
    page.get_by_label("How many questions").fill("4")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("textbox", name="Your answer").fill(ANSWERS[0])
    # "End the interview now" sent twice at the same moment (a double click, a resent form).
    replies = page.evaluate(
        """async () => {
             const form = document.getElementById("mock-form");
             const url = form.querySelector("button[formaction$='/finish']").formAction;
             const post = () => fetch(url, {method: "POST", body: new FormData(form),
                                            redirect: "manual"});
             return (await Promise.all([post(), post()])).map((reply) => reply.type);
           }"""
    )
    assert replies == ["opaqueredirect", "opaqueredirect"]  # both answered with a redirect

    page.goto(page.url + "/report")
    expect(page.get_by_role("heading", name="Each answer")).to_be_visible()
    rows = page.locator("table.mock-answers tbody tr")
    score = rows.first.get_by_role("link", name=re.compile(r"^Score \d{1,3} of 100"))
    expect(score).to_be_visible()
    expect(rows.nth(1)).to_contain_text("Not reached")
    mock, items = mock_rows(live_server, EMAIL)
    assert mock.status == MockStatus.FINISHED
    with live_server.app.app_context(), db.session() as session:
        attempts = session.exec(select(Attempt).where(Attempt.user_id == mock.user_id)).all()
    assert [a.id for a in attempts] == [items[0].attempt_id]
    assert attempts[0].answer_text == ANSWERS[0]


def test_the_interview_works_with_javascript_off(new_context, live_server):
    page: Page = new_context(java_script_enabled=False).new_page()
    sign_up(page, EMAIL)
    page.goto("/mock/new")
    page.get_by_role("button", name="Start the loop").click()  # the first loop, as listed
    box = page.get_by_role("textbox", name="Your answer")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Question 1 of 3")
    box.fill(ANSWERS[0])
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Answer saved.")).to_be_visible()
    expect(box).to_have_value(ANSWERS[0])
    page.get_by_role("button", name="Next question").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Question 2 of 3")
    page.get_by_role("button", name="End the interview now").click()

    expect(page).to_have_url(re.compile(r"/mock/\d+/report$"))
    rows = page.locator("table.mock-answers tbody tr")
    expect(
        rows.first.get_by_role("link", name=re.compile(r"^Score \d{1,3} of 100"))
    ).to_be_visible()
    expect(rows.nth(1)).to_contain_text("Not answered.")
    expect(rows.nth(2)).to_contain_text("Not reached")
    mock, items = mock_rows(live_server, EMAIL)
    assert mock.loop == "meta-pm" and items[0].answer_text == ANSWERS[0]
