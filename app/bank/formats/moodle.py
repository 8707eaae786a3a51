"""Moodle XML (`<quiz>` of `<question type="...">`), read and written.

Only essay questions are practice questions; every other type is skipped and counted. A
`<question type="category">` sets the category of the questions after it: the segment of its path
that names a question type sets the type, the other meaningful segments become tags. Moodle has
no fields for a question's rubric, companies, difficulty or time limit, so they travel as
prefixed tags (`rubric:star`, `company:Google`, `difficulty:hard`, `minutes:10`), which reading
turns back into fields; a bank written here reads back as the same questions.

The XML is parsed by defusedxml: a file declaring entities (the "billion laughs") or referring
to external ones is refused, never expanded or fetched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from .core import BankFormat, Candidate, Collector, ImportFile, register
from .spec import QuestionSpec

MAX_DEPTH = 64
# Tags carrying the fields Moodle has no place for: prefix -> field.
TAG_FIELDS = {"rubric:": "rubric", "company:": "companies", "difficulty:": "difficulty",
              "minutes:": "time_limit_minutes"}  # fmt: skip
_PLACEHOLDER_SEGMENTS = re.compile(r"^(\$\w+\$|top|default for .*)$", re.IGNORECASE)


class _TooDeep(Exception):
    pass


class _LineTreeBuilder(ElementTree.TreeBuilder):
    """Builds the tree, noting each element's line and refusing deep nesting."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.lines: dict[ElementTree.Element, int] = {}
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ElementTree.Element:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep
        element = super().start(tag, attrs)
        if tag == "question" and self.parser is not None:
            self.lines[element] = self.parser.parser.CurrentLineNumber
        return element

    def end(self, tag: str) -> ElementTree.Element:
        self.depth -= 1
        return super().end(tag)


def parse_xml(file: ImportFile, out: Collector) -> tuple[ElementTree.Element, dict] | None:
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False)
    builder.parser = parser
    try:
        parser.feed(file.data)
        root = parser.close()
    except DefusedXmlException as exc:
        out.problem(
            file.name,
            None,
            None,
            f"refused: the XML declares entities or refers to external ones ({type(exc).__name__})",
        )
        return None
    except _TooDeep:
        out.problem(file.name, None, None, f"refused: XML nested over {MAX_DEPTH} deep")
        return None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        out.problem(file.name, line, None, f"invalid XML: {exc}".split(": line")[0])
        return None
    return root, builder.lines


def category_segments(path: str) -> list[str]:
    """`$course$/top/Behavioral/Conflict` -> ["Behavioral", "Conflict"] (`//` is a `/` inside a
    name, as Moodle writes it)."""
    parts = [p.replace("//", "/").strip() for p in re.split(r"(?<!/)/(?!/)", path)]
    return [p for p in parts if p and not _PLACEHOLDER_SEGMENTS.match(p)]


def text_of(element: ElementTree.Element | None) -> str | None:
    """A Moodle text element (`format` attribute, `<text>` child) as Markdown, or None."""
    if element is None:
        return None
    text = element.findtext("text") or ""
    text_format = element.get("format", "html")
    if text_format in ("html", "moodle_auto_format"):
        text = html_to_markdown(text, keep_newlines=text_format == "moodle_auto_format")
    return text.strip() or None


def read_moodle(file: ImportFile, out: Collector) -> None:
    parsed = parse_xml(file, out)
    if parsed is None:
        return
    root, lines = parsed
    if root.tag != "quiz":
        out.problem(file.name, 1, None, f"not Moodle XML: the root is <{root.tag}>, not <quiz>")
        return
    categories: list[str] = []
    for element in root.iter("question"):
        line = lines.get(element)
        kind = element.get("type", "")
        if kind == "category":
            categories = category_segments(element.findtext("category/text") or "")
            continue
        title = " ".join((element.findtext("name/text") or "").split())
        if kind != "essay":
            out.skip(file.name, line, kind or "unknown", title)
            continue
        out.question(essay_candidate(element, file.name, line, title, categories))
        if out.full:
            return


def essay_candidate(
    element: ElementTree.Element, file: str, line: int | None, title: str, categories: list[str]
) -> Candidate:
    fields: dict[str, Any] = {"category": list(categories)}
    values = {
        "title": title or None,
        "prompt": text_of(element.find("questiontext")),
        "model_answer": text_of(element.find("graderinfo")),
        "answer_template": text_of(element.find("responsetemplate")),
    }
    fields |= {name: value for name, value in values.items() if value is not None}
    hints = [text_of(hint) for hint in element.findall("hint")]
    if any(hints):
        fields["hints"] = [hint for hint in hints if hint]
    tags: list[str] = []
    for tag_element in element.findall("tags/tag"):
        tag = (tag_element.findtext("text") or "").strip()
        prefix = next((p for p in TAG_FIELDS if tag.lower().startswith(p)), None)
        if prefix is None:
            if tag:
                tags.append(tag)
            continue
        name, value = TAG_FIELDS[prefix], tag[len(prefix) :].strip()
        if name == "companies":
            fields.setdefault("companies", []).append(value)
        else:
            fields.setdefault(name, value)
    if tags:
        fields["tags"] = tags
    idnumber = (element.findtext("idnumber") or "").strip()
    return Candidate(fields, file, line, slug_from=idnumber or title)


# HTML to Markdown ---------------------------------------------------------------------------


