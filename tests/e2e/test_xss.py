"""The XSS corpus in a real browser: written through every field (as tests/web/test_xss.py does),
then every page that shows it is opened in Chromium, after its scripts ran (the answer page
restoring its text, the editors' previews set with innerHTML). No dialog may open, no payload's
global may be set, nothing may be refused by the Content Security Policy (a refusal means a
payload reached the page as code), and the live DOM may hold no executable part.

Some pages get the corpus from the browser itself: a bank file uploaded for its preview, a rubric
typed into the editor, a mock interview's answers, a follow-up reply, and the AI coach's advice
(from the stand-in OpenAI server) that the result page fetches and sets with innerHTML."""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import quoteattr

import yaml
from playwright.sync_api import Page, expect

from tests.e2e import test_follow_up
from tests.e2e.conftest import TIMEOUT_MS, LiveServer
from tests.e2e.test_candidate_journey import log_in, sign_up, submit_answer
from tests.feedback.standin import Reply, completion
from tests.web.test_admin_questions import create
from tests.web.test_bank_import import bank_yaml
from tests.web.test_security import EMAILS, World, build_world
from tests.web.test_xss import (
    ANSWER_TEXT,
    CORPUS,
    MARK,
    SUMMARIES,
    TEXT,
    chunks,
    write_everywhere,
)

ai_server = test_follow_up.ai_server  # the live server with AI feedback, and its stand-in

# Run in the page: what in the live DOM could run (the same rules as the HTML check).
EXECUTABLE_PARTS = """() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    const tag = element.tagName.toLowerCase();
    if (tag === "script" && !(element.getAttribute("src") || "").startsWith("/static/")) {
      found.push("script: " + element.outerHTML.slice(0, 80));
    }
    if (["iframe", "object", "embed", "base"].includes(tag)) found.push(tag);
    for (const attribute of element.attributes) {
      const value = attribute.value.replace(/[\\u0000-\\u0020]+/g, "").toLowerCase();
      if (attribute.name.startsWith("on")) found.push(tag + " " + attribute.name);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(attribute.name) &&
          /^(javascript|data|vbscript):/.test(value)) {
        found.push(tag + " " + attribute.name + "=" + value.slice(0, 40));
      }
    }
  }
  return found;
}"""


