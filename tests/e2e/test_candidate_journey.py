"""A candidate's journey through a real browser: sign up, answer, lose nothing, read the score.

Each test is one short story against the app served over HTTP (see conftest.py), with autosave
every second. Waits are explicit (`expect`, or polling the database up to a deadline), never
fixed sleeps.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from app.extensions import db
from app.models import AttemptStatus, User
from app.practice.services import current_draft, drafts_for, get_question

QUESTION = "/questions/worldwide-outage"
PASSWORD = "correct horse battery"

ROLLBACK = (
    "My first priority is to restore service, so we roll back the release to the last known "
    "good build straight away."
)
ANSWER = "\n\n".join(
    [
        "Before acting I would ask which product is down, what users see, since when it has "
        "been failing, and which platforms and markets are affected. Say logins have failed for "
        "forty minutes on web, iOS and Android in every region.",
        "I would open a war room with an incident commander, engineering, support and comms. "
        "We would check what changed: a recent release, a config change, or an external cause "
        "such as our cloud provider or identity vendor.",
        ROLLBACK + " If that does not help we fail over to the secondary region.",
        "Within thirty minutes we post on the status page and social media, acknowledge the "
        "problem and apologise, then update users every 30 minutes and brief support and "
        "leadership.",
        "Once service is back I would run a blameless postmortem with a timeline and the root "
        "cause, and give every follow-up an owner. To prevent a repeat we add automated tests, "
        "canary releases to one market first and alerts on the login success rate.",
        "Recovery means login success and error rates back to baseline, daily actives back on "
        "trend, support tickets falling, and NPS and churn steady over the next weeks.",
    ]
)
OFFLINE_PART = " While the train was in a tunnel I added this sentence about the rollback."
DOWNTIME_PART = " I typed this line while the server was being restarted."

SAVED = re.compile(r"^Draft saved")
# As the page shows it on load, in local time: the draft came from the server, not this device.
SAVED_BY_SERVER = re.compile(r"^Draft saved \d\d?:\d\d( [AP]M)?$")
NOT_SAVED = re.compile(r"^Not saved to the server yet")
SUBMIT_WAIT_MS = 15_000  # a stalled save is given up after 10 s


def words(text: str) -> str:
    count = len(text.split())
    return f"{count} word" if count == 1 else f"{count} words"


def sign_up(page: Page, email: str) -> None:
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome! Pick a question to practise.")).to_be_visible()


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def answer_box(page: Page):
    return page.locator("textarea[name=answer_text]")


def submit_answer(page: Page, text: str) -> str:
    """Answer the outage question and submit it; returns the result page's URL."""
    page.goto(QUESTION)
    answer_box(page).fill(text)
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    # Its scripts have run (the result page drops the device's copies of the answer it shows):
    # a test that goes back at once would otherwise race them.
    page.wait_for_load_state("load")
    return page.url


def device_copy(page: Page) -> dict | None:
    """What this device keeps of the draft this page edits (one copy per draft key)."""
    return page.evaluate(
        """() => { const form = document.getElementById('answer-form');
             return JSON.parse(localStorage.getItem(form.dataset.storageKey + ':' +
               form.querySelector('input[name=draft_key]').value)); }"""
    )


def draft_key(page: Page) -> str:
    return page.locator("input[name=draft_key]").input_value()


def wait_until_ready(page: Page) -> None:
    """The page's script has chosen its draft and restored or offered this device's copies."""
    expect(page.locator("#answer-form[data-ready]")).to_be_attached()


def stored_draft(live_server, email: str) -> str | None:
    """The draft the server holds for this candidate, read through the app's services."""
    with live_server.app.app_context(), db.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        draft = current_draft(session, user.id, get_question(session, "worldwide-outage").id)
        assert draft is None or draft.status == AttemptStatus.DRAFT
        return None if draft is None else draft.answer_text


