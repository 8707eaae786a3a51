"""A coach's journey through a real browser: edit a rubric as a draft, see each problem and the
preview as they type, publish, and a candidate's next answer is scored against the new version.
Waits are for states (`expect`), never fixed sleeps."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from pm_scoring import load_rubric
from tests.e2e.test_candidate_journey import ANSWER, sign_up, submit_answer

SHIPPED = load_rubric("incident-response").version
NEW_TITLE = "Puts service back before anything else"


def editor_text(page: Page):
    return page.locator("textarea[name=text]")


def test_a_coach_edits_publishes_and_the_next_answer_is_scored_against_it(page: Page, new_context):
    sign_up(page, "editor@example.com")  # the first account is the admin, who edits rubrics
    page.goto("/coach/")
    page.locator("#rubric-incident-response").get_by_role("button", name="Start a draft").click()
    expect(
        page.get_by_role("heading", name=f"Draft v{SHIPPED + 1} of incident-response")
    ).to_be_visible()
    preview = page.locator("#rubric-preview")
    status = page.locator("#save-status")
    original = editor_text(page).input_value()

    # A mistake is named with its line and field as soon as the coach stops typing.
    fixed = original.replace("title: Restores service first", f"title: {NEW_TITLE}")
    broken = re.sub(r"(?m)^(\s*weight: )", r"\1-", fixed, count=1)  # the first criterion's
    editor_text(page).fill(broken)
    expect(preview.get_by_role("alert")).to_contain_text("1 problem to fix before publishing")
    expect(preview.get_by_role("alert")).to_contain_text(
        re.compile(r"Line \d+ criteria\[\d\]\.weight")
    )
    expect(status).to_have_text(re.compile(r"^Saved \(revision 1\), 1 problem to fix\.$"))

    # Fixed, the preview shows the rubric as it will be published.
    editor_text(page).fill(fixed)
    expect(preview.get_by_text("No problems: this draft can be published.")).to_be_visible()
    expect(preview.get_by_role("heading", name=re.compile(NEW_TITLE))).to_be_visible()
    expect(status).to_have_text("Saved (revision 2).")

    # Nothing is lost on reload, and candidates still get the published version meanwhile.
    page.reload()
    expect(editor_text(page)).to_have_value(re.compile(NEW_TITLE))
    anonymous = new_context().new_page()
    anonymous.goto("/rubrics/incident-response")
    expect(anonymous.get_by_text("Restores service first").first).to_be_visible()

    page.get_by_role("button", name=f"Publish v{SHIPPED + 1}").click()
    expect(page).to_have_url(re.compile(rf"/rubrics/incident-response/v{SHIPPED + 1}$"))
    expect(page.get_by_text("live", exact=True)).to_be_visible()

    candidate = new_context().new_page()
    sign_up(candidate, "candidate@example.com")
    submit_answer(candidate, ANSWER)
    link = candidate.get_by_role("link", name=re.compile(rf"v{SHIPPED + 1}$"))
    expect(link).to_have_attribute("href", f"/rubrics/incident-response/v{SHIPPED + 1}")
    expect(candidate.get_by_text(NEW_TITLE).first).to_be_visible()


SELECT_WORDS = """([words]) => {
  // Select these words of the answer as a mouse would, then let go of the button.
  const answer = document.getElementById("answer-text");
  const at = answer.textContent.indexOf(words);
  const walker = document.createTreeWalker(answer, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node;
  while ((node = walker.nextNode())) {
    const length = node.textContent.length;
    if (seen <= at && at < seen + length) range.setStart(node, at - seen);
    if (seen < at + words.length && at + words.length <= seen + length) {
      range.setEnd(node, at + words.length - seen);
    }
    seen += length;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  answer.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
}"""


def test_a_coach_comments_on_a_sentence_and_the_candidate_sees_it(page: Page, new_context):
    sign_up(page, "admin@example.com")  # the first account: an admin, who can review
    candidate = new_context().new_page()
    sign_up(candidate, "candidate@example.com")
    submit_answer(candidate, ANSWER)
    candidate.get_by_label("Your coach's email").fill("admin@example.com")
    candidate.get_by_role("button", name="Share", exact=True).click()
    expect(candidate.get_by_text("Shared with admin@example.com.")).to_be_visible()

    page.goto("/coach/reviews")
    page.get_by_role("link", name="Handle a worldwide outage").click()
    expect(page).to_have_url(re.compile(r"/coach/reviews/\d+$"))
    page.wait_for_load_state()  # the page's scripts have run
    sentence = "we roll back the release to the last known good build straight away"
    page.evaluate(SELECT_WORDS, [sentence])
    expect(page.locator("#selected-quote q")).to_have_text(sentence)
    page.get_by_label("Your comment").fill("Who makes the call to roll back?")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added: the candidate is notified.")).to_be_visible()

    candidate.goto("/")
    expect(candidate.get_by_label("1 new")).to_be_visible()
    candidate.get_by_role("link", name="What's new").click()
    candidate.get_by_role("link", name="A coach commented on your answer").click()
    comment = candidate.locator(".coach-comment")
    expect(comment.locator("q")).to_have_text(sentence)
    expect(comment).to_contain_text("Who makes the call to roll back?")
    expect(comment).to_contain_text("admin@example.com")

    # The coach gives their own level for a criterion; the candidate sees it beside the engine's.
    page.get_by_label("Criterion", exact=True).select_option(label="Communicates openly")
    page.get_by_label("Your level", exact=True).select_option("1")
    page.get_by_label("Why (the candidate sees this)").fill(
        "Updates every 30 minutes are too slow."
    )
    page.get_by_role("button", name="Set level").click()
    expect(page.get_by_text("Your level is shown beside the engine's")).to_be_visible()
    candidate.reload()
    override = candidate.locator("#criterion-communication .coach-override")
    expect(override).to_contain_text("Coach's level: 1/4")
    expect(override).to_contain_text("Updates every 30 minutes are too slow.")


def test_the_form_view_names_each_problem_beside_its_field_as_the_coach_types(page: Page):
    sign_up(page, "editor@example.com")
    page.goto("/coach/")
    page.locator("#rubric-incident-response").get_by_role("button", name="Start a draft").click()
    page.get_by_role("link", name="Edit it as a form").click()
    weight = page.locator("input[name='criteria-0-weight']")
    weight.fill("-2")
    error = page.locator("#error-criteria-0-weight")
    expect(error).to_contain_text("greater than 0")
    expect(page.locator("#form-status")).to_contain_text("1 problem to fix")
    weight.fill("2")
    expect(error).to_have_text("")
    expect(page.locator("#form-status")).to_have_text(re.compile(r"^Saved \(revision \d+\)\.$"))
    page.get_by_role("button", name="Add a criterion").click()
    expect(
        page.get_by_role("group", name=re.compile(r"^Criterion \d+: criterion_\d+$"))
    ).to_be_visible()


def test_the_samples_scores_change_as_the_coach_edits_the_draft(page: Page):
    sign_up(page, "editor@example.com")
    page.goto("/coach/rubrics/incident-response")
    for text, level in ((ANSWER, "5 - exceptional"), ("I would stay calm and wait.", "1 - poor")):
        page.get_by_label("Sample answer").fill(text)
        page.get_by_label("Your level").select_option(label=level)
        page.get_by_role("button", name="Add sample").click()
        expect(page.get_by_text("Sample added")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Start a draft")).click()
    strong = page.locator("#rubric-preview tr.sample").filter(has_text="Before acting I would ask")
    expect(strong.locator("td").nth(2)).to_have_text(re.compile(r"^[5-9]\d \(\d\)$"))
    text = editor_text(page).input_value()
    banned = (
        "red_flags:\n- id: rollback-banned\n  title: Rolls back\n  detector: phrases\n"
        "  phrases: [roll back]\n  penalty: 100\n  message: Never roll back.\n"
    )
    editor_text(page).fill(text.replace("red_flags: []\n", banned))
    expect(strong.locator("td").nth(2)).to_have_text("0 (1)")
    expect(page.get_by_text("agrees less with your levels than the live version")).to_be_visible()


def test_a_coach_rescores_past_answers_and_the_candidate_sees_both_scores(page: Page, new_context):
    sign_up(page, "editor@example.com")
    candidate = new_context().new_page()
    sign_up(candidate, "candidate@example.com")
    result_url = submit_answer(candidate, ANSWER)
    record = candidate.locator(".result-header .score-badge").inner_text()

    page.goto("/coach/")
    page.locator("#rubric-incident-response").get_by_role("button", name="Start a draft").click()
    text = editor_text(page).input_value()
    banned = (
        "red_flags:\n- id: rollback-banned\n  title: Rolls back\n  detector: phrases\n"
        "  phrases: [roll back]\n  penalty: 100\n  message: Never roll back.\n"
    )
    editor_text(page).fill(text.replace("red_flags: []\n", banned))
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved \(revision 1\)\.$"))
    page.get_by_role("button", name=f"Publish v{SHIPPED + 1}").click()
    page.goto("/coach/rubrics/incident-response")
    page.get_by_role("button", name="Score past answers again").click()
    expect(page.locator("#rescoring-status")).to_have_text(
        "Done: 1 answer scored again, 1 differently.", timeout=20_000
    )
    expect(page.locator("#rescoring-bar")).to_have_attribute("value", "1")

    candidate.goto(result_url)
    later = candidate.locator(".later-score")
    expect(later).to_contain_text(f"Scored again against v{SHIPPED + 1}")
    expect(later).to_contain_text(f"Your score of record stays {record.split('/')[0]}")
