"""Sentence splitting: spans must be exact, since evidence is highlighted from them."""

from __future__ import annotations

import pytest

from pm_scoring.text import is_figure, split_sentences


def pieces(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We rolled back. Then we apologised!", ["We rolled back.", "Then we apologised!"]),
        (
            "Check inputs, e.g. logins and errors. Then act.",
            ["Check inputs, e.g. logins and errors.", "Then act."],
        ),
        ("Watch NPS, churn etc. over weeks. Done.", ["Watch NPS, churn etc. over weeks.", "Done."]),
        ("Ask the CEO (i.e. Dr. Smith) first. Go.", ["Ask the CEO (i.e. Dr. Smith) first.", "Go."]),
        ('He said "stop." We did.', ['He said "stop."', "We did."]),
        ("Fix it (errors, etc.). Next.", ["Fix it (errors, etc.).", "Next."]),
        ("Really?! Yes.", ["Really?!", "Yes."]),
        (
            "It went out at 8 p.m. and errors rose at 9 P.M. Then we rolled back.",
            ["It went out at 8 p.m. and errors rose at 9 P.M.", "Then we rolled back."],
        ),
    ],
)
def test_sentences_end_at_marks_but_not_after_abbreviations(text, expected):
    assert pieces(text) == expected


def test_bullets_and_headings_are_sentences_without_their_markers():
    text = "## Mitigation\n- Roll back the release.\n- Turn on the kill switch\n\n1. Tell users."
    assert pieces(text) == [
        "Mitigation",
        "Roll back the release.",
        "Turn on the kill switch",
        "Tell users.",
    ]
    assert [s.heading for s in split_sentences(text)] == [True, False, False, False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Short lines without bullets or closing marks, each starting as an item does: a list.
        (
            "Validate the data\nSegment the drop\nCheck app versions\nFix",
            ["Validate the data", "Segment the drop", "Check app versions", "Fix"],
        ),
        ("% user logins\n% feature usage\nImprovement in NPS", None),
        # Wrapped prose stays one sentence: a long line, a line ending in a little word, a line
        # running on in lower case.
        ("We rolled back the release within ten minutes of the alert and\nThen we paged.", 1),
        ("I took it to the head of\nSales the same day.", 1),
        ("Roll back first\nthen find the cause.", 1),
        # A short line above a long one is no list item: it runs into it, as before.
        ("What I learned\nEvery spec now names who pays for what and who signs it off.", 1),
    ],
)
def test_a_list_written_one_item_a_line_without_bullets_is_split_into_its_lines(text, expected):
    """Engine 2.31: a checklist typed as bare lines was one long "sentence", so one capitalised
    word anywhere in it ("Check app versions") made every line look as if it named someone, and
    every step it listed counted as done with specifics."""
    sentences = split_sentences(text)
    if expected is None:
        assert pieces(text) == text.split("\n")
    elif isinstance(expected, int):
        assert len(sentences) == expected
    else:
        assert pieces(text) == expected
        assert all(s.whole_block for s in sentences)


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        (
            "**3. Segment.** If the drop is real, find where. Then test it.",
            ["**3. Segment.**"],
        ),
        ("__Result:__ it worked. We kept it.", ["__Result:__"]),
        ("**Step 1**: count the cars. Then the share.", ["**Step 1**:"]),
        # Bold words that begin a sentence, or a bold line on its own, are not run-in titles.
        ("**Never** roll back blindly. Check first.", []),
        ("- **Rollback:** revert the release.", []),
    ],
)
def test_a_bold_title_running_into_its_paragraph_is_a_heading(text, titles):
    assert [text[s.start : s.end] for s in split_sentences(text) if s.heading] == titles


def test_contractions_and_negations_become_words():
    (sentence,) = split_sentences("We didn’t roll back, we’d wait.")
    assert sentence.words == ["we", "did", "not", "roll", "back", ",", "we", "would", "wait"]
    assert sentence.word_count == 8


def test_only_a_real_contraction_expands():
    (sentence,) = split_sentences("I'd re-estimate the 3-d model, but we won't re-rank it.")
    assert sentence.words == [
        "i", "would", "re", "estimate", "the", "3", "d", "model", ",",
        "but", "we", "will", "not", "re", "rank", "it",
    ]  # fmt: skip


def test_a_figure_is_one_word_and_its_marks_end_no_clause():
    """ "18:15", "1,200" and "0.2" are figures, not pieces either side of a clause break, and an
    en dash between figures is a range; an en dash between words still ends a clause."""
    text = "At 18:15 we reverted and 1,200 stores recovered by 18:21 within 2–3 minutes."
    (sentence,) = split_sentences(text)
    assert {"18:15", "1,200", "18:21"} <= set(sentence.words)
    assert sentence.clauses() == [(0, len(sentence.content_words))]
    assert sentence.word_count == 14  # the range's two ends are two words
    assert [is_figure(w) for w in ("18:15", "1,200", "0.2", "42", "v2", "1.5m", ":")] == [
        True, True, True, True, False, False, False,
    ]  # fmt: skip
    (dashed,) = split_sentences("We paged the lead – she rolled the release back.")
    assert len(dashed.clauses()) == 2