def test_draft_survives_a_reload_and_the_result_highlights_evidence(page: Page):
    sign_up(page, "ada@example.com")
    page.goto(QUESTION)
    box, count, status = answer_box(page), page.locator("#word-count"), page.locator("#save-status")
    expect(count).to_have_text("0 words")
    expect(status).to_have_text("")

    box.press_sequentially("Before acting")  # real key presses: the count follows each word
    expect(count).to_have_text("2 words")
    box.fill(ANSWER)
    expect(count).to_have_text(words(ANSWER))
    expect(status).to_have_text(SAVED)

    page.reload()
    expect(box).to_have_value(ANSWER)
    expect(status).to_have_text(SAVED_BY_SERVER)  # the server's draft, not this device's copy
    expect(count).to_have_text(words(ANSWER))

    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.locator(".score-badge")).to_have_text(re.compile(r"^\d{1,3}/100$"))

    toggle = page.locator("button.criterion-toggle[data-criterion=mitigation]")
    expect(toggle).to_contain_text("Restores service first")
    expect(page.locator("mark.evidence.active")).to_have_count(0)
    unhighlighted = page.locator("mark.evidence").first.evaluate(
        "mark => getComputedStyle(mark).backgroundColor"
    )
    assert unhighlighted == "rgba(0, 0, 0, 0)"  # nothing is highlighted until one is chosen
    mitigation = page.locator("#criterion-mitigation")
    expect(mitigation.locator(".concepts")).to_contain_text("rollback")  # what counted, and why
    expect(mitigation.locator(".arithmetic")).to_contain_text("points that reach 4/4")
    expect(page.locator(".overall-arithmetic")).to_contain_text("the criteria, weighted, give")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    active = page.locator("mark.evidence.active")
    expect(active.first).to_be_visible()
    expect(active.filter(has_text=ROLLBACK)).to_have_count(1)
    for criteria in active.evaluate_all("marks => marks.map(m => m.dataset.criteria)"):
        assert "mitigation" in criteria.split()  # only this criterion's sentences light up
    expect(mitigation.locator(".level")).to_have_text(re.compile(r"\w+"))
    expect(mitigation.locator(".level, .tip").first).to_be_visible()
    toggle.click()  # a second click clears the highlight
    expect(page.locator("mark.evidence.active")).to_have_count(0)

    page.get_by_role("link", name="My progress").first.click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    page.wait_for_function(
        "() => { const c = document.getElementById('progress-chart');"
        " return typeof Chart !== 'undefined' && Chart.getChart(c) !== undefined"
        " && c.style.width !== '' && c.width > 0; }"  # the chart script may still be loading
    )
    criteria = page.get_by_role("table").filter(has_text="Average of 4")
    expect(criteria).to_contain_text("Restores service first")
    practise_next = page.get_by_role("heading", name="Practise next")
    expect(criteria.or_(practise_next).first).to_be_visible()


def answer_then_lose_the_network(page: Page, context, email: str):
    """A new candidate's answer, saved; then the network drops and they type on."""
    sign_up(page, email)
    page.goto(QUESTION)
    box, status = answer_box(page), page.locator("#save-status")
    box.fill(ANSWER)
    expect(status).to_have_text(SAVED)
    context.set_offline(True)
    box.press_sequentially(OFFLINE_PART)
    return box, status


def test_text_typed_offline_reaches_the_server_when_the_network_returns(
    page: Page, context, new_context, live_server
):
    _, status = answer_then_lose_the_network(page, context, "grace@example.com")
    expect(status).to_have_text(NOT_SAVED)
    expect(status).to_have_class("warn")
    assert device_copy(page)["text"] == ANSWER + OFFLINE_PART
    assert stored_draft(live_server, "grace@example.com") == ANSWER

    context.set_offline(False)
    expect(status).to_have_text(SAVED)
    expect(status).not_to_have_class("warn")
    assert stored_draft(live_server, "grace@example.com") == ANSWER + OFFLINE_PART

    elsewhere = new_context().new_page()  # another browser: no local copy to fall back on
    log_in(elsewhere, "grace@example.com")
    elsewhere.goto(QUESTION)
    expect(answer_box(elsewhere)).to_have_value(ANSWER + OFFLINE_PART)


def test_text_typed_while_the_server_restarts_is_not_lost(page: Page, live_server):
    sign_up(page, "linus@example.com")
    page.goto(QUESTION)
    box, status = answer_box(page), page.locator("#save-status")
    box.fill(ANSWER)
    expect(status).to_have_text(SAVED)

    live_server.stop()
    box.press_sequentially(DOWNTIME_PART)
    expect(status).to_have_text(NOT_SAVED)

    live_server.start()  # same port, same database file, a fresh app
    expect(status).to_have_text(SAVED)  # the next autosave gets through
    page.reload()  # the session cookie is still valid: the form is there, with the text
    expect(box).to_have_value(ANSWER + DOWNTIME_PART)
    expect(status).to_have_text(SAVED_BY_SERVER)
    assert stored_draft(live_server, "linus@example.com") == ANSWER + DOWNTIME_PART


def test_without_javascript_a_candidate_can_still_save_and_submit(new_context):
    page = new_context(java_script_enabled=False).new_page()
    sign_up(page, "tim@example.com")
    page.goto(QUESTION)
    answer_box(page).fill(ANSWER)

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page).to_have_url(re.compile(QUESTION + r"\?draft=\d+$"))  # the draft just saved
    expect(answer_box(page)).to_have_value(ANSWER)

    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.locator("h1")).to_have_text(re.compile(r"^Your score \d{1,3}/100$"))
    expect(page.locator("#criterion-mitigation .level")).to_be_visible()
    expect(page.locator("#answer-text")).to_contain_text(ROLLBACK)


