"""What stands behind a sentence: the specifics that make it an answer rather than a mention.

An interviewer believes a step when the candidate says something only someone who thought it
through would say: a number or a time, who did it, why ("because", "so that"), what came of it,
or plain concrete detail. A sentence with none of these names a step; it does not take it.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Container
from dataclasses import dataclass

from .text import CLAUSE_BREAKS, FIRST_PERSON, NOT_CONTENT, Sentence, is_figure

# Words that pin a sentence down: how many, how long, when.
DETAIL_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty
    fifty sixty hundred hundreds thousand thousands million millions billion half dozen percent
    minute minutes hour hours day days week weeks weekly month months monthly quarter quarters
    year years yesterday tonight morning afternoon evening overnight monday tuesday wednesday
    thursday friday saturday sunday january february march april june july august september
    october november december""".split()
)
# "because", "so that", "which meant": a step argued for. Saying why earns nothing of itself
# (engine 2.16): fluent filler argues as readily as a strong answer, and the words of the reason
# are not concrete detail until something in the sentence is pinned down.
_REASON_WORDS = frozenset("because therefore otherwise thus hence meant caused causing due".split())
_REASON_PAIRS = frozenset(
    {("so", "that"), ("so", "we"), ("so", "i"), ("so", "they"), ("in", "order"), ("as", "a"),
     ("that", "way"), ("which", "meant"), ("which", "means"), ("to", "avoid"), ("to", "make")}
)  # fmt: skip
# What came of it, told as having happened: a specific only beside a number, a time or an owner
# ("payments recovered by 18:21"), since "it improved" alone is what filler says.
_RESULT_WORDS = frozenset(
    """recovered dropped rose fell grew doubled halved tripled increased decreased reduced improved
    returned shipped launched saved lost gained fixed resolved finished delivered stopped worked
    failed missed churned cancelled renewed signed hit reached beat""".split()
)
# Who does it: a step given to someone ("the on-call lead owns the rollback").
_OWNERSHIP = frozenset("owner owns owned assigned commander dri".split())
# Words that describe owning rather than assign it (engine 2.20): an owner only when the speaker
# takes it on ("I was the PM accountable for the launch", "we made one person responsible"), not
# in "ensure the right owners are accountable", "hold people responsible" or "dog owners".
_OWNING = frozenset("owners accountable responsible".split())
_OWNING_REACH = 4  # words from "I" or "we" to the word, with no "would" or "will" between
_MODALS = frozenset({"would", "will", "shall", "should", "could", "must"})
_CONCRETE_WORDS = 6  # content words of its own (not generic, not the rubric's) that make detail
# The words of management-speak: they fit any answer to any question, so they pin nothing down.
GENERIC_WORDS = frozenset(
    """clear clearly key relevant appropriate appropriately effectively effective efficient
    efficiently ensure ensuring align aligned alignment stakeholder stakeholders impact impactful
    value valuable goal goals objective objectives priority priorities prioritise prioritize
    metric metrics success successful strategy strategic framework approach holistic robust
    comprehensive data driven leverage optimise optimize drive deliver identify define understand
    consider evaluate assess analyse analyze measure communicate various overall important
    critical crucial meaningful significant specific concrete solution solutions outcome outcomes
    process processes need needs pain points point thing things aspect aspects area areas
    approach step steps plan planning right best good great proper properly appropriate focus
    focused think thinking make sure way ways well also first then next finally lastly start
    structured structure thorough thoroughly carefully careful relevant insights insight action
    actions actionable improve improvement improvements understanding situation context result
    results learning learnings lesson lessons key takeaway takeaways""".split()
)
# Template blanks, each with a mark that must be in the text for its pattern to be worth running:
# [situation], <metric>, {owner}, ___, XX, TBD, "insert your metric here".
# A blank glued to a path or a name ("/lists/{id}/items", "GET /users/<id>", "?since={v}") is
# code, not a template's blank.
_IN_CODE_BEFORE, _IN_CODE_AFTER = r"(?<![/\w=:.?&])", r"(?![/\w])"
_BLANKS = (
    ("[", re.compile(rf"{_IN_CODE_BEFORE}\[[A-Za-z][^\]\n]{{0,60}}\](?!\()")),
    ("<", re.compile(rf"{_IN_CODE_BEFORE}<[A-Za-z][^<>\n]{{0,40}}>{_IN_CODE_AFTER}")),
    ("{", re.compile(rf"{_IN_CODE_BEFORE}\{{[A-Za-z][^}}\n]{{0,40}}\}}{_IN_CODE_AFTER}")),
    ("___", re.compile(r"_{3,}")),
    ("XX", re.compile(r"\bXX+\b")),
    ("TBD", re.compile(r"\bTBD\b")),
    # "Insert your metric here": written to start with a class of first letters, which the
    # regex engine can skip ahead to (an alternation of words it tries at every position).
    (
        " here",
        re.compile(
            r"[IiDdAa](?<=\b[IiDdAa])(?:(?<=[Ii])nsert|(?<=[Dd])escribe|(?<=[Aa])dd) "
            r"(?:your|the|a) [a-z]+ here\b"
        ),
    ),
)
_CAPITALISED = re.compile(r"[A-Z][a-z]{2,}")  # a word of its own (checked in _opens_no_sentence)


