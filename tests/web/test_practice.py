"""Answering, autosave, results, history and progress through the Flask test client."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app.extensions import db
from app.models import Attempt, AttemptStatus
from app.practice.services import MAX_ANSWER_CHARS, get_question
from app.scoring import question_as_asked
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


def page_fields(client, url: str = OUTAGE) -> dict[str, str]:
    """The answer form's hidden fields as the page renders them: its CSRF token, the key of the
    draft it edits and the version its next save makes."""
    page = client.get(url).text
    fields = dict(
        re.findall(r'name="(draft_key|version|csrf_token)" type="hidden" value="([^"]*)"', page)
    )
    return fields


def autosave(client, text: str, key: str, version: int, seconds: int = 30):
    """A save as the page's script sends it: JSON, under the page's key and version."""
    token = csrf_from(client.get("/account").text)
    return client.post(
        OUTAGE + "/draft",
        json={
            "draft_key": key,
            "version": version,
            "answer_text": text,
            "time_spent_seconds": seconds,
        },
        headers={"X-CSRFToken": token},
    )


def save_draft(client, text: str, seconds: int = 30):
    """The page's first save: under the key the page was given."""
    fields = page_fields(client)
    return autosave(client, text, fields["draft_key"], int(fields["version"]), seconds)


def post_form(client, action: str, text: str, key: str | None, version: int | None):
    """The answer form as a page without script posts it ("draft" or "submit")."""
    data = {
        "answer_text": text,
        "time_spent_seconds": "60",
        "csrf_token": page_fields(client)["csrf_token"],
    }
    if key is not None:
        data["draft_key"] = key
    if version is not None:
        data["version"] = str(version)
    return client.post(f"{OUTAGE}/{action}", data=data)


def submit(client, text: str, seconds: int = 120):
    token = csrf_from(client.get(OUTAGE).text)
    return client.post(
        OUTAGE + "/submit",
        data={"answer_text": text, "time_spent_seconds": str(seconds), "csrf_token": token},
    )


def attempt_id(response) -> int:
    return int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))


def _drafts(client) -> list[tuple[str, str, int]]:
    """Every draft in the database: (key, text, version), oldest first."""
    with client.application.app_context(), db.session() as session:
        rows = session.exec(
            select(Attempt).where(Attempt.status == AttemptStatus.DRAFT).order_by(Attempt.id)
        )
        return [(row.draft_key, row.answer_text, row.version) for row in rows]


def _draft_texts(client) -> list[str]:
    return [text for _, text, _ in _drafts(client)]


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
    fields = page_fields(candidate)
    assert fields["version"] == "1" and len(fields["draft_key"]) >= 32  # a fresh random key
    assert page_fields(candidate)["draft_key"] != fields["draft_key"]  # each page its own
    text = "My half-written answer about the outage"
    saved = autosave(candidate, text, fields["draft_key"], 1, seconds=42)
    assert saved.status_code == 200 and saved.json["attempt_id"] > 0
    assert saved.json["draft_key"] == fields["draft_key"] and saved.json["version"] == 1
    page = candidate.get(OUTAGE).text
    assert "My half-written answer about the outage" in page
    assert 'name="time_spent_seconds" type="hidden" value="42"' in page
    assert page_fields(candidate) | {"csrf_token": ""} == {
        "draft_key": fields["draft_key"],
        "version": "2",  # the next save of this draft
        "csrf_token": "",
    }


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


def test_the_score_of_record_borrows_the_model_answers_examples(candidate):
    """Engine 2.23: the question's model answer lends its sentences to the rubric's examples, so
    the app scores with it. Its "every write carries an idempotency key generated on the phone"
    shows what this plain sentence means, which the technical rubric's examples never say."""
    url = "/questions/design-shared-lists-api"
    text = (
        "The app needs a few calls: create a list, add or change an item, invite someone by email "
        "and fetch what changed. Every change the phone sends carries a key it made itself, so "
        "sending it twice after a dropped connection changes nothing."
    )
    token = csrf_from(candidate.get(url).text)
    response = candidate.post(
        url + "/submit",
        data={"answer_text": text, "time_spent_seconds": "300", "csrf_token": token},
    )
    page = candidate.get(response.headers["Location"]).text
    with candidate.application.app_context(), db.session() as session:
        question = get_question(session, "design-shared-lists-api")
        asked = question_as_asked(question.title, question.prompt)
        rubric = load_rubric("technical")
        lent = score(rubric, text, asked, question.hints, question.model_answer)
        alone = score(rubric, text, asked, question.hints)
    assert "reliability" in lent.criterion("scale_reliability").concepts_found
    assert "reliability" not in alone.criterion("scale_reliability").concepts_found
    assert re.search(
        r"<strong>reliability</strong>\s*<span class=\"how\">\(close in meaning to the model",
        page,
    )
    assert f"the criteria, weighted, give\n  {lent.weighted}" in page


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
    assert '<li class="sentence added">' in comparison and "Clarifies the situation" in comparison
    assert re.search(r'class="up">\+\d+</td>', comparison)
    progress = candidate.get("/progress").text
    assert 'id="progress-chart"' in progress and "Practise next" in progress
    listing = candidate.get("/questions?q=worldwide").text
    assert "My best:" in listing