def test_another_candidate_cannot_open_my_result(new_context):
    mine = new_context().new_page()
    sign_up(mine, "owner@example.com")
    result_url = submit_answer(mine, ANSWER)

    theirs = new_context().new_page()
    sign_up(theirs, "snoop@example.com")
    response = theirs.goto(result_url)
    assert response is not None and response.status == 404
    expect(theirs.get_by_role("heading", name="Not found")).to_be_visible()
    expect(theirs.locator("main")).not_to_contain_text("roll back the release")

    missing = theirs.goto("/attempts/999999")  # the same answer as for a result that does not exist
    assert missing is not None and missing.status == 404
    expect(mine.locator(".score-badge")).to_be_visible()  # the owner still sees it
    mine.reload()
    expect(mine.locator("#answer-text")).to_contain_text(ROLLBACK)


def test_a_submitted_answer_does_not_come_back_as_a_draft(page: Page, live_server):
    sign_up(page, "barbara@example.com")
    page.goto(QUESTION)
    stalled = []
    # A slow network: the autosave that clicking Submit starts never gets through.
    page.route("**/draft", lambda route: stalled.append(route))
    answer_box(page).fill(ANSWER)
    page.get_by_role("button", name="Submit for scoring").click()
    # Submit waits for that save (10 s at most), then goes ahead without it.
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"), timeout=SUBMIT_WAIT_MS)
    assert stalled, "clicking Submit should have started an autosave"
    page.unroute("**/draft")

    page.goto(QUESTION)  # start a fresh answer to the same question
    # The script decides what to restore before it first shows the timer: once the timer is
    # visible the decision is made, so the checks below need no waiting.
    expect(page.locator("#timer")).to_be_visible()
    assert answer_box(page).input_value() == "", "the submitted answer was restored as a draft"
    assert stored_draft(live_server, "barbara@example.com") is None


@pytest.mark.parametrize("way_back", ["open-again", "back-and-reload"])
def test_an_answer_whose_submission_failed_offline_comes_back(
    page: Page, context, live_server, way_back
):
    email = f"ada-{way_back}@example.com"
    box, status = answer_then_lose_the_network(page, context, email)
    with page.expect_event("framenavigated"):  # to the browser's own "no connection" page
        page.get_by_role("button", name="Submit for scoring").click(no_wait_after=True)
    assert page.url.startswith("chrome-error://")
    context.set_offline(False)
    if way_back == "open-again":
        page.goto(QUESTION)
        expect(status).to_have_text(re.compile("may not have got through"))
    else:
        page.go_back(wait_until="commit")  # the question page again
        expect(page).to_have_url(re.compile(QUESTION + "$"))
        expect(box).to_be_attached()
        page.reload()
    expect(box).to_have_value(ANSWER + OFFLINE_PART)
    expect(status).to_have_text(SAVED)  # the next autosave stores it on the server
    assert stored_draft(live_server, email) == ANSWER + OFFLINE_PART


def test_a_second_tab_keeps_its_answer_after_the_first_submits(page: Page, context, live_server):
    sign_up(page, "katherine@example.com")
    page.goto(QUESTION)
    answer_box(page).fill(ROLLBACK)
    expect(page.locator("#save-status")).to_have_text(SAVED)

    second = context.new_page()
    second.goto(QUESTION)  # the same draft, open in another tab: it starts a draft of its own
    expect(answer_box(second)).to_have_value(ROLLBACK)
    expect(second.locator("#save-status")).to_have_text(re.compile("open in another tab"))
    assert draft_key(second) != draft_key(page)
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))

    answer_box(second).fill(ANSWER)
    expect(second.locator("#save-status")).to_have_text(SAVED)
    expect(second.locator("#save-status")).to_contain_text("as a separate draft")
    assert stored_draft(live_server, "katherine@example.com") == ANSWER
    second.get_by_role("button", name="Submit for scoring").click()
    expect(second).to_have_url(re.compile(r"/attempts/\d+$"))
    assert second.url != page.url
    expect(second.locator("#answer-text")).to_contain_text("war room")


@pytest.mark.parametrize("choice", ["Use it instead", "Discard it"])
def test_older_text_on_this_device_is_offered_not_lost(page: Page, live_server, choice):
    """The server's draft is newer (written on another device), but this device kept other
    text: the page shows the server's draft and offers this device's text back."""
    email = f"mary-{choice.split()[0].lower()}@example.com"
    sign_up(page, email)
    page.goto(QUESTION)
    answer_box(page).fill(ANSWER)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    page.evaluate(  # a copy of this draft typed on a version the server has since replaced
        """() => { const form = document.getElementById('answer-form');
             const key = form.querySelector('input[name=draft_key]').value;
             localStorage.setItem(form.dataset.storageKey + ':' + key,
               JSON.stringify({key: key, version: 0, text: 'Words typed on the train last week.',
                               spent: 60, savedAt: Date.now() - 7 * 24 * 3600 * 1000})); }"""
    )
    page.reload()
    expect(answer_box(page)).to_have_value(ANSWER)
    offer = page.locator(".older-copy")
    expect(offer).to_contain_text("This device has other text for this answer")
    offer.get_by_role("button", name=choice).click()
    expect(offer).to_have_count(0)
    if choice == "Use it instead":
        expect(answer_box(page)).to_have_value("Words typed on the train last week.")
        expect(page.locator("#save-status")).to_have_text(SAVED)
        assert stored_draft(live_server, email) == "Words typed on the train last week."
    else:
        page.reload()
        expect(page.locator("#timer")).to_be_visible()  # the script has made its choices
        expect(page.locator(".older-copy")).to_have_count(0)
        assert stored_draft(live_server, email) == ANSWER


