"""Cross-site scripting: a corpus of payloads goes through every Markdown and text field a user,
coach or admin can write, and every page that shows them must show them inert: no <script> of
ours that is not a file under /static, no on* attribute, no javascript:/data: link or source."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import yaml
from sqlmodel import select

from app.extensions import db
from app.models import Attempt, AttemptStatus, Question
from app.review.services import share_with_coach
from tests.conftest import csrf_from
from tests.web import test_security
from tests.web.test_admin_questions import create
from tests.web.test_bank_import import bank_yaml, upload
from tests.web.test_security import EMAILS, World

world_template = test_security.world_template
world = test_security.world

# Each payload, if it ran, would set window.__xss or open a dialog (the browser test watches both).
CORPUS = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "<a href=\"javascript:window.__xss='a-js'\">js link</a>",
    "[md js link](javascript:window.__xss='md-js')",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    "![md data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg onload=\"window.__xss='svg'\"><circle r=1></circle></svg>",
    "<a href=\"&#106;avascript:window.__xss='entity'\">entity link</a>",
    "[entity md](&#x6A;avascript:window.__xss='entity-md')",
    "<a href=\" JaVaScRiPt:window.__xss='case'\">case link</a>",
    "<scr<script>ipt>window.__xss='nested'</scr</script>ipt>",
    "--><script>window.__xss='comment'</script><!--",
    '"><img src=x onerror="window.__xss=\'attr\'">',
    "'><svg/onload=alert('attr-single')>",
    "</textarea><script>alert('textarea')</script>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<details open ontoggle=\"window.__xss='toggle'\"><summary>x</summary></details>",
    "<math><mi xlink:href=\"javascript:alert('math')\">m</mi></math>",
    "<form action=\"javascript:alert('form')\"><button>go</button></form>",
    "`<script>alert('code')</script>` and ```\n<script>alert('fence')</script>\n```",
]
MARK = "XSSMARK"  # shown as text wherever a field is rendered, so each check knows it got there
TEXT = MARK + "\n\n" + "\n\n".join(CORPUS)
ANSWER_TEXT = "My answer, not the template. " + TEXT


def chunks(limit: int) -> list[str]:
    """The corpus in pieces of at most `limit` characters, each starting with the mark."""
    pieces, current = [], MARK
    for payload in CORPUS:
        if len(current) + len(payload) + 1 > limit:
            pieces.append(current)
            current = MARK
        current += " " + payload
    return [*pieces, current]


# --- The check ---------------------------------------------------------------------------------

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "base"}
_INVISIBLE = re.compile(r"[\x00-\x20]+")


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            source = values.get("src") or ""
            if not source.startswith("/static/"):  # only the app's own files, never inline
                self.problems.append(f"<script> not from /static: {attrs}")
            self._in_script = True
        elif tag in _DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            url = _INVISIBLE.sub("", (value or "")).lower()  # attribute values are unescaped
            if name in _URL_ATTRIBUTES and url.startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def executable_parts(page: str) -> list[str]:
    scan = _Scan()
    scan.feed(page)
    scan.close()
    return scan.problems


def assert_inert(page: str, where: str, marks: int = 1) -> None:
    problems = executable_parts(page)
    assert problems == [], (where, problems)
    assert page.count(MARK) >= marks, f"{where} does not show the field this test wrote"


def test_the_check_finds_each_kind_of_executable_html():
    """The checker itself: each HTML payload of the corpus, left as it was written, is caught."""
    raw_html = [p for p in CORPUS if p.startswith(("<", "-", '"', "'")) and "<scr<" not in p]
    assert len(raw_html) >= 12
    for payload in raw_html:
        assert executable_parts(f"<p>{payload}</p>"), payload
    assert executable_parts('<script src="/static/js/answer.js"></script>') == []
    assert executable_parts("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == []


# --- Writing the corpus everywhere ---------------------------------------------------------------


def _press(client, url: str, **fields: str):
    return client.post(url, data={"csrf_token": csrf_from(client.get("/account").text), **fields})


def write_everywhere(world: World) -> dict[str, object]:
    """Every Markdown and text field, written through the forms as each role would."""
    app, admin, coach, candidate = (
        world.app,
        world.clients["admin"],
        world.clients["coach"],
        world.clients["candidate_a"],
    )
    # The question, by the admin's editor: title, prompt, hints, model answer, answer template.
    created = create(
        admin,
        slug="xss-question",
        title=f"{MARK} <script>alert('title')</script> \"><img src=x onerror=alert(1)>",
        prompt=TEXT,
        hints="\r\n".join([MARK, *CORPUS]),
        model_answer=TEXT,
        answer_template=TEXT,
        companies=f"{MARK} <b onmouseover=alert(1)>Acme</b>",
        tags=f"{MARK}<script>alert(1)</script>",
    )
    assert created.status_code == 302, created.text
    question_id = int(re.search(r"/admin/questions/(\d+)/edit", created.headers["Location"])[1])

    # The answer, by the candidate, shared with the coach.
    page = candidate.get("/questions/xss-question").text
    submitted = candidate.post(
        "/questions/xss-question/submit",
        data={
            "answer_text": ANSWER_TEXT,
            "time_spent_seconds": "60",
            "csrf_token": csrf_from(page),
        },
    )
    assert submitted.status_code == 302, submitted.text
    attempt = int(submitted.headers["Location"].rsplit("/", 1)[1])
    # A second answer, so the compare page sets two side by side.
    again = candidate.post(
        "/questions/xss-question/submit",
        data={
            "answer_text": ANSWER_TEXT + " Said once more.",
            "time_spent_seconds": "60",
            "csrf_token": csrf_from(candidate.get("/questions/xss-question").text),
        },
    )
    assert again.status_code == 302, again.text
    second_attempt = int(again.headers["Location"].rsplit("/", 1)[1])
    with app.app_context(), db.session() as session:
        owner = session.get(Attempt, attempt).user_id
        share_with_coach(session, owner, attempt, EMAILS["coach"])
        # A draft too, so the answer box shows the corpus typed so far.
        question = session.exec(select(Question).where(Question.slug == "xss-question")).one()
        assert question.id == question_id
    drafted = candidate.post(
        "/questions/xss-question/draft",
        json={"draft_key": "xss-draft", "version": 1, "answer_text": ANSWER_TEXT + " (a draft)"},
        headers={"X-CSRFToken": csrf_from(candidate.get("/account").text)},
    )
    assert drafted.status_code == 200

    # The coach: comments, level-override reasons, sample notes.
    review = f"/coach/reviews/{attempt}"
    assert _press(coach, review + "/comments", body=chunks(2000)[0]).status_code == 302
    criterion = re.search(r'<option value="([^"]+)"', coach.get(review).text)[1]
    for reason in chunks(500):
        overridden = _press(
            coach, review + "/overrides", criterion=criterion, level="2", reason=reason
        )
        assert overridden.status_code == 302, overridden.text
    rubric_id = _rubric_of(coach, review)
    for note in chunks(200):
        sample = _press(
            coach,
            f"/coach/rubrics/{rubric_id}/samples",
            text="We rolled back at once and told everyone on the status page.",
            level="3",
            question="",
            note=note,
        )
        assert sample.status_code == 302, sample.text

    # The rubric, by a coach's draft, published.
    draft_id = world.ids["draft_id"]
    editor = coach.get(f"/coach/drafts/{draft_id}").text
    source = html.unescape(re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", editor, re.S)[1])
    revision = int(re.search(r'name="revision" type="hidden" value="(\d+)"', editor)[1])
    content = yaml.safe_load(source)
    content["title"] = f"{MARK} <script>alert('rubric')</script>"
    content["description"] = TEXT
    first = content["criteria"][0]
    first["title"], first["description"], first["tip"] = (
        f"{MARK} <img src=x onerror=alert(1)>",
        TEXT,
        TEXT,
    )
    first["levels"] = {
        level: f"{MARK} {payload}" for level, payload in zip(first["levels"], CORPUS, strict=False)
    }
    for flag in content.get("red_flags", [])[:1]:
        flag["title"], flag["message"] = f"{MARK} <svg onload=alert(1)>", TEXT
    saved = coach.post(
        f"/coach/drafts/{draft_id}",
        json={"text": yaml.safe_dump(content, sort_keys=False), "revision": revision},
        headers={"X-CSRFToken": csrf_from(editor)},
    )
    assert saved.status_code == 200 and saved.json["problems"] == [], saved.json
    assert_inert(saved.json["preview"], "the editor's live preview")
    published = _press(coach, f"/coach/drafts/{draft_id}/publish", confirm="yes")
    assert published.status_code == 302, published.text
    return {
        "attempt": attempt,
        "second_attempt": second_attempt,
        "question_id": question_id,
        "rubric": world.ids["rubric_id"],
        "sample_rubric": rubric_id,
        "published": published.headers["Location"],
    }


def _rubric_of(coach, review: str) -> str:
    return re.search(r'href="/rubrics/([a-z0-9-]+)/v\d+"', coach.get(review).text)[1]


# Pages that list what happened without the text itself: checked inert, whatever they show.
SUMMARIES = {"/notifications", "/progress", "/admin/audit"}


def test_every_page_shows_every_written_field_inert(world: World):
    written = write_everywhere(world)
    attempt, rubric = written["attempt"], written["rubric"]
    candidate, coach, admin, anonymous = (
        world.clients[v] for v in ("candidate_a", "coach", "admin", "anonymous")
    )
    pages = [
        (anonymous, "/questions"),
        (anonymous, "/questions/xss-question"),
        (anonymous, f"/rubrics/{rubric}"),
        (anonymous, written["published"]),
        (candidate, "/questions"),
        (candidate, "/questions/xss-question"),
        (candidate, f"/attempts/{attempt}"),
        (candidate, "/questions/xss-question/attempts"),
        (candidate, f"/attempts/compare?first={attempt}&second={written['second_attempt']}"),
        (candidate, "/notifications"),
        (candidate, "/progress"),
        (coach, "/coach/reviews"),
        (coach, f"/coach/reviews/{attempt}"),
        (coach, f"/coach/rubrics/{rubric}"),
        (coach, f"/coach/rubrics/{written['sample_rubric']}"),  # the sample notes
        (admin, "/admin/questions?q=xss-question"),
        (admin, f"/admin/questions/{written['question_id']}/edit"),
        (admin, "/admin/audit"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.text, url, marks=0 if url in SUMMARIES else 1)
    # The result page shows the answer, the coach's comment and each override's reason.
    result = candidate.get(f"/attempts/{attempt}").text
    assert result.count(MARK) >= 3
    assert "&lt;script&gt;" in result  # shown as text, not dropped: the candidate sees it


def test_the_markdown_preview_returns_inert_html(world: World):
    admin = world.clients["admin"]
    token = csrf_from(admin.get("/admin/questions/new").text)
    preview = admin.post(
        "/admin/questions/preview", json={"text": TEXT}, headers={"X-CSRFToken": token}
    )
    assert preview.status_code == 200
    assert_inert(preview.json["html"], "the question editor's preview")


def test_reflected_search_and_filter_values_are_inert(world: World):
    payload = CORPUS[12] + CORPUS[2] + MARK
    for client, url in (
        (world.clients["anonymous"], "/questions?q="),
        (world.clients["admin"], "/admin/users?q="),
        (world.clients["coach"], "/coach/reviews?candidate="),
    ):
        response = client.get(url + payload)
        assert response.status_code in {200, 404}, url
        assert_inert(response.text, url)


def test_an_email_shaped_payload_is_refused_or_inert(world: World):
    """Email fields: a share with a "coach" whose address is a payload is refused, and the page
    that says so shows it inert."""
    candidate = world.clients["candidate_a"]
    attempt = world.ids["attempt_id"]
    payload = f'"><img src=x onerror=alert(1)>{MARK}@example.com'
    shared = _press(candidate, f"/attempts/{attempt}/shares", email=payload)
    assert shared.status_code == 302
    page = candidate.get(shared.headers["Location"]).text
    assert_inert(page, "the result page after a refused share", marks=0)
    with world.app.app_context(), db.session() as session:
        assert session.get(Attempt, attempt).status == AttemptStatus.SUBMITTED


def test_imported_questions_follow_up_replies_and_mock_interviews_show_inert(world: World):
    admin, candidate = world.clients["admin"], world.clients["candidate_a"]
    # A question arriving by import: its preview before it is applied, then its page.
    imported = {
        "slug": "xss-imported",
        "title": f"{MARK} <script>alert('import')</script>",
        "prompt": TEXT,
        "rubric": "product-design",
        "type": "product-design",
        "hints": [MARK, *CORPUS],
        "model_answer": TEXT,
        "tags": [f"{MARK}<b onmouseover=alert(1)>t</b>"],
    }
    uploaded = upload(admin, "xss.yaml", bank_yaml(imported).encode())
    assert uploaded.status_code == 302, uploaded.text
    preview_url = uploaded.headers["Location"]
    preview = admin.get(preview_url).text
    assert_inert(preview, "the import's preview")
    applied = admin.post(preview_url + "/apply", data={"csrf_token": csrf_from(preview)})
    assert applied.status_code == 302, applied.text
    assert_inert(world.clients["anonymous"].get("/questions/xss-imported").text, "imported")

    # A reply to the follow-up question on the candidate's result.
    attempt = world.ids["attempt_id"]
    result = f"/attempts/{attempt}"
    replied = _press(candidate, result + "/follow-up", reply=chunks(2000)[0])
    assert replied.status_code == 302, replied.text
    assert_inert(candidate.get(result).text, "the result with a follow-up reply", marks=1)

    # A mock interview: the answer as saved, then the report of ending it early.
    started = _press(candidate, "/mock/new", mode="filters", count="3")
    assert started.status_code == 302, started.text
    mock = started.headers["Location"]
    saved = candidate.post(
        mock + "/answer",
        json={"position": 1, "version": 1, "answer_text": ANSWER_TEXT},
        headers={"X-CSRFToken": csrf_from(candidate.get("/account").text)},
    )
    assert saved.status_code == 200, saved.text
    assert_inert(candidate.get(mock).text, "the mock interview's question")
    finished = _press(
        candidate, mock + "/finish", position="1", version="2", answer_text=ANSWER_TEXT
    )
    assert finished.status_code == 302, finished.text
    report = candidate.get(finished.headers["Location"])
    assert report.status_code == 200
    assert_inert(report.text, "the mock interview's report", marks=0)