@dataclass(frozen=True, slots=True)
class Substance:
    """The kinds of specifics a sentence carries, each named as the report shows it."""

    kinds: tuple[str, ...]  # "a number or time", "who does it", "a result", "concrete detail"
    concrete_words: int  # content words that are neither generic nor the rubric's own
    generic_share: float  # share of its content words that are management-speak
    vague: bool = False  # a mention only: the answer pins nothing down, or this is a general remark

    @property
    def level(self) -> int:
        return len(self.kinds)


_DIGIT = re.compile(r"\d")
_TO = re.compile(r"(?:[a-z]2)+[a-z]")  # "B2B", "D2C", "P2P": who sells to whom, not a figure
_CODE = re.compile(r"`[^`\n]*`")


def placeholders(text: str) -> list[tuple[int, int]]:
    """Where a template's blanks are: "[describe the situation]", "<metric>", "___", "TBD".
    Code such as `/lists/{id}` is not a blank."""
    wanted = [pattern for mark, pattern in _BLANKS if mark in text]
    if not wanted:
        return []
    if "`" in text:
        text = _CODE.sub(lambda code: " " * len(code.group()), text)
    return [match.span() for pattern in wanted for match in pattern.finditer(text)]


def substance_of(
    sentence: Sentence,
    vocabulary: frozenset[str],
    asked: frozenset[str] = frozenset(),
    named: bool = False,
) -> Substance:
    """`named`: the sentence names someone or something (see named_sentences). `asked` holds
    the words of the question and its hints: a figure they give ("a city of one million",
    "sessions rose 15%", "how much one charger can deliver in a day") pins nothing down when an
    answer repeats it."""
    words = sentence.words
    present = set(words)
    kinds: list[str] = []
    figures = (
        {w for w in present if not w.isalpha() and _DIGIT.search(w) and not _TO.fullmatch(w)}
        if _DIGIT.search(sentence.text)
        else set()
    )
    details = (present & DETAIL_WORDS) - asked
    if details and _in_turns_of_phrase(lowered := sentence.text.lower(), details):
        details -= _only_in_idioms(lowered, details)
    if details & _SPANS:
        details = {w for w in details if w not in _SPANS or _counted(words, w)}
    if details or figures - asked:
        kinds.append("a number or time")
    if named or not _OWNERSHIP.isdisjoint(present) or _takes_on(words, present):
        kinds.append("who does it")
    if not (ANCHORS.isdisjoint(kinds) or _RESULT_WORDS.isdisjoint(present)):
        kinds.append("a result")
    generic = concrete = content = 0
    for word, stem in zip(words, sentence.stems):  # noqa: B905 (one token, one stem)
        if word in NOT_CONTENT or (word[0].isdigit() and is_figure(word)):
            continue
        content += 1
        if word in GENERIC_WORDS:
            generic += 1
        elif len(word) > 3 and stem not in vocabulary:
            concrete += 1
    if concrete >= _CONCRETE_WORDS and not (
        ANCHORS.isdisjoint(kinds)
        and (not _REASON_WORDS.isdisjoint(present) or _has_pair(words, _REASON_PAIRS))
    ):
        kinds.append("concrete detail")
    generic_share = generic / content if content else 0.0
    if _generalises(words) or _remarks(words, present, kinds):
        return Substance((), concrete, generic_share, vague=True)
    if ANCHORS.isdisjoint(kinds) and _hedges(words, present):
        kinds = []
    return Substance(tuple(kinds), concrete, generic_share)


