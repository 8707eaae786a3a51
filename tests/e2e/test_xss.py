"""The XSS corpus in a real browser: written through every field (as tests/web/test_xss.py does),
then every page that shows it is opened in Chromium, after its scripts ran (the answer page
restoring its text, the editors' previews set with innerHTML). No dialog may open, no payload's
global may be set, nothing may be refused by the Content Security Policy (a refusal means a
payload reached the page as code), and the live DOM may hold no executable part."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_candidate_journey import log_in
from tests.web.test_security import EMAILS, build_world
from tests.web.test_xss import MARK, SUMMARIES, TEXT, write_everywhere

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


def assert_inert(page: Page, watch: Watch, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    if url not in SUMMARIES:  # pages listing what happened need not show the text itself
        expect(page.locator("body")).to_contain_text(MARK)
    assert page.evaluate("() => window.__xss") is None, url
    assert page.evaluate(EXECUTABLE_PARTS) == [], url
    assert watch.dialogs == [] and watch.refused == [], (url, watch.dialogs, watch.refused)


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
    for visitor, urls in by_visitor.items():
        page, watch = open_as(new_context, visitor)
        for url in urls:
            assert_inert(page, watch, url)

    # The question editor's live preview puts the server's HTML in the page with innerHTML.
    page, watch = open_as(new_context, "admin")
    page.goto("/admin/questions/new")
    prompt = page.get_by_label("Prompt (Markdown)", exact=True)
    prompt.fill(TEXT)
    prompt.press("End")  # typing starts the preview
    preview = page.locator("#prompt-preview")
    expect(preview).to_contain_text(MARK)
    expect(preview).to_contain_text("md js link")  # the corpus's last parts arrived too
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate(EXECUTABLE_PARTS) == []
    assert watch.dialogs == [] and watch.refused == []