def test_a_late_autosave_never_revives_a_submitted_answer(candidate):
    """An autosave that left the page just before Submit may arrive after it: refused, whatever
    its text or version, so it never comes back as a draft."""
    key = page_fields(candidate)["draft_key"]
    draft = autosave(candidate, "Draft before submitting", key, 1).json["attempt_id"]
    submitted = post_form(candidate, "submit", ANSWER, key, 2)
    assert submitted.headers["Location"] == f"/attempts/{draft}"
    for late_text, version in ((ANSWER, 1), ("Draft before submitting, a few keystrokes old", 3)):
        late = autosave(candidate, late_text, key, version)
        assert late.status_code == 409 and late.json["reason"] == "submitted"
        assert late.json["attempt_id"] == draft and late.json["draft_key"] == key
    assert _drafts(candidate) == []
    assert page_fields(candidate)["draft_key"] != key  # the page starts a new draft
    again = post_form(candidate, "submit", ANSWER, key, 2)  # a double click: the same result
    assert again.headers["Location"] == f"/attempts/{draft}"


def test_text_saved_to_a_submitted_draft_from_elsewhere_is_each_kept(candidate):
    """One tab submits the draft; others still post under its key. The no-script "Save draft"
    keeps each text as a draft of its own, and a Submit with other text is an attempt of its
    own: none overwrites another."""
    key = page_fields(candidate)["draft_key"]
    draft = autosave(candidate, "Shared start", key, 1).json["attempt_id"]
    assert attempt_id(post_form(candidate, "submit", ANSWER, key, 2)) == draft

    second_text = "Tab two: we roll back first, then tell every customer what happened. " * 4
    third_text = "Tab three: we fail over to the other region and post on the status page. " * 4
    for text in (second_text, third_text):
        button = post_form(candidate, "draft", text, key, 2)
        assert button.status_code == 302
        assert "saved as a separate draft" in candidate.get(button.headers["Location"]).text
    assert _draft_texts(candidate) == [second_text, third_text]
    assert key not in [k for k, _, _ in _drafts(candidate)]

    submitted = post_form(candidate, "submit", second_text, key, 2)
    assert attempt_id(submitted) != draft
    assert "Tab two" in candidate.get(f"/attempts/{attempt_id(submitted)}").text
    assert ANSWER[:40] in candidate.get(f"/attempts/{draft}").text


def test_try_again_never_overwrites_a_draft_in_progress(candidate):
    done = attempt_id(submit(candidate, ANSWER))
    save_draft(candidate, "A fresh answer I am halfway through writing.")
    token = csrf_from(candidate.get(f"/attempts/{done}").text)
    candidate.post(f"/attempts/{done}/retry", data={"csrf_token": token})
    page = candidate.get(OUTAGE).text
    assert "A fresh answer I am halfway through writing." in page
    assert "already have a draft in progress" in page
    assert _draft_texts(candidate) == ["A fresh answer I am halfway through writing."]


def test_try_again_twice_starts_one_draft_under_a_key_of_its_own(candidate):
    done = attempt_id(submit(candidate, ANSWER))
    token = csrf_from(candidate.get(f"/attempts/{done}").text)
    for _ in range(2):  # a double click
        candidate.post(f"/attempts/{done}/retry", data={"csrf_token": token})
    [(key, text, version)] = _drafts(candidate)
    assert text == ANSWER and version == 1
    assert page_fields(candidate) | {"csrf_token": ""} == {
        "draft_key": key,
        "version": "2",
        "csrf_token": "",
    }
    assert autosave(candidate, ANSWER + " And one more idea.", key, 2).status_code == 200
    assert _draft_texts(candidate) == [ANSWER + " And one more idea."]


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