# Time words in turns of phrase that pin nothing down: "at the end of the day", "day-to-day".
# Both patterns run on lower-cased text: matching regardless of case costs the regex engine more.
_IDIOMS = re.compile(
    r"\b(?:at\s+the\s+end\s+of\s+the\s+day|day[-\s]to[-\s]day|in\s+this\s+day\s+and\s+age"
    r"|the\s+other\s+day|half\s+the\s+(?:battle|time))\b"
)
# Numbers in words for a kind of thing, not a count of it: "a two-way conversation", "a
# two-sided marketplace". Looked for only where such a number is (a search costs every sentence).
_NUMBERED_KINDS = re.compile(r"\b(?:two|three|four)-(?:way|sided)\b")
_KIND_NUMBERS = frozenset({"two", "three", "four"})


def _in_turns_of_phrase(text: str, details: set[str]) -> bool:
    """Whether the lower-cased text holds a turn of phrase that may hide a detail word."""
    return bool(
        _IDIOMS.search(text)
        or (not _KIND_NUMBERS.isdisjoint(details) and _NUMBERED_KINDS.search(text))
    )


def _only_in_idioms(text: str, details: set[str]) -> set[str]:
    """The detail words of `details` that occur in the lower-cased text only inside turns of
    phrase."""
    rest = _NUMBERED_KINDS.sub(" ", _IDIOMS.sub(" ", text))
    return {word for word in details if not re.search(rf"\b{word}\b", rest)}


def _takes_on(words: list[str], present: set[str]) -> bool:
    """Whether the speaker takes on what an owning word describes: "I" or "we" at most a few
    words before it, with no modal between (a plan to "ensure owners are accountable" is not)."""
    if _OWNING.isdisjoint(present) or FIRST_PERSON.isdisjoint(present):
        return False
    for index, word in enumerate(words):
        if word in _OWNING:
            before = words[max(0, index - _OWNING_REACH) : index]
            speaker = [i for i, w in enumerate(before) if w in {"i", "we"}]
            if speaker and _MODALS.isdisjoint(before[speaker[-1] :]):
                return True
    return False


ANCHORS = frozenset({"a number or time", "who does it"})
# Stretches of time named in the plural pin nothing down unless counted: "for three weeks", "in 2
# days", not "over the years", "takes months" or "in recent days".
_SPANS = frozenset("days weeks months quarters years".split())


def _counted(words: list[str], span: str) -> bool:
    """Whether some mention of `span` has a count just before it ("five working days")."""
    return any(
        word == span
        and any(w in DETAIL_WORDS or _DIGIT.search(w) for w in words[max(0, index - 2) : index])
        for index, word in enumerate(words)
    )


# "Maybe", "kind of", "I guess": a step the candidate does not commit to.
_HEDGE_WORDS = frozenset("maybe probably perhaps guess".split())
_HEDGE_PAIRS = frozenset({("kind", "of"), ("sort", "of"), ("or", "something"), ("not", "sure")})
# How a remark about the world opens ("Anyone who has...", "Most teams...", "Good products..."):
# commentary, unless the speaker is in it ("Most of our users...").
_GENERAL_OPENERS = frozenset(
    """anyone everyone everybody people companies teams most many some every any nobody
    generally good great""".split()
)
_GENERAL_OPENING_PAIRS = frozenset({("no", "one"), ("in", "general"), ("the", "best")})


def _hedges(words: list[str], present: set[str]) -> bool:
    """The sentence hedges ("we could maybe look at churn", "some kind of dashboard")."""
    return not _HEDGE_WORDS.isdisjoint(present) or _has_pair(words, _HEDGE_PAIRS)