def expect_drafts(live_server, email: str, expected: list[str], timeout: float = 20) -> None:
    """The candidate's drafts become `expected`: a save the page reported, or one sent as a tab
    closed, may still be committing. Each commit on the server is a moment to look again."""
    deadline = time.monotonic() + timeout
    while True:
        seen = live_server.commits  # read first: a commit during the query is not missed
        found = drafts_of(live_server, email)
        if found == expected or not live_server.wait_for_commit(seen, deadline - time.monotonic()):
            break
    assert found == expected


def drafts_of(live_server, email: str) -> list[str]:
    """Every draft this candidate has of the outage question, newest first."""
    with live_server.app.app_context(), db.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        question = get_question(session, "worldwide-outage")
        return [draft.answer_text for draft in drafts_for(session, user.id, question.id)]


def test_two_tabs_on_one_draft_each_keep_their_text(page: Page, context, live_server):
    """The second tab opens the draft the first is editing: it gets a key of its own, so its
    text becomes a draft of its own, never overwriting the first tab's, and the page links to
    both."""
    sign_up(page, "hedy@example.com")
    page.goto(QUESTION)
    answer_box(page).fill(ROLLBACK)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    second = context.new_page()
    second.goto(QUESTION)
    expect(answer_box(second)).to_have_value(ROLLBACK)

    # The status still says the first text was saved: wait for the save of the new text.
    with page.expect_response(lambda response: response.url.endswith("/draft")):
        answer_box(page).fill(ANSWER)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect_drafts(live_server, "hedy@example.com", [ANSWER])
    answer_box(second).fill("The second tab's answer: we fail over to the other region.")
    expect(second.locator("#save-status")).to_have_text(SAVED)
    expect_drafts(
        live_server,
        "hedy@example.com",
        [
            "The second tab's answer: we fail over to the other region.",
            ANSWER,
        ],
    )

    page.reload()  # the newest draft in the form, the first tab's one a link away
    expect(answer_box(page)).to_have_value(re.compile("^The second tab's answer"))
    expect(page.locator(".older-copy")).to_have_count(0)
    page.locator(".other-drafts").get_by_role("link").click()
    expect(answer_box(page)).to_have_value(ANSWER)
    expect(page.locator("#timer")).to_be_visible()  # the script has made its choices:
    expect(page.locator(".older-copy")).to_have_count(0)  # each draft has its own device copy
    expect(page.locator(".other-drafts")).to_contain_text("1 other unfinished answer")


def test_a_slow_save_never_holds_up_submit_and_the_answer_does_not_come_back(
    page: Page, live_server
):
    """Submit goes at once, under the page's key, even with a save hanging on its way; the
    result page clears this device's copy, and the hung save, were it to arrive, would find
    the draft submitted: the answer never comes back as a draft."""
    sign_up(page, "radia@example.com")
    page.goto(QUESTION)
    held = []
    page.route("**/draft", lambda route: held.append(route))  # the server never answers it
    answer_box(page).fill(ROLLBACK)
    with page.expect_request("**/draft"):
        page.locator("#word-count").click()  # leaving the box saves: that save hangs
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.locator("#answer-text")).to_contain_text(ROLLBACK)
    for route in held:
        route.abort()  # the hung save never arrives
    page.unroute("**/draft")

    page.goto(QUESTION)
    wait_until_ready(page)
    expect(answer_box(page)).to_have_value("")
    expect(page.locator(".older-copy")).to_have_count(0)
    expect_drafts(live_server, "radia@example.com", [])


def lose_reply(route) -> None:
    route.fetch()  # the server saves it...
    route.abort()  # ...but the reply is lost on the way back


def type_on_after_an_unheard_save(page: Page, live_server, email: str) -> None:
    """A flaky network: the first autosave lands but its reply is lost, and no later one gets
    through (the newest route handles a request first, until it is used up), while the new
    candidate types on."""
    sign_up(page, email)
    page.goto(QUESTION)
    page.route("**/draft", lambda route: route.abort())
    page.route("**/draft", lose_reply, times=1)
    answer_box(page).fill(ROLLBACK)
    expect(page.locator("#save-status")).to_have_text(NOT_SAVED)
    expect_drafts(live_server, email, [ROLLBACK])  # landed, but the page never heard
    answer_box(page).press_sequentially(" Then we tell customers.")