def test_the_page_shows_the_limits_it_counts_against(candidate):
    """The character limit the page counts against is the one the server refuses over."""
    page = candidate.get(OUTAGE).text
    assert f'data-max-chars="{MAX_ANSWER_CHARS}"' in page
    assert "0 / 50,000 characters" in page and "0 words" in page
    save_draft(candidate, "Two words\r\nand an emoji 😀")
    page = candidate.get(OUTAGE).text
    assert "24 / 50,000 characters" in page and "6 words" in page  # as stored: LF, code points


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


def test_search_treats_wildcard_characters_as_text(client):
    assert "No question matches" in client.get("/questions?q=%25%25").text
    assert "No question matches" in client.get("/questions?q=_").text
    percent = client.get("/questions?q=%25").text  # the few questions that say "20%", "5%"…
    assert "Payments failing for 5% of users" in percent and ">4 questions<" in percent
    assert "Handle a worldwide outage" in client.get("/questions?q=WORLDWIDE").text


def test_a_save_whose_reply_was_lost_is_sent_again_and_lands_once(candidate):
    """The page never heard the first reply, so it sends the text again (with the next version,
    or the same one): the draft is the same row either way, never a second one."""
    key = page_fields(candidate)["draft_key"]
    first = autosave(candidate, "First words.", key, 1)
    again = autosave(candidate, "First words.", key, 1)  # the very save, sent again
    assert again.status_code == 200 and again.json["attempt_id"] == first.json["attempt_id"]
    more = autosave(candidate, "First words, and more.", key, 2)
    assert more.json["attempt_id"] == first.json["attempt_id"]
    assert _drafts(candidate) == [(key, "First words, and more.", 2)]


def test_a_late_older_save_never_overwrites_a_newer_one(candidate):
    key = page_fields(candidate)["draft_key"]
    autosave(candidate, "Version one.", key, 1)
    autosave(candidate, "Version three, the newest.", key, 3)
    late = autosave(candidate, "Version two, delayed on the way.", key, 2)
    assert late.status_code == 409 and late.json["reason"] == "changed"
    assert late.json["version"] == 3
    assert _drafts(candidate) == [(key, "Version three, the newest.", 3)]


def test_two_keys_are_two_drafts_and_the_page_links_the_other(candidate):
    """Two tabs make two keys: each text is a draft of its own, the newest in the form and the
    other a link away, opening with its own key and version."""
    first_key, second_key = "tab-a-0123456789", "tab-b-0123456789"
    first = autosave(candidate, "Tab A's text.", first_key, 1).json
    autosave(candidate, "Tab A's text, typed on.", first_key, 2)
    autosave(candidate, "Tab B's text.", second_key, 1)
    assert _draft_texts(candidate) == ["Tab A's text, typed on.", "Tab B's text."]

    page = candidate.get(OUTAGE).text  # the newest draft in the form, the other one linked
    assert "Tab B&#39;s text." in page and f'value="{second_key}"' in page
    assert "1 other unfinished answer to this question" in page
    assert f'data-other-drafts="{first_key}"' in page
    other = re.search(r'href="(/questions/worldwide-outage\?draft=(\d+))"', page)
    assert int(other.group(2)) == first["attempt_id"]
    assert page_fields(candidate, other.group(1)) | {"csrf_token": ""} == {
        "draft_key": first_key,
        "version": "3",
        "csrf_token": "",
    }


def test_keys_belong_to_their_candidate(client, auth):
    """The same key from another account is another row: nothing of the first is read or
    written."""
    auth.register_candidate("first@example.com")
    theirs = autosave(client, "First candidate's private draft.", "shared-key-0001", 1).json
    auth.logout()
    auth.register("second@example.com")
    page = client.get(f"{OUTAGE}?draft={theirs['attempt_id']}").text
    assert "private draft" not in page
    assert page_fields(client)["draft_key"] != "shared-key-0001"
    mine = autosave(client, "Second candidate's words.", "shared-key-0001", 1)
    assert mine.status_code == 200 and mine.json["attempt_id"] != theirs["attempt_id"]
    assert sorted(_draft_texts(client)) == [
        "First candidate's private draft.",
        "Second candidate's words.",
    ]


