"""The compare page's text diff: sentences aligned first, then words within a changed one."""

from __future__ import annotations

from app.practice.compare import sentence_diff, word_diff

ROLLBACK = "We rolled back the release within ten minutes."
STATUS = "I posted on the status page every half hour."
POSTMORTEM = "Afterwards we ran a blameless postmortem."


def kinds(rows) -> list[str]:
    return [row.kind for row in rows]


def test_identical_answers_are_all_the_same():
    text = f"{ROLLBACK} {STATUS}"
    assert kinds(sentence_diff(text, text)) == ["same", "same"]


def test_an_added_sentence_leaves_its_neighbours_aligned():
    rows = sentence_diff(f"{ROLLBACK} {POSTMORTEM}", f"{ROLLBACK} {STATUS} {POSTMORTEM}")
    assert kinds(rows) == ["same", "added", "same"]
    assert rows[1].new == STATUS and rows[1].old == ""


def test_a_removed_sentence_is_marked_removed():
    rows = sentence_diff(f"{ROLLBACK} {STATUS} {POSTMORTEM}", f"{ROLLBACK} {POSTMORTEM}")
    assert kinds(rows) == ["same", "removed", "same"]
    assert rows[1].old == STATUS


def test_a_reworded_sentence_is_one_changed_row_with_its_words_marked():
    edited = "We rolled back the bad release within five minutes."
    rows = sentence_diff(f"{ROLLBACK} {STATUS}", f"{edited} {STATUS}")
    assert kinds(rows) == ["changed", "same"]
    changed = rows[0]
    assert (changed.old, changed.new) == (ROLLBACK, edited)
    deleted = "".join(t for k, t in changed.words if k == "delete")
    inserted = "".join(t for k, t in changed.words if k == "insert")
    assert "ten" in deleted and "five" in inserted and "bad" in inserted
    assert "rolled" not in deleted + inserted  # the words kept are not marked
    # Reading the pieces without the deletions gives the new sentence back, and without the
    # insertions the old one.
    assert "".join(t for k, t in changed.words if k != "delete") == edited
    assert "".join(t for k, t in changed.words if k != "insert") == ROLLBACK


def test_an_unrelated_sentence_in_the_same_place_is_removed_and_added_not_paired():
    other = "Customers received credits for the downtime."
    rows = sentence_diff(f"{ROLLBACK} {STATUS}", f"{ROLLBACK} {other}")
    assert kinds(rows) == ["same", "removed", "added"]


def test_within_a_block_the_most_alike_sentences_are_paired():
    old = f"{STATUS} {POSTMORTEM}"
    new = "Support got a script for callers. Afterwards we ran a short blameless postmortem."
    rows = sentence_diff(old, new)
    assert kinds(rows) == ["removed", "added", "changed"]
    assert rows[2].old == POSTMORTEM


def test_whitespace_and_line_breaks_alone_change_nothing():
    rows = sentence_diff(f"{ROLLBACK}\r\n\r\n{STATUS}", f"{ROLLBACK}  \n\n{STATUS}")
    assert kinds(rows) == ["same", "same"]


def test_abbreviations_do_not_split_a_sentence():
    text = "We paused risky work, e.g. deploys and migrations, until the fix shipped."
    assert kinds(sentence_diff(text, text)) == ["same"]


def test_bullets_are_sentences_of_their_own():
    old = "- Roll back the release\n- Post on the status page"
    new = "- Roll back the release\n- Post on the status page\n- Hold a postmortem"
    rows = sentence_diff(old, new)
    assert kinds(rows) == ["same", "same", "added"]


def test_word_diff_keeps_whitespace_as_written():
    pieces = word_diff("one two  three", "one four  three")
    assert pieces == [
        ("equal", "one "),
        ("delete", "two"),
        ("insert", "four"),
        ("equal", "  three"),
    ]
