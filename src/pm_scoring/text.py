"""Turn an answer into sentences of stemmed tokens, and find phrases in them by meaning.

Candidates write prose, bullet lists and labelled sections; all three become the same list of
sentences with character spans into the original text, so evidence can be highlighted exactly.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import Stemmer

_STEMMER = Stemmer.Stemmer("english")
_STEM_TABLE: dict[str, str] = {}
_STEM_TABLE_LIMIT = 100_000

# Words a phrase may skip between its own words ("rolled the release back" is "roll back").
MAX_GAP = 2

NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "cannot", "none"})
# What is skipped is not done ("I'd skip the postmortem"), but "skip rate" is a metric.
_SKIPPING = frozenset({"skip", "skipping"})
_DETERMINERS = frozenset("the any a an all our this that these those".split())
NEGATOR_PAIRS = frozenset(
    {
        ("instead", "of"),
        ("rather", "than"),
        ("forgot", "to"),
        ("lack", "of"),
        ("decided", "against"),
        ("decide", "against"),
        ("chose", "against"),
        ("held", "off"),
        ("hold", "off"),
    }
)
# Filler a phrase may omit: "turn off the feature" also matches "turn off that new feature".
PHRASE_FILLER = frozenset(
    "a an the our my their your his her its this that these those some any".split()
)
STOPWORDS = PHRASE_FILLER | frozenset(
    """i me we us you he she it they them and or but so if then than as at by for from in into of
    on onto to up with is are was were be been being am do does did done have has had will would
    shall should can could may might must also just very really all each every both about over
    after before again once there here when where which who whom what why how while during out off
    not no""".split()
)
# The little words that hold a statement together; a list of terms has almost none of them.
GLUE_WORDS = STOPWORDS - frozenset(
    "no not up out off all each every both also just very really again once there here".split()
)
# A sentence with none of these words cannot negate anything.
_NEGATING_WORDS = NEGATORS | _SKIPPING | frozenset(first for first, _ in NEGATOR_PAIRS)
CLAUSE_BREAKS = frozenset({",", ";", ":", "—", "–", "(", ")"})
# The speaker in their own words: a story told as "we", a plan as "I would", a remark with
# neither is about the world.
FIRST_SINGULAR = frozenset({"i", "me", "my", "mine", "myself"})
FIRST_PLURAL = frozenset({"we", "us", "our", "ours", "ourselves"})
FIRST_PERSON = FIRST_SINGULAR | FIRST_PLURAL
NOT_CONTENT = STOPWORDS | CLAUSE_BREAKS
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "approx", "incl"})

# "\x01" marks what followed an apostrophe ("we\x01d"), so only a real contraction expands. A
# figure written without spaces ("1,200", "18:15", "0.2", "1.5m") is one token, and an en dash
# between figures ("2–3 weeks") is a range: neither ends a clause (engine 2.37). Words and figures
# are separate branches, so a word costs what it did before figures were joined; no possessive
# quantifier, which Python 3.11.2 gets wrong ("18:15," as one token).
_TOKEN = re.compile(r"[a-z][a-z0-9]*|\d+(?:[.,:]\d+)*[a-z0-9]*|\x01[a-z]+|[,;:()—]|–(?!(?<=\d–)\d)")
_BULLET = re.compile(r"\s*(?:[-*•+]|\d{1,2}[.)]|#{1,6})\s+")
_HEADING = re.compile(r"^(#{1,6}\s+\S.*|\*\*[^*]+\*\*:?|__[^_]+__:?)$")
# A bold title that opens a paragraph and runs into its text: "**3. Segment.** If the drop…"
_RUN_IN_TITLE = re.compile(r"(\*\*|__)(?=\S)[^*_\n]{0,80}?(?:[.:!?]\1|\1:)(?=[ \t]+\S)")


def _any_case(word: str) -> str:
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


# A sentence ends with . ! or ? (and any closing quotes or brackets) before a space, unless the
# mark closes an abbreviation standing as a word of its own, "(e.g." included, or a time's "a.m."
# or "p.m." runs on in lower case ("at 8 p.m. and errors rose", engine 2.37). The regex starts
# with the mark, so it can skip through the text quickly; group 1 is the space after the end.
_SENTENCE_END = re.compile(
    "[.!?✔✓☑✅]"
    + "".join(rf"(?<!(?<![^\s(\[\"']){_any_case(word)}[.!?])" for word in sorted(_ABBREVIATIONS))
    + r"(?!(?<=\b[aApP]\.[mM]\.)\s+[a-z])"
    + r"[\"')\]*_]*(\s+)"
)
# A list number ("2.") is not a sentence of its own.
_LIST_NUMBER = re.compile(r"\d{1,2}\.")
_NEGATED_CONTRACTION = re.compile(r"n't\b")
_POSSESSIVE = re.compile(r"'s\b")
# What the marked tokens left by splitting a contraction stand for ("we'd" -> "we \x01d" ->
# "we would"), and the stems that change before "n't" ("won't" -> "wo \x01nt" -> "will not").
_CONTRACTED = {
    "\x01nt": "not", "\x01d": "would", "\x01ll": "will", "\x01re": "are", "\x01ve": "have",
    "\x01m": "am",
}  # fmt: skip
_BEFORE_NOT = {"wo": "will", "ca": "can", "sha": "shall"}


@dataclass(slots=True)
class Sentence:
    """A sentence or bullet, with its span in the original text and its tokens.

    `words` are the lower-cased tokens (clause breaks such as commas included, contractions
    expanded) and `stems` their Snowball stems, position by position.
    """

    start: int
    end: int
    text: str
    words: list[str]
    stems: list[str]
    word_count: int  # words, not counting clause breaks
    content_stems: list[str]  # stems of the words that carry meaning (no stopwords)
    whole_block: bool = False  # the sentence is a whole line or bullet, not part of a paragraph
    heading: bool = False  # a heading or label line ("## Result", "What I learned:")
    paragraph: int = 0  # which paragraph, bullet or heading of the answer it belongs to

    @property
    def content_words(self) -> list[str]:
        """The words that carry meaning, as written (lower-cased): what its meaning is made of."""
        return [w for w in self.words if w not in NOT_CONTENT]

    def clauses(self) -> list[tuple[int, int]]:
        """Each clause as a (start, end) slice of `content_words`: the stretches between clause
        breaks (commas, colons, dashes) and words that start a clause ("but", "then", "while")."""
        spans: list[tuple[int, int]] = []
        start = position = 0
        for word in self.words:
            if word in _CLAUSE_ENDS:
                if position > start:
                    spans.append((start, position))
                start = position
            elif word not in NOT_CONTENT:
                position += 1
        if position > start:
            spans.append((start, position))
        return spans


def is_content_word(word: str) -> bool:
    return word not in NOT_CONTENT


def is_figure(word: str) -> bool:
    """A token that is a number ("42", "1,200", "0.2") or a time of day ("18:15")."""
    return word[:1].isdigit() and not word.strip("0123456789,.:")


def _normalise(text: str) -> str:
    """Lower-case, with contractions split so that every character keeps its position:
    "didn't" becomes "did\x01nt", "we'd" becomes "we\x01d", a possessive "'s" becomes spaces.
    The marked tokens are turned back into words ("\x01nt" is "not") after tokenising; an
    unmarked "re" or "d" ("re-estimate", "3-d") stays what it is."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    if "'" not in text:
        return text
    text = _NEGATED_CONTRACTION.sub("\x01nt", text)
    text = _POSSESSIVE.sub("  ", text)
    return text.replace("'", "\x01")