def test_a_save_whose_reply_was_lost_is_recognised_not_duplicated(page: Page, live_server):
    """The server stored a save but its reply never arrived; the next save, based on the
    version before it, is the page's own continuation, not another tab's conflict."""
    sign_up(page, "barbara-liskov@example.com")
    page.goto(QUESTION)
    answer_box(page).fill(ROLLBACK)
    page.route("**/draft", lose_reply, times=1)
    expect(page.locator("#save-status")).to_have_text(NOT_SAVED)
    answer_box(page).press_sequentially(" Then we tell customers.")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect_drafts(
        live_server, "barbara-liskov@example.com", [ROLLBACK + " Then we tell customers."]
    )


def test_retyping_a_submitted_answer_says_so_and_saves_nothing(page: Page, live_server):
    sign_up(page, "frances@example.com")
    submit_answer(page, ROLLBACK)
    page.goto(QUESTION)
    answer_box(page).fill(ROLLBACK)  # pasted back in, word for word
    expect(page.locator("#save-status")).to_have_text(re.compile("already submitted"))
    expect_drafts(live_server, "frances@example.com", [])
    answer_box(page).press_sequentially(" And a new idea.")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect_drafts(live_server, "frances@example.com", [ROLLBACK + " And a new idea."])


def test_a_refused_submission_is_not_reported_as_lost_later(page: Page):
    """A submission the server refused (too long) said why on its page; coming back later, the
    text is restored as typed, not reported as a submission that may not have got through."""
    sign_up(page, "adele@example.com")
    page.goto(QUESTION)
    too_long = "word " * 10_001
    answer_box(page).fill(too_long)
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page.get_by_text(re.compile("the limit is 50,000"))).to_be_visible()
    expect(page.locator("#timer")).to_be_visible()  # the script has run on the refused page
    page.goto(QUESTION)
    expect(page.locator("#timer")).to_be_visible()
    expect(page.locator("#save-status")).to_have_text("Restored the text you typed on this device.")
    expect(answer_box(page)).to_have_value(too_long)


def test_a_tab_closed_straight_after_typing_keeps_its_text(page: Page, context, live_server):
    """Closing a tab sends what it had not saved yet, as the draft of its own it started (the
    first tab was editing the one it showed); the first tab then submits its own text, and the
    closed tab's draft stays."""
    email = "alan@example.com"
    sign_up(page, email)
    page.goto(QUESTION)
    answer_box(page).fill(ROLLBACK)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    second = context.new_page()
    second.goto(QUESTION)
    answer_box(second).fill(ANSWER)
    second.close(run_before_unload=True)  # before its next autosave
    # The closing tab's save is on its way; the candidate moves on once it has landed.
    expect_drafts(live_server, email, [ANSWER, ROLLBACK])
    page.bring_to_front()
    page.get_by_role("button", name="Submit for scoring").click()  # the first tab, unchanged
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.locator("#answer-text")).to_have_text(ROLLBACK)
    expect_drafts(live_server, email, [ANSWER])


def test_a_submission_after_unheard_saves_takes_over_their_draft(page: Page, live_server):
    email = "edsger@example.com"
    type_on_after_an_unheard_save(page, live_server, email)
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.locator("#answer-text")).to_contain_text("Then we tell customers.")
    expect_drafts(live_server, email, [])  # the draft became the attempt


def test_text_typed_after_an_unheard_save_comes_back_on_reload(page: Page, live_server):
    """The page on reload shows the draft that the unheard save wrote: the text typed after it
    belongs to that very version, so it is restored, not merely offered."""
    email = "tony@example.com"
    type_on_after_an_unheard_save(page, live_server, email)
    page.reload()
    expect(answer_box(page)).to_have_value(ROLLBACK + " Then we tell customers.")
    expect(page.locator(".older-copy")).to_have_count(0)
    page.unroute_all(behavior="ignoreErrors")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect_drafts(live_server, email, [ROLLBACK + " Then we tell customers."])


def hold_the_first_save(page: Page) -> list:
    """The page's first save is held on its way; every request after it goes straight
    through. Returns the held routes (one, once the page has saved)."""
    held: list = []
    page.route("**/draft", lambda route: route.continue_() if held else held.append(route))
    return held


def test_save_draft_racing_an_autosave_keeps_one_draft(page: Page, live_server):
    """Clicking "Save draft" leaves the box, which starts an autosave; the button's post goes at
    once with a newer version of the same draft, so whichever lands first, one draft holds the
    text, and the late autosave changes nothing."""
    email = "john@example.com"
    sign_up(page, email)
    page.goto(QUESTION)
    held = hold_the_first_save(page)
    answer_box(page).fill(ANSWER)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect_drafts(live_server, email, [ANSWER])
    late = page.request.post(  # the held save, as it would arrive now
        held[0].request.url,
        headers={**held[0].request.headers},
        data=held[0].request.post_data,
    )
    assert late.status == 200  # the same text, an older version: nothing changes
    expect_drafts(live_server, email, [ANSWER])
    expect(page.get_by_text(re.compile("separate draft"))).to_have_count(0)