class Watch:
    """What a page did that a payload would make it do."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.refused: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)


def open_as(new_context, visitor: str) -> tuple[Page, Watch]:
    page = new_context().new_page()
    watch = Watch(page)
    if visitor != "anonymous":
        log_in(page, EMAILS[visitor])
    return page, watch


def assert_nothing_ran(page: Page, watch: Watch, where: str) -> None:
    """The page as it stands: no payload's global set, nothing in the DOM that could run, and no
    dialog opened or code refused since the page was opened."""
    assert page.evaluate("() => window.__xss") is None, where
    assert page.evaluate(EXECUTABLE_PARTS) == [], where
    assert watch.dialogs == [] and watch.refused == [], (where, watch.dialogs, watch.refused)


def assert_inert(page: Page, watch: Watch, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    if url not in SUMMARIES:  # pages listing what happened need not show the text itself
        expect(page.locator("body")).to_contain_text(MARK)
    assert_nothing_ran(page, watch, url)


def test_no_payload_runs_on_any_page_that_shows_one(live_server: LiveServer, new_context):
    world = build_world(live_server.app)
    written = write_everywhere(world)
    attempt = written["attempt"]
    by_visitor = {
        "anonymous": [
            "/questions",
            "/questions/xss-question",
            f"/rubrics/{written['rubric']}",
            written["published"],
        ],
        "candidate_a": [
            "/questions",
            "/questions/xss-question",  # the answer box, restored by the page's script
            f"/attempts/{attempt}",
            "/questions/xss-question/attempts",
            f"/attempts/compare?first={attempt}&second={written['second_attempt']}",
            "/notifications",
            "/progress",
        ],
        "coach": [
            "/coach/reviews",
            f"/coach/reviews/{attempt}",
            f"/coach/rubrics/{written['rubric']}",
            f"/coach/rubrics/{written['sample_rubric']}",
            written["published"],
        ],
        "admin": [
            "/admin/questions?q=xss-question",
            f"/admin/questions/{written['question_id']}/edit",
            "/admin/audit",
        ],
    }
    opened = {visitor: open_as(new_context, visitor) for visitor in by_visitor}
    for visitor, urls in by_visitor.items():
        for url in urls:
            assert_inert(*opened[visitor], url)

    # The question editor's live preview puts the server's HTML in the page with innerHTML.
    page, watch = opened["admin"]
    page.goto("/admin/questions/new")
    prompt = page.get_by_label("Prompt (Markdown)", exact=True)
    prompt.fill(TEXT)
    prompt.press("End")  # typing starts the preview
    preview = page.locator("#prompt-preview")
    expect(preview).to_contain_text(MARK)
    expect(preview).to_contain_text("md js link")  # the corpus's last parts arrived too
    assert_nothing_ran(page, watch, "the question editor's preview")

    preview_bank_imports(*opened["admin"])
    type_a_rubric_draft(*opened["coach"])
    take_a_mock_interview(*opened["candidate_a"], world)


# A file name the preview shows as its title (the upload keeps no folder, so no "/" in it).
BANK_FILE = f"<img src=x onerror=\"window.__xss='file'\">{MARK}"


def upload_bank(page: Page, name: str, content: str) -> None:
    page.goto("/admin/bank")
    page.get_by_label("Bank file").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": content.encode()}
    )
    page.get_by_label("Rubric for questions that name none").select_option("product-design")
    page.get_by_role("button", name="Preview the import").click()


def preview_bank_imports(page: Page, watch: Watch) -> None:
    """The preview of an upload, before it is applied: new questions' titles, each changed field
    old and new, what was skipped, and the problems of a refused file, each straight from it."""
    changed = {
        "slug": "xss-question",  # written by the question editor, so both sides carry the corpus
        "title": f"{MARK} changed <svg onload=\"window.__xss='changed'\"></svg>",
        "prompt": TEXT + "\n\nChanged.",
        "rubric": "product-design",
        "type": "product-design",
        "hints": [*reversed(CORPUS), MARK],
        "model_answer": "Changed. " + TEXT,
        "tags": [f"{MARK}<b onmouseover=alert(1)>t</b>"],
    }
    new = {
        "slug": "xss-imported",
        "title": f"{MARK} <script>window.__xss='import'</script>",
        "prompt": TEXT,
        "rubric": "product-design",
        "type": "product-design",
    }
    refused = {**new, "tags": [f"{MARK} too long for a tag <script>alert('tag')</script>"]}
    upload_bank(page, BANK_FILE + ".yaml", bank_yaml(refused))
    expect(page.get_by_role("alert")).to_contain_text("at most 40 characters")
    assert_nothing_ran(page, watch, "the refusal of a bank with a problem")
    expect(page.get_by_role("alert")).to_contain_text(BANK_FILE)

    upload_bank(page, BANK_FILE + ".yaml", bank_yaml(changed, new))
    expect(page.locator("#import-summary")).to_contain_text("1 new, 1 changed")
    assert_nothing_ran(page, watch, "the preview of a YAML bank")
    expect(page.get_by_role("heading", level=1)).to_contain_text(MARK)
    expect(page.locator("#import-new")).to_contain_text(MARK)
    expect(page.locator("#import-changed")).to_contain_text("Changed.")

    # Moodle XML: an essay is a new question, every other type is skipped, each named as it is.
    skipped = "".join(
        f"<question type={quoteattr(kind)}><name><text><![CDATA[{MARK} {payload}]]></text>"
        "</name></question>"
        for kind, payload in zip(["truefalse", *CORPUS], CORPUS, strict=False)
    )
    moodle = (
        '<?xml version="1.0" encoding="UTF-8"?><quiz><question type="essay"><name><text>'
        f"<![CDATA[{MARK} <img src=x onerror=\"window.__xss='essay'\">]]></text></name>"
        f'<questiontext format="html"><text><![CDATA[{TEXT}]]></text></questiontext>'
        f"</question>{skipped}</quiz>"
    )
    upload_bank(page, BANK_FILE + ".xml", moodle)
    expect(page.locator("#import-summary")).to_contain_text(
        f"1 new, 0 changed, 0 unchanged, {len(CORPUS)} skipped"
    )
    assert_nothing_ran(page, watch, "the preview of a Moodle bank")
    expect(page.locator("#import-new")).to_contain_text(MARK)
    expect(page.locator("#import-skipped li")).to_have_count(len(CORPUS))
    expect(page.locator("#import-skipped")).to_contain_text(CORPUS[-2])


def type_a_rubric_draft(page: Page, watch: Watch) -> None:
    """The rubric editor saves as the coach types and sets the server's preview with innerHTML:
    first the problems of a broken draft, which quote what was typed, then the rubric."""
    page.goto("/coach/")
    page.locator("#rubric-incident-response").get_by_role("button", name="Start a draft").click()
    status, preview = page.locator("#save-status"), page.locator("#rubric-preview")
    expect(status).to_have_text("Saved (revision 0).")
    assert_nothing_ran(page, watch, "the draft of a rubric published with the corpus")
    editor = page.locator("textarea[name=text]")
    content = yaml.safe_load(editor.input_value())
    # Cut down to two criteria without example sentences: filling the editor with the whole
    # rubric (38 kB) takes Chromium seconds.
    content["criteria"] = content["criteria"][:2]
    for concept in (c for criterion in content["criteria"] for c in criterion["concepts"]):
        concept.pop("examples", None)
    content["red_flags"] = [
        {
            "id": "xss-flag",
            "title": f"{MARK} <svg onload=\"window.__xss='flag'\"></svg>",
            "detector": "phrases",
            "phrases": ["roll back"],
            "penalty": 5,
            "message": TEXT,
        }
    ]

    concept = content["criteria"][0]["concepts"][0]
    concept["patterns"] = [f"{MARK} <img src=x onerror=\"window.__xss='pattern'\">("]
    editor.fill(yaml.safe_dump(content, sort_keys=False))
    expect(status).to_have_text(re.compile(r"^Saved \(revision 1\), 1 problem to fix\.$"))
    assert_nothing_ran(page, watch, "the rubric editor's problems")
    expect(preview.get_by_role("alert")).to_contain_text("is not a valid regular expression")
    expect(preview.get_by_role("alert")).to_contain_text(MARK)

    concept["patterns"] = []
    concept["tip"] = f"{MARK} typed tip <script>window.__xss='tip'</script>"
    content["title"] = f"{MARK} typed <img src=x onerror=\"window.__xss='rubric'\">"
    content["description"] = TEXT
    criterion = content["criteria"][0]
    criterion["title"], criterion["description"], criterion["tip"] = (
        f"{MARK} typed <svg onload=\"window.__xss='criterion'\"></svg>",
        TEXT,
        TEXT,
    )
    criterion["levels"] = {
        level: f"{MARK} typed {payload}"
        for level, payload in zip(criterion["levels"], reversed(CORPUS), strict=False)
    }
    editor.fill(yaml.safe_dump(content, sort_keys=False))
    expect(status).to_have_text("Saved (revision 2).")
    assert_nothing_ran(page, watch, "the rubric editor's preview")
    expect(preview.get_by_text("No problems: this draft can be published.")).to_be_visible()
    expect(preview).to_contain_text(f"{MARK} typed tip")


def take_a_mock_interview(page: Page, watch: Watch, world: World) -> None:
    """A mock interview of questions carrying the corpus, chosen by a company that is a payload:
    the start page refusing too few, each question with its answer saved and restored, and the
    report, which shows the text of an answer it could not score."""
    # The company write_everywhere gave its question (the only one, so far, with it).
    company = f"{MARK} <b onmouseover=alert(1)>Acme</b>"
    page.goto("/mock/new")
    page.get_by_label("How many questions").fill("3")
    page.get_by_label("Company").select_option(label=company)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("main form").first).to_contain_text("Only 1 of the questions")
    assert_nothing_ran(page, watch, "the mock interview's start page refusing its filters")
    expect(page.locator("main form").first).to_contain_text(f"asked at {company}")

    admin = world.clients["admin"]
    for number, piece in enumerate(chunks(500), 1):
        created = create(
            admin,
            slug=f"xss-mock-{number}",
            title=f"{MARK} {number} <img src=x onerror=\"window.__xss='mock'\">",
            prompt=piece,
            companies=company,
            answer_template=TEXT,
        )
        assert created.status_code == 302, created.text
    page.goto("/mock/new")
    page.get_by_label("How many questions").fill("3")
    page.get_by_label("Company").select_option(label=company)
    page.get_by_role("button", name="Start", exact=True).click()

    heading = page.get_by_role("heading", level=1)
    box, status = page.get_by_role("textbox", name="Your answer"), page.locator("#save-status")
    expect(heading).to_contain_text("Question 1 of 3")
    box.fill(ANSWER_TEXT)
    expect(status).to_have_text("Saved")
    page.reload()
    expect(heading).to_contain_text("Question 1 of 3")
    assert_nothing_ran(page, watch, "a mock interview's question with its saved answer")
    expect(heading).to_contain_text(MARK)
    expect(box).to_have_value(ANSWER_TEXT)  # the saved answer, back in its box
    page.get_by_role("button", name="Next question").click()

    expect(heading).to_contain_text("Question 2 of 3")
    assert_nothing_ran(page, watch, "a mock interview's next question")
    expect(heading).to_contain_text(MARK)
    box.fill(TEXT)  # only the question's template: not scored, so the report shows its text
    page.get_by_role("button", name="End the interview now").click()
    expect(page).to_have_url(re.compile(r"/mock/\d+/report$"))
    expect(page.get_by_role("heading", name="Each answer")).to_be_visible()
    assert_nothing_ran(page, watch, "the mock interview's report")
    expect(page.locator(".mock-note")).to_contain_text(["template", "Not reached"])
    expect(page.locator("table.mock-answers .answer-text")).to_contain_text(MARK)
    assert_inert(page, watch, "/mock")


def test_no_payload_runs_in_the_ai_advice_or_a_follow_up_reply(browser, ai_server):
    """The model's words are untrusted: its advice, with the corpus in every field, is fetched
    by the result page and set with innerHTML, and its follow-up question (quoting the answer's
    payloads) replaces the rubric's with outerHTML. The candidate's reply to it is shown too."""
    server, standin = ai_server
    everything, (quoted, asked, *_) = chunks(2000)[0], chunks(300)
    hostile = {
        "summary": everything,
        "criteria": [
            {"id": "mitigation", "good": everything, "good_quote": everything, "add": everything,
             "add_quote": everything, "level": 3},
        ],
        "rewrite": TEXT + "\n\nRewritten by the AI coach.",
        "follow_up": {"criterion": "metrics", "question": asked, "quote": quoted},
    }  # fmt: skip
    # The model takes a moment, so the page first shows the panel pending and polls for it.
    standin.script(Reply(body=completion(json.dumps(hostile)), delay=3))
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        watch = Watch(page)
        sign_up(page, "ai-xss@example.com")
        submit_answer(page, ANSWER_TEXT)
        panel, follow_up = page.locator("#ai-feedback"), page.locator("#follow-up")
        expect(panel).to_have_attribute("data-status", "pending")
        expect(panel).to_have_attribute("data-status", "ok", timeout=15_000)
        expect(panel).to_contain_text(MARK)
        assert_nothing_ran(page, watch, "the AI advice panel")
        expect(panel.locator(".advice q").first).to_contain_text(MARK)  # a quote of the answer
        expect(panel.locator(".rewrite")).to_contain_text("Rewritten by the AI coach.")
        # Once the advice is in, the page fetches the AI's follow-up in place of the rubric's.
        expect(follow_up).to_have_attribute("data-source", "ai")
        expect(follow_up.locator(".follow-up-question")).to_contain_text(MARK)
        assert_nothing_ran(page, watch, "the AI's follow-up question")

        follow_up.get_by_label("Your reply").fill(everything)
        follow_up.get_by_role("button", name="Answer the follow-up").click()
        expect(page.get_by_text("Follow-up scored")).to_be_visible()
        expect(follow_up.locator(".follow-up-reply")).to_contain_text(MARK)
        assert_nothing_ran(page, watch, "the result with the follow-up answered")
        expect(follow_up.locator(".follow-up-source")).to_contain_text(MARK)  # the AI's quote
        expect(panel).to_have_attribute("data-status", "ok")  # the advice, now in the page
    finally:
        context.close()
