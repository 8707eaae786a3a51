"""Turn an answer into sentences of stemmed tokens, and find phrases in them by meaning.

Candidates write prose, bullet lists and labelled sections; all three become the same list of
sentences with character spans into the original text, so evidence can be highlighted exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")

# Words a phrase may skip between its own words ("rolled the release back" is "roll back").
MAX_GAP = 2
# How far back a negator reaches within a clause ("we did not immediately roll back").
NEGATION_REACH = 4

NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "cannot", "none"})
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
    }  # fmt: skip
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
CLAUSE_BREAKS = frozenset({",", ";", ":", "—", "–", "(", ")"})
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "approx", "incl"})

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,;:()—–]")
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)]|#{1,6})\s+")
_HEADING = re.compile(r"^(#{1,6}\s+\S.*|\*\*[^*]+\*\*:?|__[^_]+__:?)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]*_]*\s+")
_CONTRACTIONS = {"'d": "would", "'ll": "will", "'re": "are", "'ve": "have", "'m": "am"}
_IRREGULAR_NOT = {"won't": "will", "can't": "can", "shan't": "shall"}


@dataclass(frozen=True)
class Token:
    word: str  # lower-cased surface form, contractions expanded
    stem: str


@dataclass
class Sentence:
    """A sentence or bullet, with its span in the original text."""

    start: int
    end: int
    text: str
    tokens: list[Token]
    whole_block: bool = False  # the sentence is a whole line or bullet, not part of a paragraph
    heading: bool = False  # a heading or label line ("## Result", "What I learned:")
    words: list[Token] = field(init=False)

    def __post_init__(self) -> None:
        self.words = [t for t in self.tokens if t.word not in CLAUSE_BREAKS]

    @property
    def content_words(self) -> list[Token]:
        return [t for t in self.words if t.word not in STOPWORDS]


def is_content_word(word: str) -> bool:
    return word not in STOPWORDS and word not in CLAUSE_BREAKS


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def _expand(word: str) -> list[str]:
    if word in _IRREGULAR_NOT:
        return [_IRREGULAR_NOT[word], "not"]
    if word.endswith("n't"):
        return [word[:-3], "not"]
    if "'" in word:
        base, _, suffix = word.partition("'")
        extra = _CONTRACTIONS.get("'" + suffix)
        return [base, extra] if extra else [base]
    return [word]


def tokenize(text: str) -> list[Token]:
    """Lower-case word and clause-break tokens, with contractions expanded and words stemmed."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        for word in _expand(match.group()):
            if word:
                tokens.append(Token(word, word if word in CLAUSE_BREAKS else stem(word)))
    return tokens


def _is_heading(line: str) -> bool:
    """A Markdown heading, a line in bold, or a short label line ending in a colon."""
    line = line.strip()
    return bool(_HEADING.match(line)) or (
        line.endswith(":") and len(line.split()) <= 8 and not _BULLET.match(line)
    )


def _blocks(text: str) -> list[tuple[int, int, bool]]:
    """Spans of paragraphs, bullets and headings, each flagged whether it is a heading."""
    blocks: list[tuple[int, int, bool]] = []
    start = end = None
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        line_start = offset + (len(body) - len(body.lstrip()))
        line_end = offset + len(body.rstrip())
        if not stripped or _BULLET.match(body) or _is_heading(body):
            if start is not None:
                blocks.append((start, end, False))
            start = end = None
            if stripped and _is_heading(body):
                blocks.append((line_start, line_end, True))
            elif stripped:
                start, end = line_start, line_end
        else:
            if start is None:
                start = line_start
            end = line_end
        offset += len(line)
    if start is not None:
        blocks.append((start, end, False))
    return blocks


def split_sentences(text: str) -> list[Sentence]:
    """Split prose, bullets and labelled lines into sentences with exact character spans."""
    sentences: list[Sentence] = []
    for block_start, block_end, heading in _blocks(text):
        first = len(sentences)
        if heading:
            _add_sentence(sentences, text, block_start, block_end)
            sentences[first:] = [
                replace(s, heading=True, whole_block=True) for s in sentences[first:]
            ]
            continue
        block = text[block_start:block_end]
        piece_start = 0
        for boundary in _SENTENCE_END.finditer(block):
            before = block[piece_start : boundary.start()].rstrip(".!?\"')]").rsplit(None, 1)
            if before and before[-1].lower() in _ABBREVIATIONS:
                continue
            end = block_start + boundary.start()
            _add_sentence(sentences, text, block_start + piece_start, end)
            piece_start = boundary.end()
        _add_sentence(sentences, text, block_start + piece_start, block_end)
        if len(sentences) == first + 1:
            sentences[first].whole_block = True
    return sentences


def _add_sentence(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    bullet = _BULLET.match(piece)
    if bullet:
        start += bullet.end()
        piece = text[start:end]
    tokens = tokenize(piece)
    if any(t.word not in CLAUSE_BREAKS for t in tokens):
        sentences.append(Sentence(start, end, piece, tokens))


def compile_phrase(phrase: str) -> tuple[str, ...]:
    """A phrase as the stems to look for, filler words dropped."""
    stems = tuple(t.stem for t in tokenize(phrase) if t.word not in PHRASE_FILLER)
    return tuple(s for s in stems if s not in CLAUSE_BREAKS)


@dataclass(frozen=True)
class Match:
    sentence: int
    first: int  # token index of the phrase's first word
    last: int  # token index of its last word


class SentenceIndex:
    """Where each stem occurs, so a phrase is checked only where its first word appears."""

    def __init__(self, sentences: list[Sentence]):
        self.sentences = sentences
        self.positions: dict[str, list[tuple[int, int]]] = {}
        for s_index, sentence in enumerate(sentences):
            for t_index, token in enumerate(sentence.tokens):
                self.positions.setdefault(token.stem, []).append((s_index, t_index))

    def find(self, stems: tuple[str, ...]) -> list[Match]:
        """Every non-negated occurrence of a phrase, at most one per sentence."""
        matches: list[Match] = []
        seen: set[int] = set()
        for s_index, t_index in self.positions.get(stems[0], ()):
            if s_index in seen:
                continue
            tokens = self.sentences[s_index].tokens
            last = _follow(tokens, t_index, stems[1:])
            if last is not None and not is_negated(tokens, t_index):
                matches.append(Match(s_index, t_index, last))
                seen.add(s_index)
        return matches


def _follow(tokens: list[Token], position: int, rest: tuple[str, ...]) -> int | None:
    for wanted in rest:
        window = tokens[position + 1 : position + 2 + MAX_GAP]
        for offset, token in enumerate(window, start=1):
            if token.stem == wanted:
                position += offset
                break
        else:
            return None
    return position


def is_negated(tokens: list[Token], position: int) -> bool:
    """True when a negator stands shortly before `position` in the same clause."""
    start = max(0, position - NEGATION_REACH)
    for index in range(position - 1, start - 1, -1):
        word = tokens[index].word
        if word in CLAUSE_BREAKS:
            return False
        following = tokens[index + 1].word if index + 1 < len(tokens) else ""
        if word in NEGATORS and following != "only":
            return True
        if index > 0 and (tokens[index - 1].word, word) in NEGATOR_PAIRS:
            return True
    return False