def test_going_back_after_submitting_shows_the_page_afresh(page: Page, live_server):
    """Back from the result page: the submitted text must not linger as a new draft."""
    email = "donald@example.com"
    sign_up(page, email)
    submit_answer(page, ANSWER)
    page.go_back(wait_until="commit")  # the page may come from the browser's cache
    expect(page).to_have_url(re.compile(QUESTION + "$"))
    expect(answer_box(page)).to_have_value("")
    expect(page.locator("#save-status")).to_have_text("")
    page.goto(QUESTION)
    expect(page.locator("#timer")).to_be_visible()  # the script has made its choices
    expect(answer_box(page)).to_have_value("")
    expect(page.locator(".older-copy")).to_have_count(0)
    expect_drafts(live_server, email, [])


def test_without_storage_on_the_device_saves_still_reach_the_server(new_context, live_server):
    context = new_context()
    context.add_init_script(
        """Object.defineProperty(window, 'localStorage', {
             get() { throw new DOMException('Storage is disabled', 'SecurityError'); } });"""
    )
    page = context.new_page()
    email = "hopper@example.com"
    sign_up(page, email)
    page.goto(QUESTION)
    status = page.locator("#save-status")
    answer_box(page).fill(ROLLBACK)
    expect(status).to_have_text(SAVED)
    expect_drafts(live_server, email, [ROLLBACK])
    context.set_offline(True)
    answer_box(page).press_sequentially(" More.")
    expect(status).to_have_text(re.compile("cannot keep a copy"))
    expect(status).not_to_contain_text("kept on this device")


def test_a_duplicated_tab_keeps_a_device_copy_of_its_own(page: Page, context):
    sign_up(page, "ida@example.com")
    page.goto(QUESTION)
    expect(page.locator("#timer")).to_be_visible()
    original = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    duplicate = context.new_page()
    # What duplicating a tab does: the new tab starts with a copy of the session storage of
    # the old one, which is still open.
    duplicate.add_init_script(
        f"""if (!sessionStorage.length) Object.entries(JSON.parse({json.dumps(original)}))
              .forEach(([key, value]) => sessionStorage.setItem(key, value));"""
    )
    duplicate.goto(QUESTION)
    expect(duplicate.locator("#timer")).to_be_visible()
    wait_until_ready(duplicate)
    assert draft_key(duplicate) != draft_key(page)  # told apart as it loads
    context.set_offline(True)  # only the device copies are in play
    answer_box(duplicate).fill("The duplicate tab's own answer.")
    answer_box(page).fill(ANSWER)
    assert device_copy(page)["text"] == ANSWER
    assert device_copy(duplicate)["text"] == "The duplicate tab's own answer."


def test_a_long_answer_is_still_sent_as_the_tab_is_hidden(page: Page, live_server):
    """Browsers refuse a keepalive request over 64 KiB; a longer answer goes as a plain save."""
    email = "yukihiro@example.com"
    sign_up(page, email)
    page.clock.install()  # no autosave runs unless the test moves the clock on
    page.goto(QUESTION)
    long_answer = "Сначала восстановим сервис, потом объясним клиентам. " * 800
    assert len(long_answer) < 50_000 < 64 * 1024 < len(long_answer.encode())
    answer_box(page).fill(long_answer)
    with page.expect_response("**/draft") as saved:
        page.evaluate(
            """() => { Object.defineProperty(document, 'visibilityState',
                         { value: 'hidden', configurable: true });
                       document.dispatchEvent(new Event('visibilitychange')); }"""
        )
    assert saved.value.ok
    expect_drafts(live_server, email, [long_answer])


def test_back_to_a_page_from_the_cache_leaves_later_words_on_the_device(page: Page, context):
    """The question page, then My attempts, then the question again, where words are typed
    offline; Back twice brings the first page back from the browser's cache, in the same tab:
    its copy must not overwrite the words typed on the second visit."""
    sign_up(page, "niklaus@example.com")
    page.goto(QUESTION)
    answer_box(page).fill(ROLLBACK)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    page.get_by_role("link", name="My attempts").click()
    # Chrome keeps no page in its back/forward cache that was left before it finished loading
    # (its reason: "navigating"); offline, Back to that page would then fail.
    expect(page).to_have_url(re.compile(r"/attempts$"))
    page.wait_for_load_state("load")
    page.goto(QUESTION)
    expect(page.locator("#timer")).to_be_visible()
    context.set_offline(True)
    answer_box(page).press("End")
    answer_box(page).press_sequentially(" Typed offline on the second visit.")
    expect(page.locator("#save-status")).to_have_text(NOT_SAVED)
    page.go_back(wait_until="commit")
    page.go_back(wait_until="commit")  # from the browser's cache: no "load" event
    expect(page).to_have_url(re.compile(QUESTION + "$"))
    answer_box(page).press("End")
    answer_box(page).press_sequentially(" Typed on the first page.")
    kept = page.evaluate("() => Object.values(localStorage).join(' ')")
    assert "Typed offline on the second visit." in kept
    assert "Typed on the first page." in kept