def _tokens(normalised: str, start: int, end: int, contractions: bool) -> list[str]:
    """The words and clause breaks of `normalised[start:end]`. `contractions` says whether the
    text had an apostrophe, whose marked tokens must then be turned back into words."""
    words = _TOKEN.findall(normalised, start, end)
    if contractions and normalised.find("\x01", start, end) != -1:
        words = [
            _CONTRACTED.get(word, word[1:])
            if word[0] == "\x01"
            else _BEFORE_NOT[word]
            if word in _BEFORE_NOT and words[i + 1 : i + 2] == ["\x01nt"]
            else word
            for i, word in enumerate(words)
        ]
    return words


def _has_apostrophe(text: str) -> bool:
    return "'" in text or "’" in text


def _words(text: str) -> list[str]:
    """Lower-case words and clause breaks, contractions expanded."""
    normalised = _normalise(text)
    return _tokens(normalised, 0, len(normalised), _has_apostrophe(text))


def _stems_of(vocabulary: set[str]) -> dict[str, str]:
    """Each word's stem. Answers share most of their words, so stems are kept across calls in
    a table that only grows, up to a limit (so concurrent readers never miss a word)."""
    missing = list(vocabulary.difference(_STEM_TABLE))
    if not missing:
        return _STEM_TABLE
    fresh = dict(zip(missing, _STEMMER.stemWords(missing), strict=True))
    if len(_STEM_TABLE) + len(fresh) <= _STEM_TABLE_LIMIT:
        _STEM_TABLE.update(fresh)
        return _STEM_TABLE
    return {word: fresh.get(word) or _STEM_TABLE[word] for word in vocabulary}