def test_a_first_autosave_arriving_after_its_submission_makes_no_draft(candidate):
    """The page's first save can be slow enough to reach the server after the Submit that
    followed it: it must not leave the submitted text behind as a draft."""
    key = page_fields(candidate)["draft_key"]
    submitted = post_form(candidate, "submit", ANSWER, key, 2)
    late = autosave(candidate, ANSWER[:80], key, 1)
    assert late.status_code == 409 and late.json["reason"] == "submitted"
    assert late.json["attempt_id"] == attempt_id(submitted) and late.json["draft_key"] == key
    assert _drafts(candidate) == []
    fresh = page_fields(candidate)["draft_key"]
    assert autosave(candidate, "A new answer, typed afresh.", fresh, 1).status_code == 200


def test_retyping_the_submitted_answer_starts_no_draft(candidate):
    """Pasted back in word for word, the last submitted answer is not kept as a new draft: the
    reply names that attempt (under another key), so the page says so."""
    done = attempt_id(submit(candidate, ANSWER))
    again = save_draft(candidate, ANSWER)
    assert again.status_code == 409 and again.json["attempt_id"] == done
    assert again.json["draft_key"] != page_fields(candidate)["draft_key"]
    assert _drafts(candidate) == []


@pytest.mark.parametrize("action", ["draft", "submit"])
def test_a_form_based_on_an_older_version_leaves_the_newer_draft_alone(candidate, action):
    """A page opened before newer text was saved under its key (the same draft open on another
    device): its "Save draft" or Submit must not overwrite or submit that newer text; it
    becomes a draft or an attempt of its own."""
    key = page_fields(candidate)["draft_key"]
    autosave(candidate, "Text both pages started from.", key, 1)
    opened = page_fields(candidate)  # the no-script page: saves as version 2
    assert autosave(candidate, "Newer text from the other device.", key, 2).status_code == 200

    posted = post_form(candidate, action, ANSWER, opened["draft_key"], int(opened["version"]))
    assert posted.status_code == 302
    assert (key, "Newer text from the other device.", 2) in _drafts(candidate)
    if action == "draft":
        page = candidate.get(posted.headers["Location"]).text
        assert "saved as a separate draft" in page
        assert ANSWER[:60] in page and "1 other unfinished answer" in page
    else:
        assert ANSWER[:60] in candidate.get(posted.headers["Location"]).text
        assert _draft_texts(candidate) == ["Newer text from the other device."]


def test_a_form_based_on_the_current_version_takes_over_its_draft(candidate):
    saved = save_draft(candidate, "Started with script, finished without.").json
    opened = page_fields(candidate)
    posted = post_form(candidate, "submit", ANSWER, opened["draft_key"], int(opened["version"]))
    assert attempt_id(posted) == saved["attempt_id"]
    assert _drafts(candidate) == []


def test_a_submission_after_a_lost_save_takes_over_its_draft(candidate):
    """The page's save landed but its reply never came; the Submit that follows, under the
    same key with the next version, turns that very draft into the attempt."""
    key = page_fields(candidate)["draft_key"]
    landed = autosave(candidate, "Words whose save landed unheard.", key, 1).json
    posted = post_form(candidate, "submit", ANSWER, key, 2)
    assert attempt_id(posted) == landed["attempt_id"]
    assert _drafts(candidate) == []


def test_a_form_without_a_key_keeps_its_text_as_a_draft_of_its_own(candidate):
    """A hand-made post, or a page from before drafts had keys."""
    save_draft(candidate, "The draft in progress.")
    assert post_form(candidate, "draft", "Posted without a key.", None, None).status_code == 302
    assert _draft_texts(candidate) == ["The draft in progress.", "Posted without a key."]


def test_an_autosave_from_a_logged_out_page_says_why_in_json(client, auth):
    auth.register_candidate()
    token = csrf_from(client.get(OUTAGE).text)
    auth.logout()
    auth.login("candidate@example.com")
    late = client.post(
        OUTAGE + "/draft",
        json={"draft_key": "k", "version": 1, "answer_text": "x"},
        headers={"X-CSRFToken": token},
    )
    assert late.status_code == 400 and "logged out" in late.json["error"]


def test_blank_text_never_starts_a_draft(candidate):
    blank = save_draft(candidate, "  \n ")
    assert blank.status_code == 400 and "nothing to save" in blank.json["error"]
    fields = page_fields(candidate)
    button = post_form(candidate, "draft", "", fields["draft_key"], 1)
    assert button.status_code == 400 and "nothing to save" in button.text
    assert _drafts(candidate) == []