def test_a_tab_duplicated_away_from_the_question_keeps_a_copy_of_its_own(page: Page, context):
    """Duplicated while it showed another page, the new tab's session storage says nothing of
    the question page: the two are told apart once both write."""
    sign_up(page, "barbara-l@example.com")
    page.goto(QUESTION)
    expect(page.locator("#timer")).to_be_visible()
    page.get_by_role("link", name="My attempts").click()
    original = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    duplicate = context.new_page()
    duplicate.add_init_script(
        f"""if (!sessionStorage.length) Object.entries(JSON.parse({json.dumps(original)}))
              .forEach(([key, value]) => sessionStorage.setItem(key, value));"""
    )
    for tab in (duplicate, page):
        tab.goto(QUESTION)
        expect(tab.locator("#timer")).to_be_visible()
    context.set_offline(True)
    answer_box(page).fill(ANSWER)
    answer_box(duplicate).fill("The duplicate tab's own answer.")
    answer_box(page).press_sequentially(" More.")
    assert device_copy(page)["text"] == ANSWER + " More."
    assert device_copy(duplicate)["text"] == "The duplicate tab's own answer."


def test_a_stalled_save_does_not_hold_up_the_saves_after_it(page: Page, live_server):
    """A connection that never answers: the page gives the save up after a while (ten seconds
    here) and saves again, instead of waiting on it for ever."""
    email = "vint@example.com"
    sign_up(page, email)
    page.goto(QUESTION)
    hold_the_first_save(page)  # for good
    answer_box(page).fill(ROLLBACK)
    status = page.locator("#save-status")
    expect(status).to_have_text(NOT_SAVED, timeout=SUBMIT_WAIT_MS)
    answer_box(page).press_sequentially(" Then we tell customers.")
    expect(status).to_have_text(SAVED)
    expect_drafts(live_server, email, [ROLLBACK + " Then we tell customers."])


def test_a_reload_leaves_another_open_tabs_unsaved_text_to_it(page: Page, context, live_server):
    """Both tabs show the same draft; the second has unsaved words. Reloading the first shows
    the server's draft and leaves those words to the tab still typing them; once it has
    closed, they are offered."""
    sign_up(page, "margaret@example.com")
    page.goto(QUESTION)
    answer_box(page).fill(ROLLBACK)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    second = context.new_page()
    second.route("**/draft", lambda route: route.abort())  # its saves do not get through
    second.goto(QUESTION)
    expect(answer_box(second)).to_have_value(ROLLBACK)
    answer_box(second).press("End")
    answer_box(second).press_sequentially(" Typed in the second tab.")
    expect(second.locator("#save-status")).to_have_text(NOT_SAVED)

    page.reload()
    expect(page.locator("#timer")).to_be_visible()  # the script has made its choices
    expect(answer_box(page)).to_have_value(ROLLBACK)
    expect(page.locator(".older-copy")).to_have_count(0)
    assert device_copy(second)["text"] == ROLLBACK + " Typed in the second tab."

    # The tab closes while the server cannot be reached, so its last save is lost too. (The
    # route cannot stop that one: it leaves after the page has gone.)
    live_server.stop()
    second.close(run_before_unload=True)
    live_server.start()
    page.reload()  # the closed tab's words are offered, never lost
    expect(answer_box(page)).to_have_value(ROLLBACK)
    offer = page.locator(".older-copy")
    expect(offer).to_contain_text("This device has other text for this answer")
    offer.get_by_role("button", name="Use it instead").click()
    expect(answer_box(page)).to_have_value(ROLLBACK + " Typed in the second tab.")


def time_spent_stored(live_server, email: str) -> int | None:
    with live_server.app.app_context(), db.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        draft = current_draft(session, user.id, get_question(session, "worldwide-outage").id)
        return None if draft is None else draft.time_spent_seconds