def tokenize(text: str) -> tuple[list[str], list[str]]:
    """Words and clause breaks, and their stems (punctuation comes back from the stemmer as is)."""
    words = _words(text)
    return words, _STEMMER.stemWords(words)


def _is_heading(stripped: str) -> bool:
    """A Markdown heading, a line in bold, or a short label line ending in a colon."""
    first = stripped[0]
    if first in "#*_":
        return bool(_HEADING.match(stripped))
    return stripped[-1] == ":" and len(stripped.split()) <= 8 and not _BULLET.match(stripped)


def _blocks(text: str) -> list[tuple[int, int, bool]]:
    """Spans of paragraphs, bullets, headings and the lines of a list typed without bullets,
    each flagged whether it is a heading."""
    blocks: list[tuple[int, int, bool]] = []
    start = end = None
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        line_start = offset + (len(line) - len(line.lstrip()))
        line_end = line_start + len(stripped)
        heading = bool(stripped) and _is_heading(stripped)
        if not stripped or heading or _BULLET.match(stripped):
            if start is not None:
                blocks.append((start, end, False))
            start = end = None
            if heading:
                blocks.append((line_start, line_end, True))
            elif stripped:
                start, end = line_start, line_end
        else:
            if start is not None and _ends_list_line(text[start:end], stripped):
                blocks.append((start, end, False))  # a list without bullets: one line each
                start = None
            if start is None:
                start = line_start
            end = line_end
        offset += len(line)
    if start is not None:
        blocks.append((start, end, False))
    return _bare_titles(text, blocks)


_LIST_LINE_WORDS = 8  # a line this short, unpunctuated, before a capitalised one is a list item


def _ends_list_line(block: str, following: str) -> bool:
    """Whether the block's last line is an item of a list written without bullets, one item a
    line ("Check platforms" above "New vs returning"), not a line of wrapped prose or a title:
    it is short, ends without punctuation, and the next line is short too and starts as an item
    does (a capital, a figure)."""
    line = block.rpartition("\n")[2]
    words = line.split()
    return (
        len(words) <= _LIST_LINE_WORDS
        and line[-1:].isalnum()
        and words[-1].lower() not in STOPWORDS  # "the head of / Sales" is one sentence
        and (following[0].isupper() or following[0].isdigit() or following[0] in "%$£€")
        and len(following.split()) <= _LIST_LINE_WORDS  # a run of short lines, not a title
    )


