"""Delivery figures from words and timestamps: pure functions, no app, no speech model."""

from __future__ import annotations

import pytest

from app.voice.delivery import SpokenWord, delivery_figures, filler_words, long_pauses


def fillers(sentence: str) -> list[str]:
    words = sentence.split()
    return [kind for _index, kind in filler_words(words)]


def timed(*items: tuple[str, float, float]) -> list[SpokenWord]:
    return [SpokenWord(text, start, end) for text, start, end in items]


@pytest.mark.parametrize(
    "sentence",
    [
        "I like it when the error rate falls.",
        "It looks like a bad deploy.",
        "Users would like to export their data.",
        "We don't like surprises.",
        "Tools like Jira help the team.",
        "We track a few metrics, like retention and revenue.",
        "It was like a maze.",
        "Something like that.",
        "Like I said, we rolled back.",
        "It feels like progress.",
    ],
)
def test_like_as_a_verb_a_preposition_or_an_example_is_not_a_filler(sentence):
    assert fillers(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "We, like, shipped it on Friday.",
        "Like, nobody used the feature.",
        "It was like really slow.",
        "I was like, we have to roll back.",
        "The page felt, like, broken.",
    ],
)
def test_like_as_a_filler_is_counted_once(sentence):
    assert fillers(sentence) == ["like"]


def test_filler_sounds_are_counted_in_every_spelling():
    assert fillers("Um, so, uh, we umm rolled back. Erm, then uhm we told customers.") == [
        "um",
        "uh",
        "um",
        "erm",
        "um",
    ]


def test_you_know_is_a_filler_only_when_it_says_nothing():
    assert fillers("Then I will, you know, tell customers.") == ["you know"]
    assert fillers("So you know, we rolled back.") == ["you know"]
    assert fillers("Do you know the error rate?") == []
    assert fillers("If you know that the deploy broke it, roll back.") == []


def test_i_mean_is_a_filler_only_when_it_says_nothing():
    assert fillers("I mean, the rollback took an hour.") == ["I mean"]
    assert fillers("I mean it.") == []
    assert fillers("What I mean is that we waited too long.") == []
    assert fillers("I mean to fix it today.") == []


def test_a_like_after_a_filler_sound_is_not_counted_twice_when_it_is_a_verb():
    assert fillers("It looks like, um, a bad deploy.") == ["um"]


def test_pauses_are_the_gaps_between_words_over_the_threshold():
    words = timed(("We", 0.0, 0.3), ("rolled", 0.3, 0.7), ("back.", 0.7, 1.2), ("Then", 3.9, 4.1))
    assert long_pauses(words) == [(1.2, pytest.approx(2.7))]
    assert long_pauses(words, threshold=3.0) == []
    assert long_pauses(timed(("a", 0.0, 1.0), ("b", 3.0, 3.5))) == []  # exactly 2 s is not long


def test_figures_count_speaking_time_pace_fillers_and_pauses():
    words = timed(
        ("So,", 0.5, 0.8),
        ("um,", 0.8, 1.2),
        ("we", 1.2, 1.4),
        ("rolled", 1.4, 1.8),
        ("back.", 1.8, 2.5),
        ("Then,", 5.5, 5.8),
        ("you", 5.8, 5.9),
        ("know,", 5.9, 6.1),
        ("we", 6.1, 6.3),
        ("told", 6.3, 6.6),
        ("customers.", 6.6, 6.5 + 4.0),
    )
    figures = delivery_figures(words)
    assert figures["speaking_seconds"] == 10.0  # from the first word's start to the last's end
    assert figures["word_count"] == 11
    assert figures["words_per_minute"] == 66  # 11 words in 10 s
    assert figures["fillers"] == {"total": 2, "counts": {"um": 1, "you know": 1}}
    assert figures["pauses"] == {"threshold_seconds": 2.0, "count": 1, "longest_seconds": 3.0}


def test_no_words_give_empty_figures_not_an_error():
    figures = delivery_figures([])
    assert figures["speaking_seconds"] == 0
    assert figures["words_per_minute"] is None
    assert figures["fillers"]["total"] == 0
    assert figures["pauses"]["count"] == 0
