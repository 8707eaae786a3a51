"""Question-bank formats: every format reads what it writes, foreign files (Moodle XML, GIFT,
Markdown) map onto our questions, and hostile files become problems, never tracebacks."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest

from app.bank.formats import (
    FORMATS,
    ImportFile,
    ImportLimits,
    QuestionSpec,
    QuestionType,
    export_format_names,
    read_bank,
    read_bank_paths,
    read_banks,
    write_bank,
)
from tests.conftest import ROOT

FILES = Path(__file__).parent / "bank_files"
ONE = "questions:\n  - slug: one\n    title: One\n    prompt: Why?\n    rubric: star\n"


@pytest.fixture(scope="module")
def shipped() -> list[QuestionSpec]:
    return [q.spec for q in read_banks(sorted((ROOT / "question_bank").glob("*.yaml")))]


def read_one(name: str, data: bytes | str, **options):
    raw = data.encode() if isinstance(data, str) else data
    return read_bank([ImportFile(name, raw)], **options)


def only_problem(read) -> str:
    assert not read.questions
    assert len(read.problems) == 1, read.problems
    return str(read.problems[0])


def zip_of(entries: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def markdown_question(title: str, body: str = "What would you do?", **fields: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\ntitle: {title}\nrubric: star\n{extra}---\n{body}\n"


# The registry --------------------------------------------------------------------------------


def test_the_registry_names_every_format_and_which_can_export():
    assert list(FORMATS) == ["yaml", "json", "csv", "markdown", "moodle", "gift"]
    assert export_format_names() == ["yaml", "json", "csv", "moodle"]
    assert FORMATS["moodle"].extension == "xml" and FORMATS["gift"].write is None


@pytest.mark.parametrize("format_name", ["yaml", "json", "csv", "moodle"])
def test_the_shipped_bank_survives_a_round_trip(shipped, format_name):
    data = write_bank(shipped, format_name)
    read = read_one(f"bank.{FORMATS[format_name].extension}", data)
    assert read.problems == [] and read.skipped == []
    assert [q.spec for q in read.questions] == shipped


def test_exporting_an_import_only_format_is_refused(shipped):
    with pytest.raises(ValueError, match="cannot export as 'gift'"):
        write_bank(shipped, "gift")


def test_an_unknown_suffix_is_a_problem_naming_the_file():
    assert "notes.docx: cannot tell the format" in only_problem(read_one("notes.docx", b"hi"))


def test_an_explicit_format_overrides_the_suffix():
    read = read_one("upload.bin", ONE, format="yaml")
    assert [q.spec.slug for q in read.questions] == ["one"]


# YAML and JSON -------------------------------------------------------------------------------


def test_a_bad_yaml_question_names_its_field_line_and_the_others_still_load():
    text = ONE + "  - slug: two\n    title: Two\n    prompt: Hi\n    rubric: star\n    tags: nope\n"
    read = read_one("bank.yaml", text)
    assert [q.spec.slug for q in read.questions] == ["one"]
    assert [str(p) for p in read.problems] == [
        "bank.yaml:10: questions[1].tags: Input should be a valid list"
    ]
    assert read.questions[0].line == 2


def test_a_legacy_category_fills_an_empty_type_or_becomes_a_tag():
    text = (
        "questions:\n"
        "  - {slug: a, title: A, prompt: P, rubric: star, category: Product Design}\n"
        "  - {slug: b, title: B, prompt: P, rubric: star, category: Behavioural}\n"
        "  - {slug: c, title: C, prompt: P, rubric: star, category: Growth, tags: [x]}\n"
        "  - {slug: d, title: D, prompt: P, rubric: star, category: Metrics, type: strategy}\n"
    )
    specs = {q.spec.slug: q.spec for q in read_one("old.yaml", text).questions}
    assert specs["a"].type is QuestionType.PRODUCT_DESIGN
    assert specs["b"].type is QuestionType.BEHAVIORAL
    assert specs["c"].type is None and specs["c"].tags == ["x", "Growth"]
    assert specs["d"].type is QuestionType.STRATEGY and specs["d"].tags == ["Metrics"]


def test_duplicate_slugs_across_files_and_formats_are_reported():
    csv_text = "slug,title,prompt,rubric\none,Other,Another prompt,star\n"
    read = read_bank([ImportFile("a.yaml", ONE.encode()), ImportFile("b.csv", csv_text.encode())])
    assert [str(p) for p in read.problems] == ["b.csv:2: slug: duplicate slug (also at a.yaml:2)"]


@pytest.mark.parametrize(
    ("slug", "message"),
    [("''", "String should match pattern"), ("../../etc/passwd", "String should match pattern")],
)
def test_empty_or_unsafe_slugs_are_refused(slug, message):
    problem = only_problem(read_one("bank.yaml", ONE.replace("slug: one", f"slug: {slug}")))
    assert problem.startswith("bank.yaml:2: questions[0].slug:") and message in problem


def test_a_question_missing_fields_names_each_one():
    read = read_one("bank.yaml", "questions:\n  - slug: bare\n")
    reported = [str(p) for p in read.problems]
    assert "bank.yaml:2: questions[0].title: required field is missing" in reported
    assert "bank.yaml:2: questions[0].prompt: required field is missing" in reported
    assert any(
        "rubric: no rubric named; choose one for the import (--rubric)" in p for p in reported
    )


def test_invalid_yaml_and_json_syntax_name_the_line():
    assert only_problem(read_one("b.yaml", "questions:\n  - [oops\n")).startswith("b.yaml:3:")
    assert "invalid JSON" in only_problem(read_one("b.json", '{\n "questions": [\n  {"slug": }'))


def test_yaml_tags_that_build_objects_are_refused():
    text = "questions:\n  - !!python/object/apply:os.system ['touch /tmp/pwned']\n"
    problem = only_problem(read_one("evil.yaml", text))
    assert problem.startswith("evil.yaml:2: invalid YAML") and "only plain data" in problem


def test_a_yaml_alias_bomb_is_refused_before_it_expands():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 12):  # 9**12 strings if expanded
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    lines.append("questions: [*a11]")
    problem = only_problem(read_one("laughs.yaml", "\n".join(lines)))
    assert problem == "laughs.yaml: refused: aliases would expand this file past the size limit"


def test_a_yaml_value_containing_itself_is_refused():
    problem = only_problem(read_one("loop.yaml", "questions: &q [*q]\n"))
    assert "laughs" not in problem and "an alias refers to a value that contains it" in problem


def test_a_few_honest_aliases_are_fine():
    text = (
        "questions:\n"
        "  - {slug: a, title: A, prompt: P, rubric: star, companies: &big [Google, Meta]}\n"
        "  - {slug: b, title: B, prompt: P, rubric: star, companies: *big}\n"
    )
    assert [q.spec.companies for q in read_one("ok.yaml", text).questions] == [
        ["Google", "Meta"]
    ] * 2


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_deep_nesting_is_refused_by_depth(name):
    problem = only_problem(read_one(name, '{"questions": ' + "[" * 10_000 + "]" * 10_000 + "}"))
    assert problem.startswith(name) and ("nesting depth" in problem or "nested over" in problem)


# Encodings and limits ------------------------------------------------------------------------


def test_a_byte_order_mark_is_fine_but_other_encodings_and_binary_are_refused():
    assert read_one("bom.yaml", b"\xef\xbb\xbf" + ONE.encode()).problems == []
    latin = only_problem(
        read_one("latin.yaml", ONE.replace("Why?", "Pourquoi ça?").encode("latin-1"))
    )
    assert latin.startswith("latin.yaml:4: not UTF-8 text")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert only_problem(read_one("image.csv", png)) == "image.csv: a binary file, not text"


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(ONE + "#" * 5000)
    read = read_bank_paths([path], limits=ImportLimits(max_bytes=1000))
    assert only_problem(read) == f"{path}: larger than the limit of 1000 bytes"


def test_more_questions_than_the_limit_is_a_problem():
    text = "questions:\n" + "".join(
        f"  - {{slug: q{i}, title: T, prompt: P, rubric: star}}\n" for i in range(5)
    )
    read = read_one("many.yaml", text, limits=ImportLimits(max_questions=3))
    assert len(read.questions) == 3
    assert "more than 3 questions" in str(read.problems[0])


def test_missing_paths_and_special_files_are_problems_not_tracebacks(tmp_path):
    read = read_bank_paths([tmp_path / "nope.yaml", "/dev/null"])
    assert [str(p) for p in read.problems] == [
        f"{tmp_path / 'nope.yaml'}: no such file or folder",
        "/dev/null: not a regular file",
    ]


# CSV -----------------------------------------------------------------------------------------


def test_csv_lists_split_on_semicolons_and_formulas_are_defused_both_ways():
    spec = QuestionSpec(
        slug="risky",
        title='=HYPERLINK("http://evil")',
        prompt='-5% churn: why?\nSecond line, "quoted".',
        rubric="star",
        tags=["a;b", "back\\slash", "@home"],
        hints=["+1 for numbers", "'quoted'"],
        time_limit_minutes=7,
    )
    data = write_bank([spec], "csv")
    text = data.decode("utf-8")
    assert "'=HYPERLINK" in text and "'-5% churn" in text and "'+1 for numbers" in text
    assert "a\\;b" in text
    read = read_one("sheet.csv", data)
    assert read.problems == [] and [q.spec for q in read.questions] == [spec]


def test_csv_problems_name_the_record_line_and_unknown_columns():
    text = (
        "slug,title,prompt,rubric,difficulty\n"
        'ok,Fine,"Two\nlines",star,easy\n'
        "bad,Bad,Prompt,star,tricky\n"
    )
    read = read_one("sheet.csv", text)
    assert [q.spec.slug for q in read.questions] == ["ok"]
    assert str(read.problems[0]).startswith("sheet.csv:4: difficulty: Input should be")
    unknown = only_problem(read_one("sheet.csv", "slug,title,prompt,rubric,dificulty\n"))
    assert unknown == "sheet.csv:1: dificulty: unknown column (check the spelling)"


def test_csv_empty_cells_are_absent_and_a_category_column_still_imports():
    text = "slug,title,prompt,rubric,category,difficulty\nq,T,P,star,Estimation,\n"
    [question] = read_one("sheet.csv", text).questions
    assert question.spec.type is QuestionType.ESTIMATION and question.spec.difficulty is None
    assert question.spec.model_fields_set == {"slug", "title", "prompt", "rubric", "type"}


def test_csv_without_slugs_makes_them_from_titles():
    text = "title,prompt\nBike sales,How many?\nBike sales,And in Oslo?\n"
    read = read_one("sheet.csv", text, default_rubric="estimation")
    assert [q.spec.slug for q in read.questions] == ["bike-sales", "bike-sales-2"]


def test_broken_csv_quoting_is_a_problem():
    assert "invalid CSV" in only_problem(read_one("x.csv", 'slug,title\n"a"b,c\n'))


# Markdown ------------------------------------------------------------------------------------


def test_a_zip_of_markdown_files_in_folders_derives_slugs_predictably():
    data = zip_of(
        {
            "bank/behavioral/first.md": markdown_question("Tell me about a failure"),
            "bank/behavioral/second.md": markdown_question("Tell me about a failure"),
            "bank/design/fridge.md": markdown_question("Fridge", slug="smart-fridge"),
            "bank/design/no-title.md": "---\nrubric: star\n---\nBody only.\n",
            "bank/README.txt": "ignored",
        }
    )
    read = read_one("bank.zip", data)
    assert [q.spec.slug for q in read.questions] == [
        "tell-me-about-a-failure",
        "tell-me-about-a-failure-2",
        "smart-fridge",
    ]
    assert read.questions[0].spec.prompt == "What would you do?"
    assert "bank.zip/bank/design/no-title.md" in str(read.problems[0])
    assert "title: required field is missing" in str(read.problems[0])


def test_a_markdown_folder_is_read_without_following_links_out_of_it(tmp_path):
    folder = tmp_path / "bank"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "one.md").write_text(markdown_question("One"))
    outside = tmp_path / "secret.md"
    outside.write_text(markdown_question("Secret"))
    (folder / "link.md").symlink_to(outside)
    read = read_bank_paths([folder])
    assert [q.spec.slug for q in read.questions] == ["one"]
    assert [str(p) for p in read.problems] == [
        f"{folder / 'link.md'}: a link to outside the folder; not followed"
    ]


def test_markdown_front_matter_problems_name_the_line():
    text = "---\ntitle: T\nrubric: star\ndifficulty: tricky\n---\nBody\n"
    problem = only_problem(read_one("q.md", text))
    assert problem.startswith("q.md:4: difficulty: Input should be")
    assert "no front matter" in only_problem(read_one("plain.md", "# Just a heading\n"))


@pytest.mark.parametrize("entry", ["../escape.md", "/etc/evil.md", "a/../../b.md", "C:/x.md"])
def test_zip_entries_that_leave_their_folder_are_refused(entry):
    read = read_one("bank.zip", zip_of({entry: markdown_question("Evil")}))
    assert any(f"bank.zip/{entry}: refused" in str(p) for p in read.problems)
    assert read.questions == []


def test_a_zip_bomb_is_refused_by_its_declared_size():
    data = zip_of({"bomb.md": b"0" * 3_000_000})
    assert len(data) < 10_000
    problem = only_problem(read_one("bomb.zip", data, limits=ImportLimits(max_bytes=1_000_000)))
    assert problem.startswith("bomb.zip: unpacks to 3000000 bytes")


def test_a_zip_that_lies_about_its_sizes_is_refused_while_unpacking():
    body = markdown_question("Liar") + "x" * 200_000
    data = bytearray(zip_of({"liar.md": body}))
    real = struct.pack("<I", len(body.encode()))
    fake = struct.pack("<I", 100)
    data[: len(data)] = bytes(data).replace(real, fake)  # local header and central directory
    read = read_one("liar.zip", bytes(data))
    assert read.questions == []
    assert any(str(p).startswith("liar.zip/liar.md:") for p in read.problems)


def test_a_zip_with_too_many_entries_or_a_corrupt_one_is_a_problem():
    many = zip_of({f"q{i}.md": markdown_question(f"Q{i}") for i in range(12)})
    read = read_one("many.zip", many, limits=ImportLimits(max_entries=10))
    assert only_problem(read) == "many.zip: more than 10 entries"
    assert "not a valid zip file" in only_problem(read_one("broken.zip", b"PK\x03\x04garbage"))


# Moodle XML ----------------------------------------------------------------------------------


def test_a_moodle_export_imports_its_essays_and_skips_the_rest():
    read = read_bank_paths([FILES / "moodle_export.xml"], default_rubric="star")
    assert read.problems == []
    assert [(s.kind, s.title) for s in read.skipped] == [
        ("multichoice", "Which metric is a north star?"),
        ("truefalse", "MVPs are always ugly"),
        ("shortanswer", "Acronym for daily active users"),
        ("description", "Read this first"),
    ]
    conflict, alarm, hotel = (q.spec for q in read.questions)
    assert conflict.slug == "conflict-01" and conflict.type is QuestionType.BEHAVIORAL
    assert conflict.tags == ["stakeholders", "Conflict"]
    assert conflict.prompt == (
        "Tell me about a time you **disagreed** with an engineering lead.\n\nCover:\n\n"
        "- what was at stake & for whom\n- how you *resolved* it\n\n"
        "See [the STAR guide](https://example.com/star) first.  \nTake 5 minutes."
    )
    assert "alert" not in conflict.prompt
    assert conflict.model_answer == "A strong answer names the **trade-off** &lt;scope vs. date>."
    assert conflict.answer_template == "Situation:\n\nAction:"
    assert alarm.type is QuestionType.PRODUCT_DESIGN and alarm.model_answer is None
    assert alarm.slug == "design-an-alarm-clock-for-the-deaf"
    assert hotel.slug == "design-an-alarm-clock-for-the-deaf-2"
    assert read.questions[0].line == 15


def test_moodle_questions_without_a_rubric_need_one_for_the_import():
    read = read_bank_paths([FILES / "moodle_export.xml"])
    assert len(read.problems) == 3
    assert all(
        p.field == "rubric" and "choose one for the import (--rubric)" in p.message
        for p in read.problems
    )


def test_xml_entity_expansion_and_external_entities_are_refused():
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        '<quiz><question type="essay"><name><text>&b;</text></name></question></quiz>'
    )
    problem = only_problem(read_one("bomb.xml", bomb))
    assert problem.startswith("bomb.xml: refused: the XML declares entities")
    external = (
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<quiz>&x;</quiz>"
    )
    assert "refused" in only_problem(read_one("ext.xml", external))


def test_broken_or_deep_or_foreign_xml_is_a_problem():
    assert only_problem(read_one("b.xml", "<quiz>\n<question>\n</quiz>")).startswith(
        "b.xml:3: invalid XML"
    )
    deep = "<quiz>" + "<a>" * 10_000 + "</a>" * 10_000 + "</quiz>"
    assert "nested over" in only_problem(read_one("deep.xml", deep))
    assert "not Moodle XML" in only_problem(read_one("feed.xml", "<rss/>"))


# GIFT ----------------------------------------------------------------------------------------


def test_a_gift_file_imports_its_essays_and_skips_the_rest():
    read = read_bank_paths([FILES / "mixed.gift"], default_rubric="star")
    assert read.problems == []
    falling, shipping = (q.spec for q in read.questions)
    assert (falling.slug, falling.type, falling.tags) == (
        "falling-engagement",
        QuestionType.METRICS,
        ["Engagement"],
    )
    assert falling.prompt.startswith("Daily active users fell 10% overnight.")
    assert shipping.title == "Shipping v1: the tension"
    assert shipping.prompt == (
        "What would you cut to ship **on time**?\nUse a {scope, date} framing."
    )
    assert [(s.kind, s.line) for s in read.skipped] == [
        ("multichoice", 8),
        ("truefalse", 18),
        ("numerical", 20),
        ("matching", 22),
        ("shortanswer", 27),
        ("description", 29),
    ]


def test_a_gift_answer_block_left_open_is_a_problem():
    problem = only_problem(read_one("q.gift", "::A:: Why? {\n", default_rubric="star"))
    assert problem == "q.gift:1: an answer block { has no closing }"


def test_explicit_slugs_still_clash_while_derived_ones_step_aside():
    gift = "::One:: Why? {}\n\n::One:: Why again? {}\n"
    read = read_bank(
        [ImportFile("a.yaml", ONE.encode()), ImportFile("b.gift", gift.encode())],
        default_rubric="star",
    )
    assert [q.spec.slug for q in read.questions] == ["one", "one-2", "one-3"]
    assert read.problems == []


def test_json_export_is_plain_json(shipped):
    data = json.loads(write_bank(shipped[:2], "json"))
    assert [q["slug"] for q in data["questions"]] == [q.slug for q in shipped[:2]]


def test_millions_of_tiny_yaml_values_are_refused_before_parsing():
    """Parsing costs by the value: a 10 MB file of one-letter items is refused unread."""
    for text in ("questions:\n" + "- a\n" * 2_400_000, "questions: [" + "a," * 4_000_000 + "a]"):
        read = read_bank([ImportFile("tiny.yaml", text.encode())])
        assert read.questions == []
        assert [str(p) for p in read.problems] == [
            f"tiny.yaml: refused: {text.count(chr(10)) + text.count(','):,} lines and list "
            "items are too many to read"
        ]