def test_emptying_a_draft_removes_it(candidate):
    """An empty draft would keep nothing, yet be listed and shown as saved."""
    key = page_fields(candidate)["draft_key"]
    autosave(candidate, "Words I then deleted.", key, 1)
    cleared = autosave(candidate, " \n", key, 2)
    assert cleared.status_code == 200 and cleared.json["attempt_id"] is None
    assert _drafts(candidate) == [] and "Draft saved" not in candidate.get(OUTAGE).text
    assert autosave(candidate, " \n", key, 2).json["attempt_id"] is None  # sent again: still gone

    key = page_fields(candidate)["draft_key"]
    autosave(candidate, "Typed again.", key, 1)
    autosave(candidate, "Typed again, and on.", key, 3)
    stale = autosave(candidate, "", key, 2)  # emptied on a page that fell behind
    assert stale.status_code == 409 and _draft_texts(candidate) == ["Typed again, and on."]

    opened = page_fields(candidate)
    button = post_form(candidate, "draft", "", opened["draft_key"], int(opened["version"]))
    assert button.status_code == 302 and _drafts(candidate) == []
    assert "that draft is gone" in candidate.get(button.headers["Location"]).text


def test_a_save_to_a_draft_emptied_elsewhere_keeps_its_text(candidate):
    """The same draft open on another device was emptied there (and so removed): the text this
    page saves afterwards is kept, never lost to the emptying."""
    key = page_fields(candidate)["draft_key"]
    autosave(candidate, "Both pages started here.", key, 1)
    assert autosave(candidate, "", key, 3).json["attempt_id"] is None  # the other device
    kept = autosave(candidate, "This page typed on.", key, 2)
    assert kept.status_code == 200 and _draft_texts(candidate) == ["This page typed on."]


AUTOSAVE_FIELDS = {"draft_key": "page-key-1", "version": 1, "answer_text": "Typed."}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("draft_key", None),
        ("draft_key", "has spaces"),
        ("draft_key", "k" * 41),
        ("draft_key", 12),
        ("version", None),
        ("version", 0),
        ("version", 2**31),
        ("version", 1.5),
        ("version", "soon"),
        ("answer_text", ["a list"]),
    ],
)
def test_an_autosave_of_the_wrong_shape_is_a_400_naming_its_field(candidate, field, value):
    body = {**AUTOSAVE_FIELDS, field: value}
    if value is None:
        del body[field]
    token = csrf_from(candidate.get(OUTAGE).text)
    response = candidate.post(OUTAGE + "/draft", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.json["reason"] == "invalid"
    assert response.json["error"].startswith(f"Not saved: {field}: ")
    assert _drafts(candidate) == []


@pytest.mark.parametrize(("field", "value"), [("draft_key", "no spaces"), ("version", "-3")])
@pytest.mark.parametrize("action", ["draft", "submit"])
def test_a_form_of_the_wrong_shape_is_shown_again_with_its_text_under_a_new_key(
    candidate, action, field, value
):
    fields = page_fields(candidate)
    posted = candidate.post(
        f"{OUTAGE}/{action}",
        data={**fields, field: value, "answer_text": "Kept, not lost."},
    )
    assert posted.status_code == 400
    assert f"Not saved: {field}:" in posted.text and "Kept, not lost.</textarea>" in posted.text
    shown = dict(
        re.findall(r'name="(draft_key|version)" type="hidden" value="([^"]*)"', posted.text)
    )
    assert shown["version"] == "1" and shown["draft_key"] not in (value, fields["draft_key"])
    assert _drafts(candidate) == []
    again = post_form(candidate, "draft", "Kept, not lost.", shown["draft_key"], 1)
    assert again.status_code == 302 and _draft_texts(candidate) == ["Kept, not lost."]


def test_a_lone_surrogate_is_refused_and_an_emoji_is_text(candidate):
    token = csrf_from(candidate.get(OUTAGE).text)
    body = '{"draft_key": "k1", "version": 1, "answer_text": "before \\ud800 after"}'
    refused = candidate.post(
        OUTAGE + "/draft",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert refused.status_code == 400 and "answer_text" in refused.json["error"]
    assert _drafts(candidate) == []
    emoji = body.replace("\\ud800", "\\ud83d\\ude00")
    saved = candidate.post(
        OUTAGE + "/draft",
        data=emoji,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 200 and _draft_texts(candidate) == ["before 😀 after"]