def _bare_titles(text: str, blocks: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """A short line with no closing punctuation that introduces a longer paragraph ("What I
    learned" above its story) is a heading too, even without '#' or a colon. A run of short
    lines stays what it is: a list."""
    titled = []
    for index, (start, end, heading) in enumerate(blocks):
        line = text[start:end]
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (
            not heading
            and following is not None
            and "\n" not in line
            and line.rstrip()[-1:] not in ".!?,;"
            and len(line.split()) <= 6
            and not _BULLET.match(line)
            and len(text[following[0] : following[1]].split()) > 6
        ):
            heading = True
        titled.append((start, end, heading))
    return titled


def split_sentences(text: str) -> list[Sentence]:
    """Split prose, bullets and labelled lines into sentences with exact character spans."""
    pieces: list[tuple[int, int, list[str], int, bool, bool, int]] = []
    vocabulary: set[str] = set()
    # Normalise once; its positions line up with the text unless lower-casing changed a length.
    normalised: str | None = _normalise(text)
    if len(normalised) != len(text):
        normalised = None
    contractions = _has_apostrophe(text)
    for paragraph, (block_start, block_end, heading) in enumerate(_blocks(text)):
        titled = None if heading else _RUN_IN_TITLE.match(text, block_start, block_end)
        if heading:
            spans = [(block_start, block_end)]
        elif titled:
            rest = block_end - len(text[titled.end() : block_end].lstrip())
            spans = [(block_start, titled.end()), *_sentence_spans(text, rest, block_end)]
        else:
            spans = _sentence_spans(text, block_start, block_end)
        found = []
        for start, end in spans:
            bullet = _BULLET.match(text, start, end)
            start = bullet.end() if bullet else start
            if normalised is not None:
                words = _tokens(normalised, start, end, contractions)
            else:
                words = _words(text[start:end])
            word_count = len(words) - sum(map(CLAUSE_BREAKS.__contains__, words))
            if word_count:
                is_title = heading or bool(titled and start < titled.end())
                found.append((start, end, words, word_count, is_title))
                vocabulary.update(words)
        pieces += [(*piece, len(found) == 1, paragraph) for piece in found]
    stem_of = _stems_of(vocabulary)
    sentences = []
    for start, end, words, word_count, heading, whole_block, paragraph in pieces:
        stems = list(map(stem_of.__getitem__, words))
        content = [stem_of[word] for word in words if word not in NOT_CONTENT]
        sentences.append(
            Sentence(
                start,
                end,
                text[start:end],
                words,
                stems,
                word_count,
                content,
                whole_block,
                heading,
                paragraph,
            )
        )
    return sentences


def _sentence_spans(text: str, block_start: int, block_end: int) -> list[tuple[int, int]]:
    """Sentence spans within a paragraph or bullet; "e.g." and the like do not end one."""
    spans = []
    piece_start = block_start
    for boundary in _SENTENCE_END.finditer(text, block_start, block_end):
        end = boundary.start(1)
        if end - piece_start <= 3 and _LIST_NUMBER.fullmatch(text, piece_start, end):
            continue
        spans.append((piece_start, end))
        piece_start = boundary.end()
    spans.append((piece_start, block_end))
    return spans


def compile_phrase(phrase: str) -> tuple[str, ...]:
    """A phrase as the stems to look for, filler words dropped ("turn off the feature" also
    matches "turn off that feature") unless that would leave a single word: "my fault" and
    "their fault" must stay different phrases, and "these days" must not become "day"."""
    words, stems = tokenize(phrase)
    pairs = [(w, s) for w, s in zip(words, stems, strict=True) if w not in CLAUSE_BREAKS]
    content = [s for w, s in pairs if w not in PHRASE_FILLER]
    return tuple(content) if len(content) >= 2 or len(pairs) == 1 else tuple(s for _, s in pairs)


# Where a phrase was found: (sentence index, token index of its first word, of its last word).
# A plain tuple: a long answer has hundreds of matches, and a NamedTuple is slower to build.
Match = tuple[int, int, int]


K = TypeVar("K", bound=Hashable)


class PhraseMatcher(Generic[K]):
    """Finds many phrases in one pass: each token's stem is looked up once, and a longer phrase
    is followed further only where its second word is in reach. Keys say what a phrase stands
    for (a concept, a cue...)."""

    def __init__(self, phrases: Iterable[tuple[K, tuple[str, ...]]]):
        # first stem -> (keys of one-word phrases, {second stem: [(key, the stems after it)]})
        self._by_first: dict[str, tuple[list[K], dict[str, list[tuple[K, tuple[str, ...]]]]]] = {}
        for key, stems in phrases:
            single, longer = self._by_first.setdefault(stems[0], ([], {}))
            if len(stems) == 1:
                single.append(key)
            else:
                longer.setdefault(stems[1], []).append((key, stems[2:]))

    def matches(self, sentences: list[Sentence]) -> Iterator[tuple[K, Match]]:
        """Every non-negated occurrence of every phrase."""
        by_first = self._by_first
        for s_index, sentence in enumerate(sentences):
            stems = sentence.stems
            starts = [i for i, stem in enumerate(stems) if stem in by_first]
            may_negate = not _NEGATING_WORDS.isdisjoint(sentence.words)
            for t_index in starts:
                single, longer = by_first[stems[t_index]]
                ends = ()
                if longer and not longer.keys().isdisjoint(
                    stems[t_index + 1 : t_index + 2 + MAX_GAP]
                ):  # a second word is in reach: worth following
                    ends = _longer_matches(stems, t_index, longer)
                if not (single or ends):
                    continue
                if not may_negate or not (
                    is_negated(sentence.words, t_index) or is_dismissed(sentence.words, t_index)
                ):
                    for key in single:
                        yield key, (s_index, t_index, t_index)
                    for key, last, own in ends:
                        if not (may_negate and _negated_inside(sentence.words, t_index, last, own)):
                            yield key, (s_index, t_index, last)


def _negated_inside(words: list[str], first: int, last: int, own: tuple[str, ...]) -> bool:
    """Whether a negator the phrase does not hold stands between its words: "I would not ask"
    is not "I would ask"."""
    return any(words[i] in NEGATORS and words[i] not in own for i in range(first + 1, last))


def _longer_matches(
    stems: list[str], position: int, by_second: dict[str, list[tuple[K, tuple[str, ...]]]]
) -> list[tuple[K, int, tuple[str, ...]]]:
    """The phrases of two words or more starting at `position`, with where each ends and its
    words after the first. Each word is taken at its first occurrence at most MAX_GAP words after
    the one before it."""
    ends = []
    window = stems[position + 1 : position + 2 + MAX_GAP]
    for offset, stem in enumerate(window):
        phrases = by_second.get(stem)
        if phrases is None or window.index(stem) != offset:
            continue  # a later occurrence of the same second word: the first one decided
        second = position + 1 + offset
        for key, rest in phrases:
            last = _follow(stems, second, rest) if rest else second
            if last:
                ends.append((key, last, (stem, *rest)))
    return ends


def _follow(stems: list[str], position: int, rest: tuple[str, ...]) -> int | None:
    """The position of the phrase's last word, each word at most MAX_GAP words after the last."""
    for wanted in rest:
        window = stems[position + 1 : position + 2 + MAX_GAP]
        if wanted not in window:
            return None
        position += window.index(wanted) + 1
    return position


# Words that start a new clause, ending a negation's reach ("we did not wait, but rolled back").
_CLAUSE_STARTERS = frozenset("but instead then so yet although though while whereas".split())
_CLAUSE_ENDS = CLAUSE_BREAKS | _CLAUSE_STARTERS
_SUBJECTS = frozenset("i we they he she it you everyone nobody".split())
# Words that open a clause of its own, which a negation before them does not reach.
_NEW_CLAUSE = _SUBJECTS | frozenset("whether if that which when because".split())
# Every word where one clause ends and another begins: a break, "but", "because", a new subject.
CLAUSE_EDGES = _CLAUSE_ENDS | _NEW_CLAUSE
# How far back a negator reaches past list items: "not A, B or C"; "no X, no Y".
NEGATION_SCOPE = 14
_LIST_ITEM_WORDS = 4


# "it" after one of these opens a clause ("until it is", "and it did")...
_IT_OPENS = CLAUSE_EDGES | frozenset("and or until unless once after before".split())
# ...as it does before one of these ("it is", "it will").
_AUXILIARIES = frozenset(
    "is was are were will would can could should shall may might must has had have does did".split()
)


def _an_object(words: list[str], index: int) -> bool:
    """Whether the word is "it" as the object of the verb before it, which opens no clause:
    "I don't think breaking it down by platform is worth it", "we did not roll it back"."""
    return (
        words[index] == "it"
        and 0 < index < len(words) - 1
        and words[index - 1] not in _IT_OPENS
        and words[index + 1] not in _AUXILIARIES
    )


# "I don't think I would declare an incident": the negator of the opinion is the clause's.
_RAISING = frozenset("think say believe expect suppose imagine sure".split())


def negates(words: list[str]) -> bool:
    """Whether a sentence negates or skips anything."""
    if not NEGATORS.isdisjoint(words):
        return True
    return not _SKIPPING.isdisjoint(words) and any(
        word in _SKIPPING and following in _DETERMINERS
        for word, following in itertools.pairwise(words)
    )


def _raised(words: list[str], index: int) -> bool:
    """Whether the clause opening at `index` follows a negated opinion ("don't think", "wouldn't
    say", "not sure"), whose negator it takes."""
    return index >= 2 and words[index - 1] in _RAISING and words[index - 2] in NEGATORS


_COMPLEMENTS = frozenset("whether if what how why where".split())
# Before "whether" or "what", these ask nothing: "isn't where", "or whether it was the vendor".
_NOT_ASKING = NEGATORS | _AUXILIARIES | CLAUSE_BREAKS | frozenset({"and", "or"})


def _complement(words: list[str], index: int) -> bool:
    """Whether the clause opening at `index` is what a verb before it asks or checks ("did not
    check whether it worked", "never asked what happens if it fails"), which that verb's
    negator reaches; not what a negated "is" says ("it isn't where we differentiate"), nor a
    clause joined by "or" ("did not test it, or whether it was AWS")."""
    if index > 0 and words[index - 1] in _COMPLEMENTS:
        index -= 1  # the subject of the clause: its opening word is before it
    return words[index] in _COMPLEMENTS and index > 0 and words[index - 1] not in _NOT_ASKING


def is_negated(words: list[str], position: int) -> bool:
    """True when a negator governs `position`: it stands earlier in the same clause ("I would not
    split users into segments or pick a target user"), or before a list the word is an item of
    ("not A, B or C"). A comma ends the reach unless what it separates are short list items."""
    start = max(0, position - NEGATION_SCOPE)
    item_words = 0
    for index in range(position - 1, start - 1, -1):
        word = words[index]
        if word in CLAUSE_BREAKS:
            after = words[index + 1] if index + 1 < len(words) else ""
            if word != "," or item_words > _LIST_ITEM_WORDS or after in _NEW_CLAUSE:
                return False
            item_words = 0
            continue
        if word in _CLAUSE_STARTERS or (
            word in _NEW_CLAUSE
            and not _an_object(words, index)
            and not _raised(words, index)
            and not _complement(words, index)
        ):
            return False  # a clause of its own between the negator and the word
        item_words += 1
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in NEGATORS and following != "only":
            return True
        if word in _SKIPPING and following in _DETERMINERS:
            return True
        if index > 0 and (words[index - 1], word) in NEGATOR_PAIRS:
            return True
    return False


# What a clause says is not worth doing: "Updating customers every 30 minutes isn't really
# necessary", "Executives don't need scheduled updates", "Trust and safety isn't something I'd plan
# for". The negator comes after the step it dismisses.
_DISMISSALS = frozenset("worth necessary needed need needs matter matters something part".split())
_DISMISSAL_REACH = 2  # words between the negator and what dismisses
_VERB_NEGATORS = frozenset({"not", "never"})  # "is not worth", not "no approval needed"


def is_dismissed(words: list[str], position: int) -> bool:
    """True when the clause of `position` goes on to dismiss it: a negator later in the same
    clause, followed within reach by a word of dismissal. Short list items may stand between
    ("breaking it down by platform, app version or country is not worth it")."""
    item_words = 0
    for index in range(position + 1, min(len(words), position + 1 + NEGATION_SCOPE)):
        word = words[index]
        if word in CLAUSE_BREAKS:
            if word != "," or item_words > _LIST_ITEM_WORDS:
                return False
            item_words = 0
            continue
        if word in _CLAUSE_STARTERS or word in _NEW_CLAUSE:
            return False  # "We rolled back, and it did not matter": a clause of its own
        item_words += 1
        if word in NEGATORS:
            return word in _VERB_NEGATORS and not _DISMISSALS.isdisjoint(
                words[index + 1 : index + 2 + _DISMISSAL_REACH]
            )
    return False