class _HtmlToMarkdown(HTMLParser):
    """Simple HTML (paragraphs, breaks, lists, bold, italics, links, headings) as Markdown;
    every other tag is dropped with its markup, scripts and styles with their content."""

    _DROP_CONTENT = frozenset({"script", "style", "head", "title", "template"})
    _BLOCK = frozenset({"p", "div", "blockquote", "table", "tr", "section", "article", "pre"})

    def __init__(self, keep_newlines: bool):
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines
        self.parts: list[str] = []
        self.lists: list[list[Any]] = []
        self.links: list[str | None] = []
        self.dropping = 0

    def _emit(self, text: str) -> None:
        self.parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._DROP_CONTENT:
            self.dropping += 1
        if self.dropping:
            return
        if tag in self._BLOCK:
            self._emit("\n\n")
        elif re.fullmatch(r"h[1-6]", tag):
            self._emit("\n\n" + "#" * max(2, int(tag[1])) + " ")
        elif tag == "br":
            self._emit("\x00")  # a hard line break, written out at the end
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self._emit("\n\n" if len(self.lists) == 1 else "\n")
        elif tag == "li":
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            marker = "- " if kind[0] == "ul" else f"{kind[1]}. "
            self._emit("\n" + "   " * max(0, len(self.lists) - 1) + marker)
        elif tag in ("strong", "b"):
            self._emit("**")
        elif tag in ("em", "i"):
            self._emit("*")
        elif tag == "code":
            self._emit("`")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            safe = re.match(r"^(https?:|mailto:)", href, re.IGNORECASE) and " " not in href
            self.links.append(href if safe else None)
            if safe:
                self._emit("[")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in self._DROP_CONTENT:
            self.dropping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._DROP_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping:
            return
        if tag in self._BLOCK or re.fullmatch(r"h[1-6]", tag):
            self._emit("\n\n")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._emit("\n\n" if not self.lists else "\n")
        elif tag in ("strong", "b"):
            self._emit("**")
        elif tag in ("em", "i"):
            self._emit("*")
        elif tag == "code":
            self._emit("`")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self._emit(f"]({href})")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        data = data.replace("\xa0", " ")
        data = re.sub(r"([\\`*_\[\]])", r"\\\1", data).replace("<", "&lt;")
        if self.keep_newlines:
            data = re.sub(r"[ \t]+", " ", data).replace("\n", "\x00")
        else:
            data = re.sub(r"\s+", " ", data)
        self._emit(data)

    def markdown(self) -> str:
        text = "".join(self.parts)
        lines = [line.strip() if not re.match(r"^\s+(- |\d+\. )", line) else line.rstrip()
                 for line in text.split("\n")]  # fmt: skip
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
        text = re.sub(r" *\x00 *", "\x00", text).strip("\x00\n ")
        return text.replace("\x00", "  \n")


def html_to_markdown(html: str, keep_newlines: bool = False) -> str:
    converter = _HtmlToMarkdown(keep_newlines)
    converter.feed(html)
    converter.close()
    return converter.markdown()


# Writing ------------------------------------------------------------------------------------


def _sub(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str):
    element = ElementTree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _text_element(parent: ElementTree.Element, tag: str, text: str | None) -> None:
    _sub(_sub(parent, tag, format="markdown"), "text", text or "")


def write_moodle(questions: Sequence[QuestionSpec]) -> bytes:
    quiz = ElementTree.Element("quiz")
    current: object = object()
    for question in questions:
        if question.type != current:  # a category question wherever the type changes
            current = question.type
            category = _sub(quiz, "question", type="category")
            path = "$course$/top" + (f"/{question.type.value}" if question.type else "")
            _sub(_sub(category, "category"), "text", path)
        essay = _sub(quiz, "question", type="essay")
        _sub(_sub(essay, "name"), "text", question.title)
        _text_element(essay, "questiontext", question.prompt)
        _sub(_sub(essay, "generalfeedback", format="markdown"), "text", "")
        for tag, value in (("defaultgrade", "1"), ("penalty", "0"), ("hidden", "0"),
                           ("idnumber", question.slug), ("responseformat", "editor"),
                           ("responserequired", "1"), ("responsefieldlines", "15"),
                           ("attachments", "0"), ("attachmentsrequired", "0")):  # fmt: skip
            _sub(essay, tag, value)
        _text_element(essay, "graderinfo", question.model_answer)
        _text_element(essay, "responsetemplate", question.answer_template)
        for hint in question.hints:
            _text_element(essay, "hint", hint)
        tags = [
            *question.tags,
            *(f"company:{company}" for company in question.companies),
            *([f"difficulty:{question.difficulty.value}"] if question.difficulty else []),
            *([f"minutes:{question.time_limit_minutes}"] if question.time_limit_minutes else []),
            f"rubric:{question.rubric}",
        ]
        tags_element = _sub(essay, "tags")
        for tag in tags:
            _sub(_sub(tags_element, "tag"), "text", tag)
    ElementTree.indent(quiz)
    return ElementTree.tostring(quiz, encoding="utf-8", xml_declaration=True) + b"\n"


register(
    BankFormat(
        name="moodle",
        label="Moodle XML",
        suffixes=(".xml",),
        read=read_moodle,
        write=write_moodle,
        media_type="application/xml",
        extension="xml",
        order=50,
    )
)
