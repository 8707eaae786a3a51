"""Answering, autosave, results, history and progress through the Flask test client."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app.bank.service import question_as_asked
from app.extensions import db
from app.models import Attempt, AttemptStatus
from app.practice.services import MAX_ANSWER_CHARS, get_question
from pm_scoring import load_rubric, score
from tests.conftest import AuthActions, csrf_from

OUTAGE = "/questions/worldwide-outage"
ANSWER = (
    "First I would clarify the scope: which product, since when, and which platforms and markets. "
    "We would roll back the latest release to restore service for everyone. "
    "I would apologise publicly on the status page and send updates every 30 minutes, with a "
    "war room for engineering, support and leadership. Afterwards we run a blameless postmortem "
    "to find the root cause, add regression tests and a staged rollout, and watch error rates "
    "and NPS."
)


@pytest.fixture
def candidate(client, auth):
    auth.register_candidate()
    return client


def save_draft(client, text: str, seconds: int = 30):
    token = csrf_from(client.get(OUTAGE).text)
    return client.post(
        OUTAGE + "/draft",
        json={"answer_text": text, "time_spent_seconds": seconds},
        headers={"X-CSRFToken": token},
    )


def submit(client, text: str, seconds: int = 120):
    token = csrf_from(client.get(OUTAGE).text)
    return client.post(
        OUTAGE + "/submit",
        data={"answer_text": text, "time_spent_seconds": str(seconds), "csrf_token": token},
    )


def attempt_id(response) -> int:
    return int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))


def test_anonymous_visitors_can_browse_but_not_answer(client):
    page = client.get(OUTAGE)
    assert page.status_code == 200 and "Log in</a> or" in page.text
    assert 'name="answer_text"' not in page.text
    assert client.post(OUTAGE + "/submit", data={"answer_text": "x"}).status_code in (400, 302)


def test_a_cached_anonymous_page_is_never_served_to_a_candidate(client, auth):
    assert 'name="answer_text"' not in client.get(OUTAGE).text  # now in the page cache
    auth.register("late@example.com")
    page = client.get(OUTAGE).text
    assert 'name="answer_text"' in page and "Log out" in page


def test_autosaved_draft_comes_back_with_the_page(candidate):
    saved = save_draft(candidate, "My half-written answer about the outage", seconds=42)
    assert saved.status_code == 200 and saved.json["attempt_id"] > 0
    page = candidate.get(OUTAGE).text
    assert "My half-written answer about the outage" in page
    assert 'name="time_spent_seconds" type="hidden" value="42"' in page


def test_autosave_without_a_csrf_token_is_refused(candidate):
    response = candidate.post(OUTAGE + "/draft", json={"answer_text": "sneaky"})
    assert response.status_code == 400
    assert "sneaky" not in candidate.get(OUTAGE).text


def test_the_no_script_save_button_keeps_the_draft(candidate):
    token = csrf_from(candidate.get(OUTAGE).text)
    response = candidate.post(
        OUTAGE + "/draft",
        data={
            "answer_text": "Typed without JavaScript",
            "time_spent_seconds": "5",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert "Typed without JavaScript" in candidate.get(OUTAGE).text


def test_result_page_explains_the_score(candidate):
    response = submit(candidate, ANSWER)
    assert response.status_code == 302
    page = candidate.get(response.headers["Location"]).text
    assert "Your score" in page and "/100" in page
    assert "Restores service first" in page and "Communicates openly" in page
    assert re.search(
        r'<mark class="evidence" data-criteria="[^"]*mitigation[^"]*"[^>]*>We would roll back', page
    )
    assert "To improve:" in page  # at least one criterion is below full marks
    assert "Show the model answer" in page
    version = load_rubric("incident-response").version
    assert f'<a href="/rubrics/incident-response/v{version}">' in page  # the exact version
    with candidate.application.app_context(), db.session() as session:
        attempt = session.get(Attempt, attempt_id(response))
        question = get_question(session, "worldwide-outage")
        asked = question_as_asked(question.title, question.prompt)
        report = score(load_rubric("incident-response"), attempt.answer_text, asked)
    assert f"the criteria, weighted, give\n  {report.weighted}" in page  # as the engine added up


def test_submitting_an_empty_answer_explains_what_is_wrong(candidate):
    response = submit(candidate, "   ")
    assert response.status_code == 400
    assert "Write an answer before submitting." in response.text


def test_a_submission_or_save_button_without_its_csrf_token_is_refused(candidate):
    for action in ("/submit", "/draft"):
        response = candidate.post(OUTAGE + action, data={"answer_text": f"forged {action}"})
        assert response.status_code == 400
    assert "forged" not in candidate.get(OUTAGE).text
    assert "forged" not in candidate.get("/questions/worldwide-outage/attempts").text


def test_the_form_shown_again_after_a_refused_submission_still_submits(candidate):
    page = submit(candidate, "   ").text  # refused: the page comes back with the form
    answer_form = page[page.index('action="/questions/worldwide-outage/submit"') :]
    retried = candidate.post(
        OUTAGE + "/submit",
        data={
            "answer_text": ANSWER,
            "time_spent_seconds": "60",
            "csrf_token": csrf_from(answer_form),
        },
    )
    assert retried.status_code == 302
    assert "/attempts/" in retried.headers["Location"]


def test_another_candidates_attempt_is_404(client, candidate):
    mine = attempt_id(submit(candidate, ANSWER))
    assert candidate.get(f"/attempts/{mine}").status_code == 200
    AuthActions(client).logout()
    AuthActions(client).register("intruder@example.com")
    assert client.get(f"/attempts/{mine}").status_code == 404
    token = csrf_from(client.get("/").text)
    assert client.post(f"/attempts/{mine}/retry", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/attempts/compare?first={mine}&second={mine}").status_code == 404


def test_try_again_starts_a_draft_with_the_last_answer(candidate):
    first = attempt_id(submit(candidate, ANSWER))
    token = csrf_from(candidate.get(f"/attempts/{first}").text)
    response = candidate.post(f"/attempts/{first}/retry", data={"csrf_token": token})
    assert response.headers["Location"] == OUTAGE
    assert "We would roll back the latest release" in candidate.get(OUTAGE).text


def test_history_compare_and_progress(candidate):
    first = attempt_id(submit(candidate, "We would roll back the release and say sorry."))
    second = attempt_id(submit(candidate, ANSWER))
    history = candidate.get(OUTAGE + "/attempts").text
    assert f"/attempts/{first}" in history and f"/attempts/{second}" in history
    comparison = candidate.get(f"/attempts/compare?first={first}&second={second}").text
    assert "<ins>" in comparison and "Clarifies the situation" in comparison
    assert re.search(r'class="up">\+\d+</td>', comparison)
    progress = candidate.get("/progress").text
    assert 'id="progress-chart"' in progress and "Practise next" in progress
    listing = candidate.get("/questions?q=worldwide").text
    assert "My best:" in listing


def test_a_late_autosave_never_revives_a_submitted_answer(candidate):
    """An autosave that left the page just before Submit may arrive after it: refused, whatever
    its text, so it never comes back as a draft."""
    draft = save_draft(candidate, "Draft before submitting").json["attempt_id"]
    token = csrf_from(candidate.get(OUTAGE).text)
    submitted = candidate.post(
        OUTAGE + "/submit",
        data={"answer_text": ANSWER, "attempt_id": str(draft), "csrf_token": token},
    )
    assert submitted.headers["Location"] == f"/attempts/{draft}"
    for late_text in (ANSWER, "Draft before submitting, a few keystrokes old"):
        late = candidate.post(
            OUTAGE + "/draft",
            json={"answer_text": late_text, "attempt_id": draft},
            headers={"X-CSRFToken": token},
        )
        assert late.status_code == 409 and late.json["attempt_id"] == draft
    page = candidate.get(OUTAGE).text
    assert 'name="attempt_id" type="hidden" value=""' in page and "keystrokes old" not in page
    again = candidate.post(  # a double click on Submit shows the same result
        OUTAGE + "/submit",
        data={"answer_text": ANSWER, "attempt_id": str(draft), "csrf_token": token},
    )
    assert again.headers["Location"] == f"/attempts/{draft}"


def test_other_tabs_answers_to_a_submitted_draft_are_each_kept(candidate):
    """Three tabs edit one draft; the first submits it. Each other tab's text ends up in a draft
    or attempt of its own, none overwriting another."""
    draft = save_draft(candidate, "Shared start").json["attempt_id"]
    token = csrf_from(candidate.get(OUTAGE).text)
    first = candidate.post(
        OUTAGE + "/submit",
        data={"answer_text": ANSWER, "attempt_id": str(draft), "csrf_token": token},
    )
    assert attempt_id(first) == draft

    def save_button(text: str):  # the no-script "Save draft" button, naming the old draft
        return candidate.post(
            OUTAGE + "/draft",
            data={"answer_text": text, "attempt_id": str(draft), "csrf_token": token},
        )

    second_text = "Tab two: we roll back first, then tell every customer what happened. " * 4
    third_text = "Tab three: we fail over to the other region and post on the status page. " * 4
    assert save_button(second_text).status_code == 302
    assert save_button(third_text).status_code == 302
    with_script = candidate.post(  # a script that heard 409 saves afresh, with no draft named
        OUTAGE + "/draft",
        json={"answer_text": "Tab four's text, saved by its script."},
        headers={"X-CSRFToken": token},
    )
    assert with_script.status_code == 200
    drafts = [text for text in (second_text, third_text) if text.strip() in _draft_texts(candidate)]
    assert drafts == [second_text, third_text]
    submitted = candidate.post(
        OUTAGE + "/submit",
        data={"answer_text": second_text, "attempt_id": str(draft), "csrf_token": token},
    )
    assert attempt_id(submitted) != draft
    assert "Tab two" in candidate.get(f"/attempts/{attempt_id(submitted)}").text
    assert ANSWER[:40] in candidate.get(f"/attempts/{draft}").text


def _draft_texts(client) -> str:
    """Every draft's text in the database."""
    with client.application.app_context(), db.session() as session:
        drafts = session.exec(select(Attempt).where(Attempt.status == AttemptStatus.DRAFT))
        return "\n".join(draft.answer_text for draft in drafts)