def test_the_timer_starts_when_the_candidate_types_and_pauses_on_request(page: Page, live_server):
    """Not at page load: the first word (or Start) starts it; Pause stops it; the draft keeps
    the timer's total. The question allows ten minutes."""
    email = "timer@example.com"
    sign_up(page, email)
    page.clock.install(time=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    page.clock.pause_at(datetime(2026, 1, 5, 9, 0, 1, tzinfo=UTC))  # moves when the test says
    page.goto(QUESTION)
    wait_until_ready(page)
    timer, toggle = page.locator("#timer"), page.locator("#timer-toggle")
    expect(timer).to_have_text("10:00 left")
    expect(toggle).to_have_text("Start")
    page.clock.run_for(30_000)  # reading the question
    expect(timer).to_have_text("10:00 left")

    answer_box(page).press_sequentially("First")
    page.clock.run_for(65_000)
    expect(timer).to_have_text("8:55 left")
    expect(toggle).to_have_text("Pause")
    toggle.click()
    expect(toggle).to_have_text("Resume")
    page.clock.run_for(120_000)  # paused: the phone rang
    expect(timer).to_have_text("8:55 left")
    answer_box(page).press_sequentially(" words")  # typing does not override a pause
    page.clock.run_for(2_000)
    expect(timer).to_have_text("8:55 left")
    toggle.click()
    page.clock.run_for(5_000)
    expect(timer).to_have_text("8:50 left")
    answer_box(page).press_sequentially(" more")
    toggle.click()  # paused again: the total stays put while the draft is saved
    expect(timer).to_have_text("8:50 left")
    total = 70
    page.clock.run_for(1_500)  # the next autosave
    deadline = time.monotonic() + 10
    while (stored := time_spent_stored(live_server, email)) != total and (
        time.monotonic() < deadline
    ):
        live_server.wait_for_commit(live_server.commits, deadline - time.monotonic())
    assert stored == total  # the timer's total, not the page's age (over four minutes)


def test_the_timer_says_when_time_is_up_and_the_answer_can_still_be_submitted(page: Page):
    sign_up(page, "late@example.com")
    page.clock.install(time=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    page.clock.pause_at(datetime(2026, 1, 5, 9, 0, 1, tzinfo=UTC))
    page.goto(QUESTION)
    wait_until_ready(page)
    page.locator("#timer-toggle").click()  # Start, before typing
    page.clock.run_for(9 * 60_000)
    expect(page.locator("#time-alert")).to_have_text("One minute left.")
    expect(page.locator("#timer")).to_have_class(re.compile(r"\bwarn\b"))
    page.clock.run_for(61_000)
    expect(page.locator("#time-alert")).to_have_text("Time is up. You can still finish and submit.")
    expect(page.locator("#timer")).to_have_text("Time is up (0:01 over)")
    expect(page.locator("#timer")).to_have_class(re.compile(r"\bover\b"))
    answer_box(page).fill(ANSWER)
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))


def test_live_limits_count_as_the_server_does_and_warn_over_the_limit(page: Page):
    sign_up(page, "counts@example.com")
    page.goto(QUESTION)
    wait_until_ready(page)
    words_shown, chars = page.locator("#word-count"), page.locator("#char-count")
    expect(chars).to_have_text("0 / 50,000 characters")
    tricky = "Roll\u00a0back\u3000first,\nthen\u200btell 😀 customers\ufeffnow."
    answer_box(page).fill(tricky)
    expect(words_shown).to_have_text(words(tricky))  # the server's rule: str.split()
    expect(chars).to_have_text(f"{len(tricky)} / 50,000 characters")
    answer_box(page).fill("x" * 45_000)
    expect(chars).to_have_class("near")
    answer_box(page).fill("x" * 50_003)
    expect(chars).to_have_class("over")
    expect(chars).to_contain_text("3 characters over the 50,000 limit")
    expect(page.locator("#limit-alert")).to_have_text("Your answer is over the character limit.")
    expect(page.locator("#save-status")).to_have_text(re.compile("the limit is 50,000"))


def test_text_another_script_puts_in_the_box_counts_as_typing(page: Page, live_server):
    """The "Answer aloud" transcript arrives as the box's value and an `input` event: counted,
    timed and saved like typed words."""
    email = "spoken@example.com"
    sign_up(page, email)
    page.goto(QUESTION)
    wait_until_ready(page)
    page.evaluate(
        """(text) => { const box = document.querySelector('textarea[name=answer_text]');
             box.value = text; box.dispatchEvent(new Event('input', { bubbles: true })); }""",
        ROLLBACK,
    )
    expect(page.locator("#word-count")).to_have_text(words(ROLLBACK))
    expect(page.locator("#timer-toggle")).to_have_text("Pause")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect_drafts(live_server, email, [ROLLBACK])


def test_without_web_locks_two_tabs_on_one_draft_still_keep_both_texts(new_context, live_server):
    """A browser without Web Locks (or a page over plain http to another host) cannot tell
    another tab has the draft open, so both tabs save under its key: the server's versions
    refuse the second tab's save, and that tab goes on as a draft of its own."""
    context = new_context()
    context.add_init_script("delete Navigator.prototype.locks;")
    page = context.new_page()
    email = "ada-lovelace@example.com"
    sign_up(page, email)
    page.goto(QUESTION)
    answer_box(page).fill(ROLLBACK)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    second = context.new_page()
    second.goto(QUESTION)
    wait_until_ready(second)
    assert draft_key(second) == draft_key(page)  # shared: nothing told it otherwise

    with page.expect_response("**/draft"):
        answer_box(page).fill(ANSWER)
    expect_drafts(live_server, email, [ANSWER])
    answer_box(second).fill("The second tab's answer: we fail over to the other region.")
    expect(second.locator("#save-status")).to_have_text(re.compile(r"as a separate draft\.$"))
    assert draft_key(second) != draft_key(page)
    expect_drafts(
        live_server,
        email,
        ["The second tab's answer: we fail over to the other region.", ANSWER],
    )
