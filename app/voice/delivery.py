"""Delivery figures for a spoken answer, from its words and their timestamps: how long the
candidate spoke, how fast, which filler words they used and where they paused for long.

Pure Python (no Flask, no SQL, no speech model). The figures sit beside the rubric score and
never change it; they describe what was said, not how confident it sounded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

# A silence between two words longer than this is a long pause.
LONG_PAUSE_SECONDS = 2.0


@dataclass(frozen=True)
class SpokenWord:
    """One word as the speech model heard it, with its punctuation, and when it was said."""

    text: str
    start: float
    end: float


# Filler sounds, spelt as transcripts spell them, each under the name the page shows.
_FILLER_SOUNDS = {
    "um": "um",
    "umm": "um",
    "ummm": "um",
    "uhm": "um",
    "uh": "uh",
    "uhh": "uh",
    "uhhh": "uh",
    "erm": "erm",
    "errm": "erm",
}
FILLER_KINDS = ("um", "uh", "erm", "you know", "I mean", "like")

# "like" is a verb after these ("I like it", "users would like", "don't like")...
_LIKE_AS_VERB_AFTER = frozenset(
    "i you we they he she it people users customers teams who that which "
    "would wouldn't 'd do don't does doesn't did didn't not to might may could should will "
    "really also still always never".split()
)
# ...and a preposition after these ("looks like", "something like", "just like").
_LIKE_AS_PREPOSITION_AFTER = frozenset(
    "look looks looked looking seem seems seemed sound sounds sounded feel feels felt "
    "taste tastes smell smells act acts acted something anything nothing things stuff more "
    "less much just exactly a the is was are were be been being 's".split()
)
_FORMS_OF_BE = frozenset("is was are were 's".split())
# After a form of "be" a bare "like" is a simile ("it was like a maze"); it is a filler only
# when set off by commas or followed by one of these ("it was like really slow").
_HEDGES_AFTER_LIKE = frozenset(
    "really totally literally basically actually just so very super kind sort um uh erm".split()
)
# "you know" and "I mean" carry meaning when a clause follows or when a question asks them.
_KNOWS_SOMETHING_AFTER = frozenset(
    "that what how why who where when whether if the a an this it them him her".split()
)
_ASKS_BEFORE_YOU_KNOW = frozenset("do did don't didn't if as would will whether".split())
_MEANS_SOMETHING_AFTER = frozenset("it that to what this".split())
_MEANS_SOMETHING_BEFORE = frozenset("what i'd i'll".split())

_EDGE_PUNCTUATION = re.compile(r"^[^\w']+|[^\w']+$")


def _bare(word: str) -> str:
    return _EDGE_PUNCTUATION.sub("", word).lower().replace("’", "'")


def _ends_clause(word: str) -> bool:
    """A word followed by a comma, full stop, dash and so on: a boundary a filler can sit at."""
    return bool(re.search(r"[,.;:!?…—-]$", word.strip()))


def filler_words(words: Sequence[str]) -> list[tuple[int, str]]:
    """The filler words in a transcript, as (index of the word, kind), in order.

    Sounds ("um", "uh", "erm") always count. "you know" and "I mean" count unless they carry
    meaning ("do you know", "you know that...", "I mean it", "what I mean"). "like" counts only as
    a filler: not as a verb ("I like it", "would like to"), not as a preposition ("looks like",
    "something like that", "tools like Jira"); it counts when set off by commas or at a sentence's
    start ("we, like, shipped it"; "Like, nobody used it") or before a hedge ("like really slow"),
    but not after a comma that opens an example ("metrics, like retention").
    Judged conservatively: a bare "like" in the middle of a clause is taken at its word."""
    bare = [_bare(word) for word in words]
    found: list[tuple[int, str]] = []
    index = 0
    while index < len(bare):
        word = bare[index]
        before = bare[index - 1] if index else ""
        after = bare[index + 1] if index + 1 < len(bare) else ""
        after_next = bare[index + 2] if index + 2 < len(bare) else ""
        if word in _FILLER_SOUNDS:
            found.append((index, _FILLER_SOUNDS[word]))
        elif word == "you" and after == "know" and not _ends_clause(words[index]):
            comma_after = _ends_clause(words[index + 1])
            asked = before in _ASKS_BEFORE_YOU_KNOW and not _ends_clause(words[index - 1])
            if not asked and (comma_after or after_next not in _KNOWS_SOMETHING_AFTER):
                found.append((index, "you know"))
                index += 1
        elif word == "i" and after == "mean" and not _ends_clause(words[index]):
            comma_after = _ends_clause(words[index + 1])
            meant = before in _MEANS_SOMETHING_BEFORE and not _ends_clause(words[index - 1])
            if not meant and (comma_after or after_next not in _MEANS_SOMETHING_AFTER):
                found.append((index, "I mean"))
                index += 1
        elif word == "like" and _like_is_filler(words, bare, index):
            found.append((index, "like"))
        index += 1
    return found


def _like_is_filler(words: Sequence[str], bare: Sequence[str], index: int) -> bool:
    before = bare[index - 1] if index else ""
    after = bare[index + 1] if index + 1 < len(bare) else ""
    comma_before = index > 0 and _ends_clause(words[index - 1])
    comma_after = _ends_clause(words[index])
    hedged = after in _HEDGES_AFTER_LIKE or after in _FILLER_SOUNDS
    if not comma_before and (before in _LIKE_AS_VERB_AFTER or before in _LIKE_AS_PREPOSITION_AFTER):
        # "was like, no way" and "was like really slow" are fillers; "was like a maze" is not.
        return before in _FORMS_OF_BE and (comma_after or hedged)
    # "Like, nobody used it" and "it felt, like, slow" are fillers; "metrics, like retention"
    # gives an example, and "Like I said" or "tools like Jira" are taken at their word.
    return comma_after or hedged


def long_pauses(
    words: Sequence[SpokenWord], threshold: float = LONG_PAUSE_SECONDS
) -> list[tuple[float, float]]:
    """The silences between consecutive words longer than `threshold`, as (start, length)."""
    pauses = []
    for earlier, later in pairwise(words):
        gap = later.start - earlier.end
        if gap > threshold:
            pauses.append((earlier.end, gap))
    return pauses


def delivery_figures(
    words: Sequence[SpokenWord], threshold: float = LONG_PAUSE_SECONDS
) -> dict[str, Any]:
    """The figures stored with a transcription (JSON), and shown beside the score.

    Speaking time runs from the first word's start to the last word's end (silence before and
    after the answer is not counted); words per minute counts every word said, fillers too."""
    texts = [word.text.strip() for word in words]
    counted = [text for text in texts if _bare(text)]
    speaking = max(0.0, words[-1].end - words[0].start) if words else 0.0
    fillers: dict[str, int] = {}
    for _index, kind in filler_words(texts):
        fillers[kind] = fillers.get(kind, 0) + 1
    pauses = long_pauses(words, threshold)
    return {
        "speaking_seconds": round(speaking, 1),
        "word_count": len(counted),
        "words_per_minute": round(len(counted) / (speaking / 60)) if speaking >= 1 else None,
        "fillers": {
            "total": sum(fillers.values()),
            "counts": {kind: fillers[kind] for kind in FILLER_KINDS if kind in fillers},
        },
        "pauses": {
            "threshold_seconds": threshold,
            "count": len(pauses),
            "longest_seconds": round(max((length for _, length in pauses), default=0.0), 1),
        },
    }