def _has_pair(words: list[str], pairs: frozenset[tuple[str, str]]) -> bool:
    """Whether two words of one of the pairs stand side by side."""
    return not pairs.isdisjoint(itertools.pairwise(words))


def _generalises(words: list[str]) -> bool:
    """A remark about how things are in general, not a step of the answer's own: it opens with
    a general subject and has no first person in it."""
    opening = [w for w in words[:3] if w not in CLAUSE_BREAKS]
    general = bool(opening) and (
        opening[0] in _GENERAL_OPENERS or tuple(opening[:2]) in _GENERAL_OPENING_PAIRS
    )
    return general and not _speaker_in(words)


# A remark in the general present ("Users today expect products to simply work", "Trust is
# built slowly and lost quickly"): musing about the world, the stuff of on-topic padding.
_GENERAL_PRESENT = frozenset(
    """is are has have tends tend matters means becomes often usually always rarely never
    sometimes typically generally ultimately naturally increasingly today""".split()
)
_REMARK_MIN_WORDS = 8  # shorter lines are notes ("Root cause: a bad config push")


def _remarks(words: list[str], present: set[str], kinds: list[str]) -> bool:
    """A remark about how things are, wherever it opens (engine 2.8): told in the general
    present, with no speaker in it and nothing pinned down (no number, time, name or owner)."""
    return (
        len(words) >= _REMARK_MIN_WORDS
        and ANCHORS.isdisjoint(kinds)
        and not _GENERAL_PRESENT.isdisjoint(present)
        and not _speaker_in(words)
    )


# "I think", "I would also say", "in my view": the speaker giving an opinion, not taking a step.
_OPINION_VERBS = frozenset(
    """think believe feel say argue emphasise emphasize add suspect love enjoy
    admire guess wonder convinced agree mention note stress believed""".split()
)
_OPINION_BETWEEN = frozenset(
    "would also really personally do always genuinely strongly still truly firmly honestly want "
    "to am have".split()
)
_OPINION_NOUNS = frozenset("experience view opinion mind".split())


def _speaker_in(words: list[str]) -> bool:
    """Whether the speaker is in the sentence other than as the one giving an opinion."""
    for index, word in enumerate(words):
        if word not in FIRST_PERSON:
            continue
        if word == "my" and index + 1 < len(words) and words[index + 1] in _OPINION_NOUNS:
            continue
        if word == "i":
            after = index + 1
            while after < len(words) and after <= index + 3 and words[after] in _OPINION_BETWEEN:
                after += 1
            if after < len(words) and words[after] in _OPINION_VERBS:
                continue
        return True
    return False


def anchored(sentences: list[Substance], showing: Container[int]) -> list[Substance]:
    """Reasons, results and detail are believed when the answer pins something down in a
    sentence that does part of the answer (one `showing` a concept): a number, a time, a name,
    an owner. Fluent text that never does (however many "because"s it has, or an aside about
    "millions of people") names its steps without taking them: each sentence counts as bare."""
    if any(not ANCHORS.isdisjoint(s.kinds) for i, s in enumerate(sentences) if i in showing):
        return sentences
    return [Substance((), s.concrete_words, s.generic_share, vague=True) for s in sentences]


def named_sentences(text: str, sentences: list[Sentence], asked: frozenset[str]) -> set[int]:
    """Sentences with a name inside them (a person, a product, a place): a capitalised word
    that does not open the sentence. A name the question gives ("Instagram", "Google Maps")
    pins nothing down when an answer says it back. The text is searched once."""
    places = [
        match.start()
        for match in _CAPITALISED.finditer(text)
        if match.group() not in {"The", "This", "That"}
        and match.group().lower() not in asked
        and _inside_sentence(text, match.start())
    ]
    named = set()
    for index, sentence in enumerate(sentences):
        first = bisect.bisect_right(places, sentence.start)
        if first < len(places) and places[first] < sentence.end:
            named.add(index)
    return named


def _inside_sentence(text: str, start: int) -> bool:
    """The word at `start` begins a word, but not the text or a sentence after ". "."""
    if start == 0:
        return False
    before = text[start - 1]
    if before.isalnum() or before == "_":
        return False
    return not (start >= 2 and text[start - 2] in ".!?:" and before.isspace())