def test_try_again_never_overwrites_a_draft_in_progress(candidate):
    done = attempt_id(submit(candidate, ANSWER))
    save_draft(candidate, "A fresh answer I am halfway through writing.")
    token = csrf_from(candidate.get(f"/attempts/{done}").text)
    candidate.post(f"/attempts/{done}/retry", data={"csrf_token": token})
    page = candidate.get(OUTAGE).text
    assert "A fresh answer I am halfway through writing." in page
    assert "already have a draft in progress" in page


def test_an_answer_over_the_limit_is_refused_with_its_length_never_cut(candidate):
    limit = MAX_ANSWER_CHARS
    too_long = "word " * (limit // 5) + "end"
    saved = save_draft(candidate, too_long)
    assert saved.status_code == 400 and "the limit is 50,000" in saved.json["error"]
    assert "end</textarea>" not in candidate.get(OUTAGE).text
    # A browser sends line breaks as two characters; the limit counts them as stored (one).
    lines = ("x" * 99 + "\r\n") * (limit // 100)
    assert len(lines) > limit >= len(lines.replace("\r\n", "\n"))
    assert submit(candidate, lines).status_code == 302
    refused = submit(candidate, too_long)
    assert refused.status_code == 400 and "the limit is 50,000" in refused.text
    assert "end</textarea>" in refused.text  # the text comes back to be shortened


@pytest.mark.parametrize(
    "path",
    [
        "/attempts/99999999999999999999999",
        "/attempts/2147483648",
        "/attempts/compare?first=99999999999999999999999&second=1",
    ],
)
def test_ids_no_row_can_have_are_a_404(candidate, path):
    response = candidate.get(path)
    assert response.status_code == 404 and "Not found" in response.text


def test_a_draft_naming_an_impossible_attempt_id_is_saved_as_a_new_draft(candidate):
    token = csrf_from(candidate.get(OUTAGE).text)
    saved = candidate.post(
        OUTAGE + "/draft",
        json={"answer_text": "Still saved.", "attempt_id": 10**30},
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 200
    assert "Still saved." in candidate.get(OUTAGE).text


def test_search_treats_wildcard_characters_as_text(client):
    assert "No question matches" in client.get("/questions?q=%25%25").text
    assert "No question matches" in client.get("/questions?q=_").text
    percent = client.get("/questions?q=%25").text  # the few questions that say "20%", "5%"…
    assert "Payments failing for 5% of users" in percent and ">4 questions<" in percent
    assert "Handle a worldwide outage" in client.get("/questions?q=WORLDWIDE").text


def _autosave(client, text: str, draft: int | None = None, base: str | None = None):
    token = csrf_from(client.get(OUTAGE).text)
    return client.post(
        OUTAGE + "/draft",
        json={"answer_text": text, "attempt_id": draft, "base_version": base},
        headers={"X-CSRFToken": token},
    )


def test_an_autosave_based_on_an_older_version_never_overwrites_a_newer_one(candidate):
    """Two tabs on one draft: the second tab's save, based on the version before the first
    tab's latest save, is refused, and the page keeps its text as a draft of its own."""
    first = _autosave(candidate, "Version one from tab A.").json
    second = _autosave(candidate, "Version two from tab A.", first["attempt_id"], first["saved_at"])
    second = second.json
    assert second["attempt_id"] == first["attempt_id"]
    assert second["saved_at"] != first["saved_at"]

    stale = _autosave(candidate, "Tab B's text.", first["attempt_id"], first["saved_at"])
    assert stale.status_code == 409 and stale.json["reason"] == "changed"
    assert "Version two from tab A." in _draft_texts(candidate)
    assert "Tab B's text." not in _draft_texts(candidate)

    kept = _autosave(candidate, "Tab B's text.")  # what the page does on hearing 409
    assert kept.status_code == 200 and kept.json["attempt_id"] != first["attempt_id"]
    page = candidate.get(OUTAGE).text  # the newest draft in the form, the other one linked
    assert "Tab B&#39;s text." in page
    assert "1 other unfinished answer to this question" in page
    other = re.search(r'href="(/questions/worldwide-outage\?draft=(\d+))"', page)
    assert int(other.group(2)) == first["attempt_id"]
    opened = candidate.get(other.group(1)).text
    assert "Version two from tab A." in opened
    assert f'name="attempt_id" type="hidden" value="{first["attempt_id"]}"' in opened
    assert f'name="base_version" type="hidden" value="{second["saved_at"]}"' in opened


def test_the_version_a_page_is_given_matches_what_saves_return(candidate):
    """The page's version comes from the database; a save's from the row just written: both
    must spell it the same way, or every save after a reload would look stale."""
    saved = _autosave(candidate, "Typed, then reloaded.").json
    page = candidate.get(OUTAGE).text
    base = re.search(r'name="base_version" type="hidden" value="([^"]+)"', page).group(1)
    assert base == saved["saved_at"]
    assert _autosave(candidate, "Typed more.", saved["attempt_id"], base).status_code == 200


def test_someone_elses_draft_id_in_the_address_opens_nothing_of_theirs(client, auth):
    auth.register_candidate("first@example.com")
    theirs = _autosave(client, "First candidate's private draft.").json["attempt_id"]
    auth.logout()
    auth.register("second@example.com")
    page = client.get(f"{OUTAGE}?draft={theirs}").text
    assert "private draft" not in page
    assert 'name="attempt_id" type="hidden" value=""' in page


def test_a_first_autosave_arriving_after_its_submission_makes_no_draft(candidate):
    """The page's first save (naming no draft yet) can be slow enough to reach the server after
    the Submit that followed it: it must not leave the submitted text behind as a draft."""
    submit(candidate, ANSWER)
    late = _autosave(candidate, ANSWER)
    assert late.status_code == 409 and late.json["reason"] == "submitted"
    assert _draft_texts(candidate) == ""
    assert _autosave(candidate, "A new answer, typed afresh.").status_code == 200


def _post_form(client, action: str, text: str, draft: int, base: str):
    """The answer form as a page without script posts it, naming its draft and version."""
    token = csrf_from(client.get(OUTAGE).text)
    return client.post(
        f"{OUTAGE}/{action}",
        data={
            "answer_text": text,
            "attempt_id": str(draft),
            "base_version": base,
            "time_spent_seconds": "60",
            "csrf_token": token,
        },
    )


@pytest.mark.parametrize("action", ["draft", "submit"])
def test_a_form_based_on_an_older_version_leaves_the_newer_draft_alone(candidate, action):
    """A tab opened before another tab saved newer text: its "Save draft" or Submit must not
    overwrite or submit that newer text; it becomes a draft or an attempt of its own."""
    first = _autosave(candidate, "Text both tabs started from.").json
    newer = _autosave(
        candidate, "Newer text from the other tab.", first["attempt_id"], first["saved_at"]
    )
    assert newer.status_code == 200

    posted = _post_form(candidate, action, ANSWER, first["attempt_id"], first["saved_at"])
    assert posted.status_code == 302
    assert "Newer text from the other tab." in _draft_texts(candidate)
    if action == "draft":
        page = candidate.get(posted.headers["Location"]).text
        assert "saved as a separate draft" in page
        assert ANSWER[:60] in page and "1 other unfinished answer" in page
    else:
        assert attempt_id(posted) != first["attempt_id"]
        assert ANSWER[:60] in candidate.get(posted.headers["Location"]).text


def test_a_form_based_on_the_current_version_takes_over_its_draft(candidate):
    saved = _autosave(candidate, "Started with script, finished without.").json
    posted = _post_form(candidate, "submit", ANSWER, saved["attempt_id"], saved["saved_at"])
    assert attempt_id(posted) == saved["attempt_id"]
    assert _draft_texts(candidate) == ""


def test_an_autosave_from_a_logged_out_page_says_why_in_json(client, auth):
    auth.register_candidate()
    token = csrf_from(client.get(OUTAGE).text)
    auth.logout()
    auth.login("candidate@example.com")
    late = client.post(OUTAGE + "/draft", json={"answer_text": "x"}, headers={"X-CSRFToken": token})
    assert late.status_code == 400 and "logged out" in late.json["error"]


def test_a_save_whose_reply_was_lost_is_recognised_by_its_text(candidate):
    """The page sends the text of a save whose reply never came; if that save landed, its draft
    is the page's own, whether the page knew its id (and version) or not."""

    def autosave(text: str, draft=None, base=None, unconfirmed=None):
        token = csrf_from(candidate.get(OUTAGE).text)
        return candidate.post(
            OUTAGE + "/draft",
            json={
                "answer_text": text,
                "attempt_id": draft,
                "base_version": base,
                "unconfirmed_text": unconfirmed,
            },
            headers={"X-CSRFToken": token},
        )

    first = autosave("First words.").json  # the page never hears this reply
    again = autosave("First words, and more.", unconfirmed="First words.")
    assert again.status_code == 200 and again.json["attempt_id"] == first["attempt_id"]

    autosave("Lost again.", first["attempt_id"], again.json["saved_at"])  # reply lost too
    stale_base = autosave("Lost again, then more.", first["attempt_id"], again.json["saved_at"])
    assert stale_base.status_code == 409  # without the lost text it looks like another tab
    with_text = autosave(
        "Lost again, then more.", first["attempt_id"], again.json["saved_at"], "Lost again."
    )
    assert with_text.status_code == 200 and with_text.json["attempt_id"] == first["attempt_id"]
    assert _draft_texts(candidate) == "Lost again, then more."


def _submit_after_lost_save(client, text: str, unconfirmed: str, draft=None, base=None):
    """Submit from a page whose last autosave (of `unconfirmed`) never heard its reply."""
    token = csrf_from(client.get(OUTAGE).text)
    return client.post(
        OUTAGE + "/submit",
        data={
            "answer_text": text,
            "attempt_id": str(draft or ""),
            "base_version": base or "",
            "unconfirmed_text": unconfirmed,
            "csrf_token": token,
        },
    )


def test_a_submission_after_a_lost_first_save_takes_over_its_draft(candidate):
    landed = _autosave(candidate, "Words whose save landed unheard.").json
    posted = _submit_after_lost_save(candidate, ANSWER, "Words whose save landed unheard.")
    assert attempt_id(posted) == landed["attempt_id"]
    assert _draft_texts(candidate) == ""


def test_a_submission_after_a_lost_later_save_takes_over_its_draft(candidate):
    """The page's version is older than its draft's only because its own save moved it on."""
    first = _autosave(candidate, "Opening words.").json
    _autosave(candidate, "Opening words, unheard.", first["attempt_id"], first["saved_at"])
    posted = _submit_after_lost_save(
        candidate, ANSWER, "Opening words, unheard.", first["attempt_id"], first["saved_at"]
    )
    assert attempt_id(posted) == first["attempt_id"]
    assert _draft_texts(candidate) == ""


def test_a_submission_naming_someone_elses_text_takes_over_nothing(client, auth):
    """The lost save's text is looked for among the candidate's own drafts only."""
    auth.register_candidate("first@example.com")
    _autosave(client, "Identical words.")
    auth.logout()
    auth.register("second@example.com")
    posted = _submit_after_lost_save(client, ANSWER, "Identical words.")
    assert posted.status_code == 302
    assert "Identical words." in _draft_texts(client)  # the first candidate's draft, untouched


def test_blank_text_never_starts_a_draft(candidate):
    blank = _autosave(candidate, "  \n ")
    assert blank.status_code == 400 and "nothing to save" in blank.json["error"]
    token = csrf_from(candidate.get(OUTAGE).text)
    button = candidate.post(OUTAGE + "/draft", data={"answer_text": "", "csrf_token": token})
    assert button.status_code == 400 and "nothing to save" in button.text
    assert _draft_texts(candidate) == ""


def test_emptying_a_draft_removes_it(candidate):
    """An empty draft would keep nothing, yet be listed and shown as saved."""
    saved = _autosave(candidate, "Words I then deleted.").json
    cleared = _autosave(candidate, " \n", saved["attempt_id"], saved["saved_at"])
    assert cleared.status_code == 200 and cleared.json["attempt_id"] is None
    assert _draft_texts(candidate) == "" and "Draft saved" not in candidate.get(OUTAGE).text

    again = _autosave(candidate, "Typed again.").json
    newer = _autosave(candidate, "Typed again, and on.", again["attempt_id"], again["saved_at"])
    stale = _autosave(candidate, "", again["attempt_id"], again["saved_at"])  # another tab
    assert newer.status_code == 200 and stale.status_code == 409
    assert _draft_texts(candidate) == "Typed again, and on."

    button = _post_form(candidate, "draft", "", newer.json["attempt_id"], newer.json["saved_at"])
    assert button.status_code == 302 and _draft_texts(candidate) == ""
    assert "that draft is gone" in candidate.get(button.headers["Location"]).text


def test_any_of_several_unheard_saves_identifies_the_pages_draft(candidate):
    """A flaky network: one save landed unheard, the next never arrived. The page cannot tell
    which, so it names both, and its draft is found by whichever the server holds."""
    landed = _autosave(candidate, "Landed, unheard.").json
    token = csrf_from(candidate.get(OUTAGE).text)
    later = candidate.post(
        OUTAGE + "/draft",
        json={
            "answer_text": "Landed, unheard. Never arrived. And now more.",
            "unconfirmed_text": ["Landed, unheard.", "Landed, unheard. Never arrived."],
        },
        headers={"X-CSRFToken": token},
    )
    assert later.json["attempt_id"] == landed["attempt_id"]
    assert _draft_texts(candidate) == "Landed, unheard. Never arrived. And now more."

    token = csrf_from(candidate.get(OUTAGE).text)
    submitted = candidate.post(
        OUTAGE + "/submit",
        data={
            "answer_text": ANSWER,
            "unconfirmed_text": ["Something else", "Landed, unheard. Never arrived. And now more."],
            "csrf_token": token,
        },
    )
    assert attempt_id(submitted) == landed["attempt_id"] and _draft_texts(candidate) == ""


def test_a_save_to_a_draft_emptied_elsewhere_keeps_its_text(candidate):
    """Another tab emptied (and so removed) the draft this page edits: its text is a draft of
    its own."""
    saved = _autosave(candidate, "Both tabs started here.").json
    _autosave(candidate, "", saved["attempt_id"], saved["saved_at"])  # the other tab empties it
    kept = _autosave(candidate, "This tab typed on.", saved["attempt_id"], saved["saved_at"])
    assert kept.status_code == 200 and _draft_texts(candidate) == "This tab typed on."


def test_only_the_latest_unheard_saves_are_looked_for(candidate):
    """The page names at most five; a sixth, older text is not looked for."""
    landed = _autosave(candidate, "The oldest, landed.").json
    token = csrf_from(candidate.get(OUTAGE).text)
    unheard = ["The oldest, landed."] + [f"Later, lost {n}." for n in range(5)]
    later = candidate.post(
        OUTAGE + "/draft",
        json={"answer_text": "Typed on.", "unconfirmed_text": unheard},
        headers={"X-CSRFToken": token},
    )
    assert later.status_code == 200 and later.json["attempt_id"] != landed["attempt_id"]
