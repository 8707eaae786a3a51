"""score(rubric, text): a deterministic, explainable rubric score that resists gaming.

The order matters: first drop what must never earn credit (notes to the grader, repeats, bare
keyword lists), then find each criterion's concepts in what is left, then apply red flags.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .meaning import embed, model_version
from .report import (
    MAX_LEVEL,
    ConceptFound,
    CriterionResult,
    Flag,
    ScoreReport,
    criterion_share,
)
from .rubric import (
    CompiledCriterion,
    CriterionSpec,
    MeaningMatches,
    Rubric,
    closest_known_question,
    knowledge_digest,
)
from .substance import ANCHORS, Substance, anchored, named_sentences, placeholders, substance_of
from .text import (
    CLAUSE_BREAKS,
    CLAUSE_EDGES,
    FIRST_PERSON,
    FIRST_PLURAL,
    FIRST_SINGULAR,
    GLUE_WORDS,
    Sentence,
    is_content_word,
    is_figure,
    negates,
    split_sentences,
    tokenize,
)

# Bump when a change to the engine can change a report, its score or what it says: stored scores
# record the version they used. The model, and the shipped bank and rubrics the engine knows (see
# `knowledge_digest`), are part of it by themselves.
ENGINE_VERSION = f"2.43+{model_version()}+known.{knowledge_digest()}"

_GRADERS = "grader|evaluator|examiner|assessor|scorer|marker"


def _grader_pattern(triggers: str, pattern: str) -> tuple[frozenset[str], re.Pattern[str]]:
    """A way of speaking to the grader, and the words it cannot do without: the regex only
    runs on sentences holding one of them, which keeps it off nearly every sentence. It is
    written in lower case and run on the sentence lower-cased (matching without regard to case
    costs the regex engine twice as much)."""
    return frozenset(triggers.split()), re.compile(pattern)


_TO_GRADER = [
    _grader_pattern(
        "ignore disregard forget",
        r"\b(ignore|disregard|forget)\b[^.]{0,40}"
        r"\b(instructions?|prompts?|rubric|rules|guidance|guidelines|criteria)\b",
    ),
    _grader_pattern(
        "note notes message messages instruction instructions reminder reminders",
        r"\b(note|message|instructions?|reminder)s? (to|for) (the |any |an? )?([\w-]+ ){0,2}"
        rf"({_GRADERS}|reviewer|ai|model|llm)",
    ),
    _grader_pattern(
        "dear hey hello hi attention",
        rf"\b(dear|hey|hello|hi|attention),? (the )?({_GRADERS}|ai|model|reviewer)",
    ),
    _grader_pattern(
        "grader graders evaluator evaluators examiner examiners assessor assessors scorer scorers "
        "marker markers",
        rf"\b({_GRADERS})s?\b[^.]{{0,60}}\b(give|award|assign|score|rate|mark|grade)",
    ),
    _grader_pattern(
        "give award assign grant record",
        r"\b(give|award|assign|grant|record)\b[^.]{0,40}(full marks|full score|full points|"
        r"max(imum)? (score|marks|points)|top (score|marks)|perfect score|highest (score|mark)|"
        r"\b100 ?/ ?100|\b100 points|\b10 ?/ ?10|\b5 ?/ ?5)",
    ),
    _grader_pattern(
        "score rate grade mark",
        r"\b(score|rate|grade|mark)\s+(this|my|the)\s+(answer|response|submission)\b",
    ),
    _grader_pattern(
        "answer response submission",
        r"\b(this|my) (answer|response|submission) (covers|meets|satisfies|deserves|hits|"
        r"addresses|ticks) (every|all|each|the) ",
    ),
    _grader_pattern(
        "trust hope confident kindly please",
        r"\b(i trust|i hope|i am confident|i'm confident|kindly|please)\b[^.]{0,80}"
        rf"\b({_GRADERS}|reviewer|reader|score|marks|credit|recogni[sz]e|consider|the effort)",
    ),
    _grader_pattern(
        "answer response submission",
        r"\b(this|my) (answer|response|submission)\b[^.]{0,60}\b(covers|addresses|demonstrates|"
        r"meets|deserves|shows|reflects)\b[^.]{0,40}\b(every|all|each|expert|full|complete)",
    ),
    _grader_pattern("prompt", r"\bsystem prompt\b"),
    # Whoever will judge the answer, named as such ("I hope whoever reviews this..."), or asked to
    # judge it kindly ("read it generously", "give credit for the reasoning").
    _grader_pattern(
        "whoever reviewer reviewers reviewing reading evaluating marking scoring grading assessing",
        r"\bwhoever\b([^.]{0,20}?,)? (is |will be )?(review|read|evaluat|mark|scor|grad|assess)"
        r"(s|es|ing)? (this|it|my|the (answer|response))\b"
        r"|\b(the|any|a|dear) reviewers?\b[^.]{0,60}"
        r"\b(credit|score|mark|read|consider|account|mind)"
        r"|\b(person|people|system)s? (or (a )?system )?"
        r"(review|read|evaluat|mark|scor|grad|assess)ing (it|this)\b",
    ),
    _grader_pattern(
        "score mark grade rate assess",
        r"\b(score|mark|grade|rate|assess)\s+(it|this|me|my answer)\s+"
        r"(as an? (strong|top|high|full|perfect|excellent|good|great|senior)"
        r"|a?\s*\d+\s*(/|out of))",
    ),
    _grader_pattern(
        "grader graders evaluator evaluators reviewer reviewers examiner examiners marker markers",
        rf"^\W*({_GRADERS}|reviewer)s?\s*[:,]",
    ),
    _grader_pattern(
        "reflected recognised recognized considered credited",
        r"\b(reflected|recogni[sz]ed|considered|credited) in (the|your|how|my) (score|scoring|"
        r"assessment|evaluation|marking|mark|grade|grading|answer is (assessed|marked|scored))",
    ),
    _grader_pattern(
        "dimension dimensions",
        r"\b(every|each|all the) dimensions? (that )?(an?|the) ([\w-]+ ){0,2}"
        r"(interviewer|reviewer)s? (looks?|would|is|wants)",
    ),
    _grader_pattern(
        "trust",
        r"\bi trust (that )?you('ll| will) (see|find|agree|recogni)"
        r"|\bcome through in (your|the) (assessment|evaluation|marking|score)",
    ),
    _grader_pattern(
        "generously kindly leniently charitably favourably favorably",
        r"\b(read|score|mark|grade|rate|assess|judge|evaluat\w*|consider\w*|interpret\w*)\b"
        r"[^.]{0,40}\b(generously|kindly|leniently|charitably|favou?rably)\b",
    ),
    _grader_pattern(
        "credit",
        r"\bcredit (for|to) (the|my|this) ([\w-]+ ){0,3}(reasoning|thinking|structure|approach|"
        r"answer|response|effort|intent)\b",
    ),
    _grader_pattern(
        "ai language grader evaluator assistant",
        r"\byou are an? (ai|language model|grader|evaluator|assistant)\b",
    ),
]
_GRADER_WORDS = frozenset().union(*(triggers for triggers, _ in _TO_GRADER))

# Built-in flags: they only ever remove credit.
_GRADER_PENALTY = 20
_REPETITION_PENALTY = 15
_STUFFING_PENALTY = 15
OFF_TOPIC_CAP = 5
_STUFFED_MIN_CONCEPTS = 3  # a sentence naming this many concepts...
_STUFFED_MAX_GLUE = 0.1  # ...with this small a share of little words (the, to, we, and) is a list
_BARE_TERMS_MIN = 3  # this many lines that are nothing but a rubric term is a keyword list
_FRAGMENT_WORDS = 4  # a sentence this short is a fragment, which may be a bare term
_LIST_SHARE = 0.6  # term lists carrying this share of all matches make the answer a keyword list
_LIST_DENSITY = 0.2  # below this many matches per content word, an answer is prose, not lists
_SECTION_MIN_WORDS = 12  # content words under a cue heading that make it a real section
_NEAR_DUPLICATE = 0.85  # Jaccard similarity of content stems that counts as a repeat
_REPEAT_WINDOW = 40  # earlier sentences per stem compared with a new one

_MODALS = frozenset({"would", "will", "shall", "should"})
_IRREGULAR_PAST = frozenset(
    """was were did had went made led took told found gave got saw knew thought felt began became
    brought bought built caught chose came cut drew drove fell fought flew forgot grew held hid hit
    kept lost meant met paid put ran read rode rose said sent set shut sold spent spoke stood stuck
    taught threw understood woke won wrote""".split()
)
# Stems of the words that look back on a story rather than tell it.
_LOOKING_BACK = frozenset(
    """learn learnt lesson taught realis realiz takeaway insight understood hindsight sinc now
    nowaday today alway everi each anymor habit rule differ next again""".split()
)
_NOT_PAST = frozenset("need feed speed seed indeed embed proceed succeed exceed shed breed".split())


@dataclass
class _Hits:
    """Which concepts each criterion found, and where."""

    concept_sentences: defaultdict[tuple[int, str], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    cue_sentences: dict[int, set[int]] = field(default_factory=dict)
    # sentence -> token spans of its matched phrases
    spans: defaultdict[int, list[tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    sentence_concepts: defaultdict[int, set[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(set)
    )
    # the concepts a sentence names in words, not found by a number pattern ("10%", "2 a day")
    worded_concepts: defaultdict[int, set[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(set)
    )
    # (criterion, concept, sentence) -> similarity, for concepts a sentence shows by meaning only
    by_meaning: dict[tuple[int, str, int], float] = field(default_factory=dict)
    # ...of which these resemble a sentence of the question's model answer
    lent: set[tuple[int, str, int]] = field(default_factory=set)

    def add(
        self, criterion: int, concept: str, sentence: int, tokens: tuple[int, int] | None
    ) -> None:
        self.concept_sentences[criterion, concept].add(sentence)
        self.sentence_concepts[sentence].add((criterion, concept))
        if tokens is not None:
            self.spans[sentence].append(tokens)
            self.worded_concepts[sentence].add((criterion, concept))

    def add_meaning(
        self, criterion: int, concept: str, sentence: int, similarity: float, lent: bool
    ) -> None:
        self.concept_sentences[criterion, concept].add(sentence)
        self.sentence_concepts[sentence].add((criterion, concept))
        self.by_meaning[criterion, concept, sentence] = similarity
        if lent:
            self.lent.add((criterion, concept, sentence))

    def covered(self, sentence: int) -> set[int]:
        """Token positions inside a matched phrase."""
        return {i for first, last in self.spans.get(sentence, ()) for i in range(first, last + 1)}

    def forget(self, sentences: set[int]) -> None:
        for index in sentences:
            self.sentence_concepts.pop(index, None)
        for key in list(self.concept_sentences):
            self.concept_sentences[key] -= sentences
            if not self.concept_sentences[key]:
                del self.concept_sentences[key]
        for key in list(self.cue_sentences):
            self.cue_sentences[key] -= sentences


def score(
    rubric: Rubric,
    text: str,
    question: str | None = None,
    hints: Sequence[str] = (),
    model_answer: str | None = None,
) -> ScoreReport:
    """Score an answer against a rubric; the same inputs always give the same report.

    `question` is the question as asked (its title and prompt). Rubrics that require it check
    that the answer names the question's subject. `hints` are the hints the question shows the
    candidate: a sentence made of their words, or of the question's, restates them. The
    question's `model_answer` lends its sentences to the rubric's examples (engine 2.23): one
    that shows a concept in the rubric's words shows what that concept means for this question.
    It also shows what the question is about (2.25) and how much a focused answer to it pins
    down (2.26)."""
    sentences = split_sentences(text)
    flags: list[Flag] = []

    to_grader = _sentences_to_grader(sentences)
    if to_grader:
        flags.append(
            Flag(
                "addressed_to_grader",
                "Addressed to the grader",
                "Part of the answer speaks to the grader, not the interviewer; it was ignored.",
                _GRADER_PENALTY,
                _spans(sentences, to_grader),
            )
        )
    repeats = _repeated_sentences(sentences, set(to_grader))
    if repeats:
        flags.append(
            Flag(
                "repetition",
                "Repetition",
                f"{len(repeats)} sentence(s) repeat earlier ones; a repeat earns nothing twice.",
                _REPETITION_PENALTY,
                _spans(sentences, repeats),
            )
        )
    dropped = set(to_grader) | set(repeats)
    kept_sentences = [s for i, s in enumerate(sentences) if i not in dropped]
    hits = _find_concepts(rubric, kept_sentences)
    # What the page already says: a figure or time the question or its hints give pins nothing
    # down when an answer says it back (engine 2.24: "two people edit the same item offline").
    asked = frozenset(tokenize("\n".join([question or "", *hints]))[0])
    named = named_sentences(text, kept_sentences, asked)
    # A long sentence's meaning is an average of its clauses, which can blur the one that shows
    # a concept ("how long would a saved copy be kept before we fetch a fresh one, and how will
    # old copies be thrown away..."), so each of its clauses is compared with the examples too.
    clauses = _clauses(kept_sentences)
    vectors = embed([s.content_words for s in kept_sentences], clauses)
    lent = (
        rubric.meaning.lend(question, model_answer, lambda: _lent_examples(rubric, model_answer))
        if question and model_answer
        else None
    )
    owners = [i for i, _, _ in clauses]
    relevance, meanings = rubric.meaning.compare(
        vectors, [s.paragraph for s in kept_sentences], question, owners
    )
    _add_meaning_hits(hits, kept_sentences, meanings)
    if lent is not None:
        lent_meanings = rubric.meaning.resembling(vectors, len(kept_sentences), owners, lent)
        _add_meaning_hits(hits, kept_sentences, lent_meanings, lent=True)
    own_substance = [
        substance_of(s, rubric.vocabulary, asked, index in named)
        for index, s in enumerate(kept_sentences)
    ]
    substance = anchored(own_substance, hits.sentence_concepts)

    # Lines that only list rubric terms earn nothing; an answer built of them is also penalised.
    stuffed, list_answer = _stuffed_sentences(kept_sentences, hits, rubric.vocabulary, substance)
    if list_answer:
        flags.append(
            Flag(
                "keyword_stuffing",
                "Keyword stuffing",
                "Some sentences only list rubric terms; a list of terms is not an answer.",
                _STUFFING_PENALTY,
                _spans(kept_sentences, sorted(stuffed)),
            )
        )
    # What earns nothing, whatever concepts it names: each kind is flagged with what was seen.
    void: dict[str, set[int]] = {
        "term_list": set(stuffed),  # unless the penalty above has claimed them
        "template": _templated(text, kept_sentences),
        "restates_question": _restating(kept_sentences, question, hints, substance),
        "filler": _filler(kept_sentences, hits, substance),
        "checklist": _checklist(kept_sentences, hits, substance),
        "padding": _padding(kept_sentences, hits, relevance),
        "musing": _musing(kept_sentences, own_substance, rubric, model_answer),
    }
    claimed = set(stuffed) if list_answer else set()
    for kind, indexes in void.items():
        indexes -= claimed
        claimed |= indexes
        if indexes:
            title, message = _VOID_FLAGS[kind]
            words = sum(kept_sentences[i].word_count for i in indexes)
            flags.append(
                Flag(kind, title, message.format(n=len(indexes), words=words), 0,
                     _spans(kept_sentences, indexes))
            )  # fmt: skip
    hits.forget(claimed)
    # What earns nothing vouches for nothing either (engine 2.21): an answer's steps are believed
    # on a number, a time or an owner pinned down where the answer still counts, not in a musing
    # aside ("Customers remember whether a status page told them the truth every hour").
    substance = anchored(own_substance, hits.sentence_concepts)

    elaborated = _with_next_sentence(kept_sentences, substance, hits)
    depths = _Depths(hits, elaborated, kept_sentences)
    criteria = [
        _criterion_result(index, criterion, hits, kept_sentences, elaborated, depths)
        for index, criterion in enumerate(rubric.criteria)
    ]
    counted_indexes = [i for i in range(len(kept_sentences)) if i not in claimed]
    counted = [kept_sentences[i] for i in counted_indexes]
    counted_words = sum(s.word_count for s in counted)
    # The length that counts is what is left once everything that earns nothing is set aside
    # (padding, filler, templates, repeats): those words never make an answer long enough.
    # Paragraphs in plain words that match no concept still count: they are the answer.
    on_topic_words = counted_words
    # Red flags read everything the candidate said about the question, filler included (a
    # story told as "I would..." is hypothetical however empty it is).
    said = [s for i, s in enumerate(kept_sentences) if i not in void["padding"] | stuffed]
    flags.extend(_red_flags(rubric, said, criteria))

    total_weight = sum(c.weight for c in criteria)
    # Each criterion gives the share of its weight that its points reach (levels are those
    # shares in quarters, rounded down): finer than levels, so more substance always shows.
    weighted = (
        100
        * sum(
            c.weight * criterion_share(c.score, c.points, c.full_marks_at, bool(c.concepts))
            for c in criteria
        )
        / total_weight
    )
    overall = weighted - sum(f.penalty for f in flags)
    overall = max(0.0, overall)

    def scale_by(scale: float, flag_id: str, title: str, message: str) -> None:
        """Scale the score, flagging it with the points the scale takes off."""
        nonlocal overall
        penalty = round(overall * (1 - scale))
        overall -= penalty
        flags.append(Flag(flag_id, title, message, penalty))

    if on_topic_words < rubric.spec.min_words:
        # A short answer that covers the ground keeps its score; one that does not is scaled
        # by its length, since a few lucky sentences are not yet an answer.
        mean_level = sum(c.weight * c.score for c in criteria) / total_weight
        weights = {(c.spec.id, k.id): k.weight for c in rubric.criteria for k in c.concepts}
        shown = [(c.id, k) for c in criteria for k in c.concepts]
        substantive = sum(k.points >= weights[cid, k.id] for cid, k in shown)  # depth 1 or more
        complete = mean_level >= _COMPLETE_LEVEL and 2 * substantive >= len(shown)
        scale_by(
            1.0 if complete else on_topic_words / rubric.spec.min_words,
            "too_short",
            "Too short",
            f"{on_topic_words} words on the question, under the {rubric.spec.min_words} a "
            "full answer usually takes. "
            + (
                "It covers the ground with substance, so nothing is taken off."
                if complete
                else f"The score is scaled by {on_topic_words}/{rubric.spec.min_words}."
            ),
        )
    # Words spent on what earns nothing (filler, restating, padding) still dilute: setting them
    # aside must never spare an answer what its length as written would cost it.
    spent_words = sum(s.word_count for s in kept_sentences)
    sentence_specifics = sum(substance[i].level for i in counted_indexes)
    # Specifics the answer gives but that do not count, since no step it takes pins anything
    # down (see `anchored`): said, so that "pin down 0 specifics" never reads as a misreading.
    disbelieved = sum(own_substance[i].level for i in counted_indexes) - sentence_specifics
    not_counted_note = (
        f" Specifics it gives elsewhere ({disbelieved}) do not count: no sentence that takes a "
        "step the question asks for pins down a number, a time or an owner."
        if disbelieved
        else ""
    )
    if spent_words > rubric.spec.min_words:
        # A long answer is judged by what its length carries: one that pins down too little for
        # its words (rambling, or an answer drawn out with musing) is scaled by the share of a
        # focused answer's rate it reaches, in its sentences or in the concepts it shows.
        concept_specifics = sum(len(k.specifics) for c in criteria for k in c.concepts)
        carried = (
            max(
                sentence_specifics / _DILUTED_SENTENCE_SPECIFICS,
                concept_specifics / _DILUTED_CONCEPT_SPECIFICS,
            )
            * 100
            / spent_words
        )
        # Dilution comes in with length: in part just over `min_words`, in full from
        # _DILUTED_FULL_AT times it (engine 2.30). An answer of 130 words where 120 make a full
        # one is hardly long, whatever it pins down; the model-answer check below judges it.
        counts = min(1.0, (spent_words / rubric.spec.min_words - 1) / (_DILUTED_FULL_AT - 1))
        scale = 1 - (1 - max(_DILUTED_FLOOR, min(1.0, carried))) * counts
        if scale < 0.995:  # something to take off, at two decimals
            full = round(_DILUTED_FULL_AT * rubric.spec.min_words)
            scale_by(
                scale,
                "diluted",
                "Long for what it says",
                f"{spent_words} words pin down {sentence_specifics} specifics (a number, "
                "a time, an owner or a concrete detail): a focused answer of this length "
                f"pins down about {round(spent_words * _DILUTED_SENTENCE_SPECIFICS / 100)}."
                f"{not_counted_note} The score is scaled by {scale:.2f}"
                + (f", in part, as it is under {full} words" if counts < 1 else "")
                + "; cut what adds none, or add them.",
            )
    if model_answer and spent_words:
        # Whatever its length, an answer pinning down less for its words than the question's
        # model answer does is scaled towards 0.8 for one that pins down nothing (engine 2.26):
        # the model answer shows what a focused answer to this question carries.
        rate = 100 * sentence_specifics / spent_words
        model_rate = _specifics_rate(model_answer, rubric.vocabulary, asked)
        if rate < model_rate:
            scale = _SPARSE_FLOOR + (1 - _SPARSE_FLOOR) * rate / model_rate
            scale_by(
                scale,
                "less_specific",
                "Less specific than the model answer",
                f"{spent_words} words pin down {sentence_specifics} specifics, {rate:.1f} per "
                f"100 words, where the model answer pins down {model_rate:.1f}.{not_counted_note} "
                f"The score is scaled by {scale:.2f}; put a number, a time, an owner or a "
                "result behind each step.",
            )
    found = sum(len(c.concepts_found) for c in criteria)
    # Where the answer's meaning points: its counted sentences' directions, each alike.
    direction = vectors[counted_indexes].sum(axis=0)
    off_topic = (
        _off_topic(rubric, question, model_answer, counted, direction, found)
        if counted_words >= 20
        else None
    )
    if off_topic:
        overall = min(overall, OFF_TOPIC_CAP)
        flags.append(Flag("off_topic", "Off topic", off_topic))

    return ScoreReport(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        engine_version=ENGINE_VERSION,
        overall=round(min(100.0, overall)),
        criteria=criteria,
        flags=flags,
        word_count=sum(s.word_count for s in sentences),
        counted_words=counted_words,
        weighted=round(weighted),
    )


@functools.lru_cache(maxsize=256)
def _specifics_rate(text: str, vocabulary: frozenset[str], asked: frozenset[str]) -> float:
    """The specifics a text pins down per 100 words, each kind a sentence carries counting
    (a model answer's: it is worked out once per question)."""
    sentences = split_sentences(text)
    named = named_sentences(text, sentences, asked)
    specifics = sum(
        substance_of(s, vocabulary, asked, i in named).level for i, s in enumerate(sentences)
    )
    return 100 * specifics / max(1, sum(s.word_count for s in sentences))


def _sentences_to_grader(sentences: list[Sentence]) -> list[int]:
    """Sentences that speak to the grader."""
    return [index for index, sentence in enumerate(sentences) if _speaks_to_grader(sentence)]


def _speaks_to_grader(sentence: Sentence) -> bool:
    if _GRADER_WORDS.isdisjoint(sentence.words):
        return False
    lowered = sentence.text.lower()
    return any(
        not triggers.isdisjoint(sentence.words) and pattern.search(lowered)
        for triggers, pattern in _TO_GRADER
    )


def _spans(sentences: list[Sentence], indexes: list[int] | set[int]) -> list[tuple[int, int]]:
    return [(sentences[i].start, sentences[i].end) for i in sorted(indexes)]


def _repeated_sentences(sentences: list[Sentence], skip: set[int]) -> list[int]:
    """Sentences whose content words (nearly) repeat an earlier sentence's: the Jaccard
    similarity of their stem sets is at least _NEAR_DUPLICATE.

    A near-duplicate of a sentence with n stems shares at least ceil(J * n) of them, so it holds
    one of any n - ceil(J * n) + 1 of them: only the earlier sentences holding one of its rarest
    stems are compared, and only the most recent _REPEAT_WINDOW of those, which keeps the cost
    linear in the answer's length even for text made of a few words over and over."""
    earlier_stems: list[frozenset[str]] = []
    postings: defaultdict[str, list[int]] = defaultdict(list)  # stem -> earlier sentences
    repeats: list[int] = []
    for index, sentence in enumerate(sentences):
        stems = frozenset(sentence.content_stems)
        if index in skip or len(stems) < 4:
            continue
        shared = math.ceil(_NEAR_DUPLICATE * len(stems) - 1e-9)  # at least, with a repeat
        seen = [stem for stem in stems if stem in postings]
        if len(seen) < shared:  # too many stems no earlier sentence has: most stop here
            candidates: set[int] = set()
        else:
            probes = len(stems) - shared + 1
            rarest = sorted(seen, key=lambda stem: (len(postings[stem]), stem))[:probes]
            candidates = {e for stem in rarest for e in postings[stem][-_REPEAT_WINDOW:]}
        if any(
            len(stems & earlier_stems[e]) >= _NEAR_DUPLICATE * len(stems | earlier_stems[e])
            for e in candidates
        ):
            repeats.append(index)
            continue
        for stem in stems:
            postings[stem].append(len(earlier_stems))
        earlier_stems.append(stems)
    return repeats


def _find_concepts(rubric: Rubric, sentences: list[Sentence]) -> _Hits:
    hits = _Hits()
    for (kind, c_index, concept_id), (s_index, first, last) in rubric.signals.matches(sentences):
        if kind == "concept":
            hits.add(c_index, concept_id, s_index, (first, last))
        else:
            cued = hits.cue_sentences.setdefault(c_index, set())
            cued.add(s_index)
            if sentences[s_index].heading:
                cued.update(_section_after(sentences, s_index))
    patterned = [
        (c_index, concept)
        for c_index, criterion in enumerate(rubric.criteria)
        for concept in criterion.concepts
        if concept.patterns
    ]
    if patterned:
        lowered = [s.text.lower() for s in sentences]
        for c_index, concept in patterned:
            for pattern in concept.patterns:
                for s_index, sentence_text in enumerate(lowered):
                    if pattern.search(sentence_text):
                        hits.add(c_index, concept.id, s_index, None)
    return hits


def _lent_examples(rubric: Rubric, model_answer: str) -> list[tuple[tuple[int, str], list[str]]]:
    """The model answer's sentences that show a concept or two in the rubric's words, by concept
    (as content words): what those concepts mean for its question. A sentence naming more is a
    summary of several, no example of any."""
    sentences = split_sentences(model_answer)
    shown = _find_concepts(rubric, sentences).sentence_concepts
    return [
        (concept, sentences[index].content_words)
        for index, concepts in sorted(shown.items())
        if len(concepts) <= _LENT_CONCEPTS and not sentences[index].heading
        for concept in sorted(concepts)
    ]


def _section_after(sentences: list[Sentence], heading: int) -> range:
    """The sentences under a heading, up to the next heading."""
    end = heading + 1
    while end < len(sentences) and not sentences[end].heading:
        end += 1
    return range(heading + 1, end)


def _stuffed_sentences(
    sentences: list[Sentence], hits: _Hits, vocabulary: frozenset[str], substance: list[Substance]
) -> set[int]:
    """Sentences that are lists of rubric terms rather than statements. In an answer made of
    statements, a terse line with a number or a time in it ("Result: churn back to 1.7% within
    two months") is a note, not a list of terms."""
    stuffed: set[int] = set()
    noted: set[int] = set()  # ...of which these carry a number or a time
    bare: set[int] = set()
    fragments = _fragment_runs(sentences)
    for s_index in hits.sentence_concepts:
        # Numbers a pattern found do not make a list of terms: "10 million × 2 = 20 million".
        concepts = hits.worded_concepts.get(s_index, ())
        sentence = sentences[s_index]
        # A short line of its own, or a fragment in a run of them, may be nothing but a term.
        term_sized = s_index in fragments or (
            sentence.whole_block and not sentence.heading and sentence.word_count <= 8
        )
        if len(concepts) < _STUFFED_MIN_CONCEPTS and not term_sized:
            continue
        content_words = len(sentence.content_stems)
        if not content_words:
            continue
        if len(concepts) >= _STUFFED_MIN_CONCEPTS and _glue_share(sentence) < _STUFFED_MAX_GLUE:
            stuffed.add(s_index)
            if "a number or time" in substance[s_index].kinds:
                noted.add(s_index)
        elif content_words <= 3 and term_sized:
            everywhere = range(len(sentence.words))
            if _off_rubric(sentence, everywhere, hits.covered(s_index), vocabulary) <= 1:
                bare.add(s_index)
    if noted:  # among statements, a line with a figure is a note; among lists, a list
        concept_lines = hits.sentence_concepts
        listed = [i for i in concept_lines if _glue_share(sentences[i]) < _STUFFED_MAX_GLUE]
        if 2 * len(listed) <= len(concept_lines):
            stuffed -= noted
    if len(bare) >= _BARE_TERMS_MIN:
        stuffed |= bare
    # A line or two of terms among statements earns nothing. Three or more, or term lists making
    # up most of the lines that name concepts, make an answer of lists: penalised, too.
    lists, list_answer = _term_lists(sentences, hits, vocabulary, substance)
    if (
        list_answer
        or len(stuffed) >= _BARE_TERMS_MIN
        or 2 * len(stuffed | lists) > len(hits.sentence_concepts)
    ):
        return stuffed | lists, True
    return stuffed, False


def _off_rubric(
    sentence: Sentence, positions: Iterable[int], covered: set[int], vocabulary: frozenset[str]
) -> int:
    """How many content words at these positions are neither inside a matched phrase nor one of
    the rubric's own words: a bare term has (nearly) none."""
    return sum(
        1
        for i in positions
        if is_content_word(sentence.words[i])
        and i not in covered
        and sentence.stems[i] not in vocabulary
    )


def _fragment_runs(sentences: list[Sentence]) -> set[int]:
    """Fragments of a few words with none of the little words that make a statement, standing
    next to another such fragment: "Cache invalidation. Hit ratio. Thundering herd." A lone
    one ("1. Form hypotheses.") is the title of what follows."""
    fragments = {
        index
        for index, sentence in enumerate(sentences)
        if sentence.word_count <= _FRAGMENT_WORDS
        and not sentence.heading
        and not _glue_share(sentence)
    }
    return {index for index in fragments if index - 1 in fragments or index + 1 in fragments}


def _glue_share(sentence: Sentence) -> float:
    return sum(map(GLUE_WORDS.__contains__, sentence.words)) / sentence.word_count


def _term_lists(
    sentences: list[Sentence], hits: _Hits, vocabulary: frozenset[str], substance: list[Substance]
) -> tuple[set[int], bool]:
    """Sentences that enumerate bare rubric terms ("I would do mitigation: rollback, kill switch,
    failover"), and whether such lists carry most of what the whole answer matched: an answer
    built from term lists, however they are dressed up. A dense line that pins its items down
    with a time, a number or an owner is not such a list ("I own comms: status page within 15
    minutes, then every 30 minutes; a support macro").
    An item is a bare term when each of its few content words is part of a matched phrase or
    one of the rubric's own words ("growth, timing, hedging")."""
    lists: set[int] = set()
    total = sum(len(c) for c in hits.sentence_concepts.values())
    content_words = sum(len(s.content_stems) for s in sentences)
    if total < _LIST_DENSITY * content_words:
        return lists, False  # matches thinly spread through real sentences: prose, not lists
    for s_index in hits.sentence_concepts:
        sentence = sentences[s_index]
        if sentence.words.count(",") + sentence.words.count(";") < _BARE_TERMS_MIN - 1:
            continue  # three items or more need two separators; most sentences stop here
        if not ANCHORS.isdisjoint(substance[s_index].kinds):
            continue
        covered = hits.covered(s_index)
        bare_items = 0
        item: list[int] = []
        for position, word in enumerate([*sentence.words, ","]):
            if word not in CLAUSE_BREAKS and word not in {"and", "or"}:
                item.append(position)
                continue
            content = [i for i in item if is_content_word(sentence.words[i])]
            if 0 < len(content) <= 3 and not _off_rubric(sentence, content, covered, vocabulary):
                bare_items += 1
            item = []
        if bare_items >= _BARE_TERMS_MIN:
            lists.add(s_index)
    in_lists = sum(len(hits.sentence_concepts[i]) for i in lists)
    criteria = {c for i in lists for c, _ in hits.sentence_concepts[i]}
    return lists, in_lists >= _LIST_SHARE * total and len(criteria) >= 3


def _criterion_result(
    index: int,
    criterion: CompiledCriterion,
    hits: _Hits,
    sentences: list[Sentence],
    substance: list[Substance],
    depths: dict[int, float],
) -> CriterionResult:
    """A criterion's level rises with what stands behind each concept, not with how many are
    named: a bare mention earns half a concept, one with specifics a whole one, one with
    several kinds of specifics one and a half."""
    spec = criterion.spec
    found: list[ConceptFound] = []
    points = 0.0
    for concept in criterion.concepts:
        where = hits.concept_sentences.get((index, concept.id))
        if not where:
            continue
        # The deepest sentence, the latest of equals (max() of pairs needs no sorting first).
        depth, best = max((_depth_for(spec, depths, sentences, i), i) for i in where)
        by_meaning = all((index, concept.id, i) in hits.by_meaning for i in where)
        lent = (index, concept.id, best) in hits.lent
        earned = concept.weight * depth
        reaches = spec.one_done_well if concept.weight >= 1 and depth >= _DEPTH[-1] else None
        if reaches:
            earned = max(earned, spec.full_marks_at * reaches / MAX_LEVEL)
        points += earned
        found.append(
            ConceptFound(
                concept.id,
                ("model answer" if lent else "meaning") if by_meaning else "phrase",
                _spans(sentences, [best]),
                list(substance[best].kinds),
                round(earned, 2),
                reaches or 0,
                spec.what_happened and _is_plan(sentences[best]),
            )
        )
    cue_sentences = hits.cue_sentences.get(index, set())
    section = sum(len(sentences[i].content_stems) for i in cue_sentences) >= _SECTION_MIN_WORDS
    if found:
        # A labelled section with real content under it counts as one concept; a bare cue as half.
        points += 1 if section else 0.5 if cue_sentences else 0
    elif section:
        # With no concept found, such a section ("Learned: get real customer files before...")
        # is what the criterion has: one concept, as deep as what stands behind it (engine 2.15).
        points = max(_depth_for(spec, depths, sentences, i) for i in cue_sentences)
    level = min(MAX_LEVEL, math.floor(MAX_LEVEL * points / spec.full_marks_at + 1e-9))
    if cue_sentences and not found:
        level = max(level, 1)  # a cue alone
    evidence_sentences = set(cue_sentences) if level else set()
    for concept in criterion.concepts:
        evidence_sentences |= hits.concept_sentences.get((index, concept.id), set())
    found_ids = {c.id for c in found}
    return CriterionResult(
        id=spec.id,
        title=spec.title,
        weight=spec.weight,
        score=level,
        level=spec.levels[max(k for k in spec.levels if k <= level)],
        evidence=_spans(sentences, evidence_sentences),
        concepts_found=[c.id for c in found],
        concepts_missing=[c.id for c in criterion.concepts if c.id not in found_ids],
        tip=_tip(criterion, found) if level < MAX_LEVEL else None,
        concepts=found,
        points=round(points, 2),
        full_marks_at=spec.full_marks_at,
    )


def _tip(criterion: CompiledCriterion, found: list[ConceptFound]) -> str:
    """What to add, naming only what is missing: the tips of the concepts not found, or, when
    every concept is named, what would stand behind them."""
    if not found:
        return criterion.spec.tip
    found_ids = {k.id for k in found}
    missing = [c for c in criterion.concepts if c.id not in found_ids]
    if missing and all(c.tip for c in missing):
        return " ".join(c.tip for c in missing[:_TIPS_SHOWN] if c.tip)
    if missing:
        return criterion.spec.tip
    thin = [_in_words(k.id) for k in found if not k.specifics]
    if thin:
        return (
            f"Say what stands behind {', '.join(thin)}: a number or time, who does it, or the "
            "concrete details of how and why."
        )
    return "Go deeper on one of these: what exactly was done, by whom, when, and with what result."


def _with_next_sentence(
    sentences: list[Sentence], substance: list[Substance], hits: _Hits
) -> list[Substance]:
    """What stands behind a step is often said in the sentence after it, in the same paragraph
    or bullet, when that sentence names no step of its own ("We rolled back the release.
    Service was back 40 minutes after it broke.")."""
    merged = []
    for index, own in enumerate(substance):
        after = index + 1
        if (
            after < len(sentences)
            and sentences[after].paragraph == sentences[index].paragraph
            and not hits.sentence_concepts.get(after)
        ):
            kinds = tuple(dict.fromkeys((*own.kinds, *substance[after].kinds)))
            own = Substance(kinds, own.concrete_words, own.generic_share, own.vague)
        merged.append(own)
    return merged


class _Depths(dict):
    """Each sentence's depth, worked out once."""

    def __init__(self, hits: _Hits, substance: list[Substance], sentences: list[Sentence]):
        super().__init__()
        self._args = (hits, substance, sentences)

    def __missing__(self, sentence: int) -> float:
        self[sentence] = depth = _depth(sentence, *self._args)
        return depth


def _depth_for(spec: CriterionSpec, depths: dict[int, float], sentences: list[Sentence], i: int):
    """What a sentence earns a concept of this criterion: where the criterion is part of a story,
    a plan ("I would...") is only a mention, however much stands behind it; where it is what the
    story taught, so is a sentence that only tells the story (engine 2.38)."""
    if spec.what_happened and _is_plan(sentences[i]):
        return min(depths[i], _PLANNED)
    if spec.looking_back and _tells_the_story(sentences, i):
        return min(depths[i], _PLANNED)
    return depths[i]


def _tells_the_story(sentences: list[Sentence], index: int) -> bool:
    """A sentence of the story itself: a verb in the past ("we delivered it in early May", "I
    agreed a weekly check-in"), not after "have" ("I should have asked"), and no word that looks
    back on the story ("I learned", "since then", "every launch", "now") in it or in an earlier
    sentence of its paragraph ("Now: I test every spec with five users. On my last three
    features that killed one idea early")."""
    paragraph = sentences[index].paragraph
    opened = index
    while opened > 0 and sentences[opened - 1].paragraph == paragraph:
        opened -= 1
    if any(not _LOOKING_BACK.isdisjoint(s.stems) for s in sentences[opened : index + 1]):
        return False
    return _tells_the_past(sentences[index].words)


def _is_plan(sentence: Sentence) -> bool:
    """What the speaker would do rather than what happened: a first person and a modal ("I
    would", "we will"), and no verb in the past except one after "have" ("I would have asked")."""
    words = sentence.words
    if _MODALS.isdisjoint(words) or FIRST_PERSON.isdisjoint(words):
        return False
    return not _tells_the_past(words)


def _tells_the_past(words: list[str]) -> bool:
    """A verb in the past, but not one after "have" ("I would have asked", "I should have")."""
    return any(
        _is_past(word) and (i == 0 or words[i - 1] != "have") for i, word in enumerate(words)
    )


def _is_past(word: str) -> bool:
    return word in _IRREGULAR_PAST or (
        word.endswith("ed") and len(word) > 3 and word not in _NOT_PAST
    )


def _depth(
    sentence: int, hits: _Hits, substance: list[Substance], sentences: list[Sentence]
) -> float:
    """What one sentence earns a concept it shows. A mention in a list of others (separated
    items, a few words per concept, nothing behind them) earns least."""
    named = len(hits.sentence_concepts.get(sentence, ()))
    level = substance[sentence].level
    if (
        named >= _LIST_CONCEPTS
        and level == 0
        and named * _WORDS_PER_CONCEPT >= len(sentences[sentence].content_stems)
        and sum(w in _LIST_SEPARATORS for w in sentences[sentence].words) >= _LIST_CONCEPTS - 1
    ):
        return _LISTED
    if substance[sentence].vague:
        return _VAGUE
    return _DEPTH[min(level, len(_DEPTH) - 1)]


def _red_flags(
    rubric: Rubric, sentences: list[Sentence], criteria: list[CriterionResult]
) -> list[Flag]:
    flags: list[Flag] = []
    flagged: dict[str, set[int]] = {}
    if any(spec.phrases for spec in rubric.spec.red_flags):
        for flag_id, (s_index, _, _) in rubric.flag_phrases.matches(sentences):
            flagged.setdefault(flag_id, set()).add(s_index)
    for spec in rubric.spec.red_flags:
        evidence: list[int] = []
        message = spec.message
        if spec.detector == "phrases":
            evidence = sorted(flagged.get(spec.id, ()))
            raised = bool(evidence)
        elif spec.detector == "blames_others":
            evidence = sorted(flagged.get(spec.id, set()) | set(_blaming(sentences)))
            raised = bool(evidence)
        elif spec.detector == "we_without_i":
            words = [word for s in sentences for word in s.words]
            plural = sum(w in FIRST_PLURAL for w in words)
            singular = sum(w in FIRST_SINGULAR for w in words)
            raised = plural >= 5 and singular <= 0.2 * plural
        elif spec.detector == "hypothetical":
            raised = _is_hypothetical(sentences)
        elif spec.detector == "no_specifics":
            raised = not any(_is_detail(word) for s in sentences for word in s.words)
        else:
            missing = next((c for c in criteria if c.id == spec.criterion and not c.score), None)
            raised = missing is not None
            if missing is not None and missing.concepts:
                # The rubric's message says the answer never does it; this one names something
                # towards it, too thin to reach a level, so saying "never" would contradict what
                # the criterion shows.
                message = _too_thin(missing)
        if raised:
            flags.append(
                Flag(spec.id, spec.title, message, spec.penalty, _spans(sentences, evidence))
            )
    return flags


def _in_words(concept_id: str) -> str:
    """A concept's id as words: "applied-since" is "applied since"."""
    return concept_id.replace("-", " ").replace("_", " ")


def _too_thin(criterion: CriterionResult) -> str:
    """A missing criterion's flag, where the answer names something towards it."""
    named = ", ".join(_in_words(k.id) for k in criterion.concepts)
    return (
        f'What the answer says towards "{criterion.title}" ({named}) is too thin to '
        f"reach its first level. {criterion.tip}"
    )


# Who else a failure story may put its failure on, and what it says they did wrong
# ("the engineers underestimated the work", "design kept changing the mocks").
_OTHER_PARTIES = frozenset(
    """engineers engineer engineering developers developer devs dev design designer designers
    marketing sales legal qa vendor vendors contractor contractors agency supplier suppliers
    management leadership stakeholders""".split()
)
_FAILINGS = frozenset(
    "late behind slow underestimated overpromised optimistic changing changed".split()
)
_BLAME_REACH = 8  # words from the party to its failing, within one clause
# "Out of my control", "beyond my control", "it was not in my control".
_OUT_OF_CONTROL = frozenset("out beyond not never".split())
# Words after which a failing is no failing: "behind" before what it stands behind is a place
# ("behind a flag"), "late" before a month or a quarter a date ("late September", "late Q3").
_NOT_A_FAILING = {
    "behind": frozenset("the a an it them every each our their this that its his her".split()),
    "late": frozenset(
        """january february march april may june july august september october november
        december jan feb mar apr jun jul aug sep sept oct nov dec q1 q2 q3 q4""".split()
    ),
}


def _blaming(sentences: list[Sentence]) -> list[int]:
    """The sentences that put what went wrong on other people (engine 2.18): another party is
    the subject of a failing in one clause ("the engineering team kept running behind"), or the
    story says it was out of the speaker's control. "QA found that the feature was slow" names
    a finding, not a culprit: a new clause starts before the failing."""
    found = []
    for index, sentence in enumerate(sentences):
        words = sentence.words
        party = None
        for position, word in enumerate(words):
            if word in CLAUSE_EDGES:
                party = None
            elif word in _OTHER_PARTIES:
                party = position
            elif word == "control" and words[position - 1 : position] == ["my"]:
                if not _OUT_OF_CONTROL.isdisjoint(words[max(0, position - 4) : position]):
                    found.append(index)
                    break
            elif party is not None and word in _FAILINGS and position - party <= _BLAME_REACH:
                if not _NOT_A_FAILING.get(word, frozenset()).isdisjoint(
                    words[position + 1 : position + 2]
                ):
                    continue
                found.append(index)
                break
    return found


# Words that pin a story down: how many, how long, when. A story with none of them ("many
# moments when things did not unfold as envisioned") cannot be checked or remembered.
_DETAIL_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty
    fifty sixty hundred hundreds thousand thousands million millions billion half dozen percent
    hour hours day days week weeks weekly month months monthly quarter quarters year years
    yesterday monday tuesday wednesday thursday friday saturday sunday january february march
    april june july august september october november december""".split()
)


def _is_detail(word: str) -> bool:
    return word in _DETAIL_WORDS or any(map(str.isdigit, word))


def _is_hypothetical(sentences: list[Sentence]) -> bool:
    """A story told as what one would do, rather than what one did."""
    modal, past = _first_person_tenses(sentences)
    return modal >= 3 and past < modal


def _tells_a_story(sentences: list[Sentence]) -> bool:
    """Told as what one did, rather than what one would do: the mirror of a hypothetical."""
    modal, past = _first_person_tenses(sentences)
    return past >= 3 and modal < past


def _first_person_tenses(sentences: list[Sentence]) -> tuple[int, int]:
    """How many first-person sentences say what one would do, and how many what one did."""
    modal = past = 0
    for sentence in sentences:
        words = set(sentence.words)
        if not words & FIRST_PERSON:
            continue
        if words & _MODALS:
            modal += 1
        elif any(map(_is_past, words)):
            past += 1
    return modal, past


# Words that frame a question rather than name its subject ("Design a ... for ...").
_FRAMING = frozenset(
    tokenize(
        """design designing product products feature features build create improve make new app
        apps people person user users customer customers someone tell time situation describe
        example approach way work thing things happen happened go going"""
    )[1]
) | frozenset(
    # Words any question may use that name no subject: common verbs, quantities, time, degree.
    tokenize(
        """take taken taking keep keeps let lets say says find help helps add adding propose
        start change introduce know call bring turn reach walk meet fit doing having handle
        explain decide consider considering believe believed solve note case part hand
        whether already same another something such able other second own much many only
        different large long well full two twice between through without beyond round ago
        today yesterday better best favourite favorite hardest proudest"""
    )[1]
)


def _off_topic(
    rubric: Rubric,
    question: str | None,
    model_answer: str | None,
    sentences: list[Sentence],
    direction: Any,
    found: int,
) -> str | None:
    """Why an answer of some length is off topic, as the candidate will read it; None when it
    is not."""
    missing_subject = _missing_subject(rubric, question, model_answer, sentences)
    if missing_subject and not _nearest_question(rubric, question, model_answer, direction):
        return (
            f"The answer never mentions what this question is about ({', '.join(missing_subject)})."
        )
    if found <= 1 and _topic_share(rubric, sentences) < 0.15:
        return f"The answer says almost nothing about what this question asks ({rubric.title})."
    if other := _another_kind(rubric, question, model_answer, sentences):
        return (
            "The answer uses few of the question's words, or of its model answer's, and reads "
            f"as an answer to another kind of question ({other})."
        )
    if other := _another_question(rubric, question, model_answer, direction):
        return (
            "The answer reads far more as an answer to another question than to this one (the "
            f'nearest of the questions the scorer knows: "{other}").'
        )
    return None


def _missing_subject(
    rubric: Rubric, question: str | None, model_answer: str | None, sentences: list[Sentence]
) -> list[str]:
    """The question's subject words, when the rubric requires them and the answer misses them.

    The subject is what is left of the question once stopwords, framing words and the rubric's
    own vocabulary are taken out ("alarm", "clock", "deaf", "hearing"); the answer must use one.
    Under `require_subject: title` it must also use half of those in the title (the question's
    first line): tennis balls in a pool share "balls" with "Golf balls in a school bus", but
    not "golf" or "bus". Whatever the subject, an answer that uses under a tenth of the
    question's words (its framing aside) answers another question, and one that uses half of
    them answers this one (engine 2.7; the title's words too since 2.14: an estimate of "EVSE
    ports" for "Public EV chargers in a city" that speaks of charging points for cars in a
    city). One that uses three but no subject word answers it too (2.10), unless the rubric
    requires the title's subject (engine 2.32: an estimate of EV chargers "in a city of one
    million" uses three of the words of "Market size for dog walking in a city"). One in other words
    answers it when its meaning leans towards the question, or towards the question's model
    answer, which says far more about the subject than the question does (engine 2.25: help
    pages people use to sort a problem out themselves, for "the self-service help center"), or
    when three in ten of the words that are its own (outside the rubric's vocabulary) are the
    question's or its model answer's (engine 2.39: notes full of the rubric's terms, which pull
    their meaning towards the rubric's ground, on the model answer's articles and searches). Since
    2.42 that last holds for one using under a tenth of the question's words too, at a third."""
    if not (rubric.spec.require_subject and question):
        return []
    subject = _subject_words(rubric, question)
    said = {stem for sentence in sentences for stem in sentence.content_stems}
    asked = _question_words(question)
    used = len(asked.keys() & said)
    if used < _ASKED_SHARE_MIN * len(asked):  # hardly any of its words...
        if (
            rubric.spec.require_subject != "title"
            and model_answer
            and _borrowed_share(rubric, asked, model_answer, sentences) >= _BORROWED_ABOUT
        ):
            return []  # ...but its own words are the model answer's
        return list(dict.fromkeys((subject or asked).values()))
    if used >= _ASKED_SHARE_ABOUT * len(asked):
        return []  # half of the question's words: about it, whichever it misses
    if subject and said.isdisjoint(subject):
        if used >= _ASKED_WORDS_ABOUT and rubric.spec.require_subject != "title":
            return []  # three of the question's words and no subject word
        words = [word for sentence in sentences for word in sentence.content_words]
        if rubric.meaning.leaning_to(words, question) >= _LEANING_MIN or (
            model_answer
            and (
                rubric.meaning.leaning_to(words, model_answer) >= _MODEL_LEANING_MIN
                or _borrowed_share(rubric, asked, model_answer, sentences) >= _SUBJECT_BORROWED
            )
        ):
            return []  # other words for the same subject ("stores" and "orders", not "coffee")
        return list(dict.fromkeys(subject.values()))
    if rubric.spec.require_subject == "title":
        in_title = _subject_words(rubric, question.partition("\n")[0])
        if 2 * len(in_title.keys() & said) < len(in_title):  # half, rounded up
            return [word for stem, word in in_title.items() if stem not in said]
    return []


def _another_kind(
    rubric: Rubric, question: str | None, model_answer: str | None, sentences: list[Sentence]
) -> str | None:
    """The kind of question (a shipped rubric's title) an answer reads as answering instead of
    this one: it uses under 30% of the question's words (a fifth before engine 2.17), or hardly
    any of its own words come from the question or its model answer (engine 2.29: how to answer
    a free competitor, given to "A launch that is slipping"), and its meaning is clearly closer
    to that kind's ground than to this rubric's (engine 2.13). A behavioural story may be about
    anything, and its rubric judges how it is told: it is read so only when it is no story but a
    plan (its first-person steps mostly "I would..."), and then reading closer to another kind at
    all is enough (engine 2.14). The mirror since 2.19: a story of what one did, given where a
    plan is asked, needs only to read closer to a story kind. An answer whose own words are a
    third the question's or its model answer's is not read so at all (engine 2.42)."""
    story = any(c.spec.what_happened for c in rubric.criteria)
    if not question or (story and not _is_hypothetical(sentences)):
        return None
    asked = _question_words(question)
    said = {stem for sentence in sentences for stem in sentence.content_stems}
    borrowed = (
        None
        if story or not model_answer
        else _borrowed_share(rubric, asked, model_answer, sentences)
    )
    if borrowed is not None and borrowed >= _BORROWED_ABOUT:
        return None  # its own words are the model answer's, whatever it reads like
    if len(asked.keys() & said) >= _OTHER_KIND_ASKED_SHARE * len(asked) and (
        borrowed is None or borrowed >= _BORROWED_MIN
    ):
        return None
    words = [word for sentence in sentences for word in sentence.content_words]
    kind, closer = rubric.meaning.closest_other_kind(words, rubric.id)
    if kind is None or closer <= 0:
        return None
    # Told the wrong way for its kind, an answer needs only to read closer to the other: a plan
    # for a story question, or a story of what happened for a question that asks for a plan.
    wrong_telling = story or (kind.story and _tells_a_story(sentences))
    return kind.title if wrong_telling or closer >= _OTHER_KIND_CLOSER else None


def _another_question(
    rubric: Rubric, question: str | None, model_answer: str | None, direction: Any
) -> str | None:
    """The shipped question (its title) an answer reads as answering instead of this one: in
    meaning it is closer to that question with its model answer than to this one with its own,
    by _OTHER_QUESTION_CLOSER (engine 2.40: the first hour of an incident, failing payments
    narrowed down by payment method and app version, given to "Ship with a known bug?"; by less
    since 2.43, a margin few genuine answers reach). A story may be about anything, and so may an
    answer to a question that names nothing but its framing ("your favourite product"): neither
    is read so. Without a model answer, a question says too little to compare. `direction` is
    where the answer's meaning points: its counted sentences' directions added, each alike."""
    story = any(c.spec.what_happened for c in rubric.criteria)
    if story or not (question and model_answer and _question_words(question)):
        return None
    title, closer = closest_known_question(direction, question, model_answer)
    return title if closer >= _OTHER_QUESTION_CLOSER else None


def _nearest_question(
    rubric: Rubric, question: str | None, model_answer: str | None, direction: Any
) -> bool:
    """Whether, in meaning, an answer is no more than _OTHER_QUESTION_NEAR closer to another
    question the scorer knows than to this question with its model answer: it answers this one,
    whatever words it uses (engine 2.41: the help centre's articles and tickets, in plain words
    that never say "center", "self", "service" or "software"). 2.41 asked it to read nearer this
    question than any other; since 2.43 it need only not read clearly nearer another. The mirror
    of `_another_question`. Not for an estimate, whose subject must be named: tennis balls in a
    pool read nearest to golf balls in a school bus of all the questions there are, and still
    answer another question."""
    if rubric.spec.require_subject == "title" or not (question and model_answer):
        return False
    return closest_known_question(direction, question, model_answer)[1] <= _OTHER_QUESTION_NEAR


def _borrowed_share(
    rubric: Rubric, asked: dict[str, str], model_answer: str, sentences: list[Sentence]
) -> float:
    """The share of an answer's own words (content words outside the rubric's vocabulary) that
    the question or its model answer use too: an answer to this question, in whatever words,
    shares some of its subject's; one to another question hardly any."""
    own = [
        stem
        for sentence in sentences
        for stem in sentence.content_stems
        if stem not in rubric.vocabulary
    ]
    if not own:
        return 1.0
    theirs = _stems_of(model_answer) | asked.keys()
    return sum(stem in theirs for stem in own) / len(own)


@functools.lru_cache(maxsize=256)
def _stems_of(text: str) -> frozenset[str]:
    return frozenset(stem for sentence in split_sentences(text) for stem in sentence.content_stems)


@functools.lru_cache(maxsize=256)
def _question_words(question: str) -> dict[str, str]:
    """The question's own words by stem, the rubric's included, less the framing of any question
    and its figures (engine 2.22: "children aged 8 to 12" is not about 12, which an answer on
    checkout times may well say). Made once per question: callers only read it."""
    words, stems = tokenize(question)
    return {
        stem: word
        for word, stem in zip(words, stems, strict=True)
        if is_content_word(word) and stem not in _FRAMING and not is_figure(word)
    }


def _subject_words(rubric: Rubric, text: str) -> dict[str, str]:
    """What the text is about: its words less framing, figures and the rubric's own vocabulary,
    except that a name stays whatever the rubric says ("Maps" in "improve Google Maps")."""
    words, stems = tokenize(text)
    names = _names(text)
    return {
        stem: word
        for word, stem in zip(words, stems, strict=True)
        if is_content_word(word)
        and stem not in _FRAMING
        and not is_figure(word)
        and (stem not in rubric.vocabulary or word in names)
    }


_CAPITALISED = re.compile(r"(?<=[\w,;:] )[A-Z][\w'-]*")


def _names(text: str) -> set[str]:
    """Words capitalised inside a sentence (lower-cased): names, such as a product's. A line in
    title case names nothing."""
    names: set[str] = set()
    for line in text.splitlines():
        found = _CAPITALISED.findall(line)
        if 2 * len(found) < len(line.split()):
            names.update(word.lower() for word in found)
    return names


def _topic_share(rubric: Rubric, sentences: list[Sentence]) -> float:
    """The share of content words that belong to the rubric's own vocabulary."""
    content = [stem for s in sentences for stem in s.content_stems]
    if not content:
        return 0.0
    vocabulary = rubric.vocabulary
    return sum(stem in vocabulary for stem in content) / len(content)


# Each kind of text that earns nothing: (title, message); {n} sentences, {words} words.
_VOID_FLAGS = {
    "term_list": (
        "Lists of terms",
        "{n} line(s) only list rubric terms; a list earns nothing. Say what you would do with "
        "each item, and why.",
    ),
    "template": (
        "Template",
        "{n} sentence(s) hold unfilled blanks such as [situation] or <metric>; they earn nothing.",
    ),
    "restates_question": (
        "Restates the question",
        "{n} sentence(s) repeat or describe the question (or its hints) instead of answering; "
        "they earn nothing.",
    ),
    "filler": (
        "Names steps without content",
        "{n} sentence(s) name several steps but say nothing concrete about any (no number, "
        "time, owner or concrete detail); they earn nothing.",
    ),
    "checklist": (
        "Checklist",
        "{n} short sentence(s) each name a step and nothing more; a checklist earns nothing.",
    ),
    "padding": (
        "Padding",
        "{words} words are about something else; they earn nothing.",
    ),
    "musing": (
        "Musing",
        "{words} words muse about the subject in general (how things are, what you believe) "
        "instead of answering; they earn nothing.",
    ),
}
_LENT_CONCEPTS = 2  # a model answer's sentence showing at most this many concepts is an example
_MEANING_MIN = 0.42  # similarity to a concept's example sentence that shows the concept
_CLAUSE_WORDS = 3  # content words that make a clause worth comparing on its own
_MEANING_MARGIN = 0.03  # a sentence shows the concepts within this of its closest one
# An answer that leans this far or more towards the question, away from the rubric's general
# ground, is about the question even without its words (see RubricMeaning.leaning_to).
_LEANING_MIN = -0.15
# ...as is one this much closer to the question's model answer than to the rubric's ground.
_MODEL_LEANING_MIN = 0.05
# An answer using under this share of the question's own words (the rubric's included) is about
# another question, whatever subject word it happens to use ("other", "find", "feature").
_ASKED_SHARE_MIN = 0.1
# An answer using this share of the question's own words is about the question even when it never
# uses a subject word ("Maps" and "change" for "Improve Google Maps: make a case for a change").
_ASKED_SHARE_ABOUT = 0.5
_ASKED_WORDS_ABOUT = 3  # ...as is one using this many of them, however long the question
# An answer using under this share of the question's words, and this much closer in meaning to
# another kind of question's ground than to its rubric's, answers that kind of question instead.
_OTHER_KIND_ASKED_SHARE = 0.3
_OTHER_KIND_CLOSER = 0.12
_BORROWED_MIN = 0.15  # ...or under this share of its own words from the question or model answer
# An answer naming no subject word is about the question when this share of its own words (those
# outside the rubric's vocabulary) are the question's or its model answer's (engine 2.39).
_SUBJECT_BORROWED = 0.3
# ...and any answer at all when this share are, however few of the question's words it uses and
# whatever kind of question it reads like (engine 2.42: articles, tickets and searches for "the
# self-service help center", in an answer that never says "center", "self" or "service").
# Answers to other questions share only a product manager's general words with it: mostly a
# twentieth to a quarter of theirs, rarely a third.
_BORROWED_ABOUT = 0.35
# An answer this much closer in meaning to another shipped question, with its model answer, than
# to its own question with its own is an answer to that question (engine 2.40 at 0.22; 2.43).
# Few genuine answers read even 0.1 closer to another question, and those that do are answers to
# a neighbouring one ("Cutting scope to meet a fixed date" read as "A launch that is slipping").
_OTHER_QUESTION_CLOSER = 0.16
# An answer no more than this much closer in meaning to another shipped question than to its own
# needs none of its subject words (engine 2.41 asked it to be 0.05 nearer its own; 2.43). In the
# labelled sets, answers to other questions that miss this one's subject words read at least 0.05
# closer to another.
_OTHER_QUESTION_NEAR = 0.03
_RELEVANT_MIN = 0.2  # a passage less similar than this to the rubric and question is elsewhere...
_RELATIVE_MIN = 0.5  # ...and this far below the answer's typical passage
_PADDING_RUN = 5  # sentences in a row, at least, that make a passage of padding
_PADDING_MIN_WORDS = 60  # ...holding at least this many words
# ...and naming fewer of the rubric's concepts in its words than this per 100 words: a passage that
# keeps naming them is about the question, in whatever field its subject lies (engine 2.36)
_PADDING_CONCEPTS_PER_100 = 3
_FIGURE = re.compile(r"\d")
_SOMEONE = frozenset("she he her him his hers herself himself".split())  # a particular person
_MUSING_SENTENCES = 3  # a paragraph of this many sentences, most of them remarks, is musing
_ANSWERING_LEAN = 0.15  # ...unless it reads this much closer to the model answer than to the rubric
_FILLER_GENERIC = 0.4  # share of management-speak in a sentence that names steps emptily...
_FILLER_SHARE = 0.4  # ...when this share of the sentences naming concepts are such
_FILLER_ANSWER = 0.2  # share of management-speak that makes an answer pinning nothing down filler
_CHECKLIST_WORDS = 12  # a sentence this short naming one step and nothing more is a checklist item
_CHECKLIST_RUN = 4  # ...in a run of at least this many
_COMPLETE_LEVEL = 2.5  # a short answer whose criteria average this level is complete...
# A long answer pins down at least this many specifics per 100 words, in its sentences or in the
# concepts it shows, else it is diluted and scaled by the share it reaches (never below the floor).
_DILUTED_SENTENCE_SPECIFICS = 4.5
_DILUTED_CONCEPT_SPECIFICS = 3.0
_DILUTED_FLOOR = 0.6
_DILUTED_FULL_AT = 1.5  # ...in full from this many times `min_words`, in part from `min_words`
_SPARSE_FLOOR = 0.8  # the scale for an answer pinning down nothing, against the model answer
# What a concept earns by what stands behind it: named bare, with one kind of specifics, more.
_DEPTH = (0.75, 1.0, 1.5)
_LISTED = 0.5  # a concept named in a list of others
_PLANNED = 0.5  # a part of a story told only as a plan
_TIPS_SHOWN = 3  # missing concepts a tip asks for at once
_VAGUE = 0.6  # a concept named in an answer that pins nothing down
_LIST_CONCEPTS = 3  # a list names this many concepts or more...
_WORDS_PER_CONCEPT = 4  # ...with at most this many content words each...
_LIST_SEPARATORS = frozenset({",", ";", "and", "or"})  # ...between separators


def _clauses(sentences: list[Sentence]) -> list[tuple[int, int, int]]:
    """The clauses of sentences with two or more of a few content words each: (sentence, start,
    end), a slice of the sentence's content words."""
    clauses: list[tuple[int, int, int]] = []
    for index, sentence in enumerate(sentences):
        if sentence.word_count < 2 * _CLAUSE_WORDS:
            continue
        own = [(index, *span) for span in sentence.clauses() if span[1] - span[0] >= _CLAUSE_WORDS]
        if len(own) >= 2:
            clauses += own
    return clauses


def _add_meaning_hits(
    hits: _Hits, sentences: list[Sentence], meanings: MeaningMatches, lent: bool = False
) -> None:
    """Concepts a sentence shows by meaning: the closest ones, if close enough, unless the
    sentence negates what it says. `lent`: the meanings are those of the model answer."""
    for s_index, ranked in enumerate(meanings):
        if not ranked or negates(sentences[s_index].words):
            continue
        best = ranked[0][0]
        for similarity, criterion, concept in ranked:
            if similarity < max(_MEANING_MIN, best - _MEANING_MARGIN):
                break
            if (criterion, concept) not in hits.sentence_concepts[s_index]:
                hits.add_meaning(criterion, concept, s_index, similarity, lent)


def _templated(text: str, sentences: list[Sentence]) -> set[int]:
    """Sentences holding a template's blank; the text is searched once."""
    blanks = placeholders(text)
    if not blanks:
        return set()
    return {
        index
        for index, s in enumerate(sentences)
        if any(start < s.end and s.start < end for start, end in blanks)
    }


def _restating(
    sentences: list[Sentence],
    question: str | None,
    hints: Sequence[str],
    substance: list[Substance],
) -> set[int]:
    """Sentences made of the question's own words and its hints', adding nothing of their own,
    and sentences about the question rather than answers to it ("This is a metric-diagnosis
    question", "What the interviewer is looking for is...", "A good answer should cover...")."""
    restated = {
        i
        for i, s in enumerate(sentences)
        if not _ABOUT_WORDS.isdisjoint(s.words) and _ABOUT_THE_QUESTION.search(s.text.lower())
    }
    if not question and not hints:
        return restated
    asked = set(tokenize("\n".join([question or "", *hints]))[1])
    stems = {i: set(s.content_stems) for i, s in enumerate(sentences)}
    sized = [i for i in stems if len(stems[i]) >= _RESTATING_STEMS]
    own = {i: len(stems[i] - asked) for i in sized if substance[i].level == 0}
    # A sentence adding one word of its own restates. An answer that is mostly the question said
    # back (engine 2.32: "So the situation is that we're two weeks out from a launch...", "Then
    # I'd list my options, like cutting scope...") may add a quarter of each sentence's words.
    strict = {i for i, n in own.items() if n <= 1}
    loose = {i for i, n in own.items() if n <= max(1, len(stems[i]) // 4)}
    return restated | (loose if 2 * len(loose) >= len(sized) else strict)


_RESTATING_STEMS = 5  # content words a sentence needs to be judged as restating the question

# A sentence about the question, the interview or what an answer should hold: commentary on the
# task, which does none of it.
_ABOUT_THE_QUESTION = re.compile(
    r"""\b(?:
    (?:this|the|that)\s+(?:interview\s+)?question\s+(?:here\s+)?
        (?:is\s+)?(?:asks|asking|describes|describing|tests|testing|wants|boils|comes\s+down)\b
    | (?:this|it)\s+is\s+(?:a|an)\s+(?:[\w-]+\s+){0,4}question\b
    | questions\s+like\s+(?:this|these)
    | (?:type|kind|sort)\s+of\s+question
    | (?:the\s+)?interviewers?\s+(?:is\s+|are\s+)?
        (?:wants?|looking\s+for|expects?|would\s+like|likes?|looks\s+for|hopes?)
    | (?:a|the)\s+(?:good|strong|great|ideal|complete|solid|model)\s+answer
    | candidates?\s+(?:should|is|are|can|needs?|must|would)\b
    | to\s+restate | in\s+my\s+own\s+words | the\s+hints\b | one\s+should\b
    )""",
    re.VERBOSE,
)  # run on the sentence lower-cased, as the grader patterns are
# A word each of those needs: the pattern runs only on the few sentences that have one.
_ABOUT_WORDS = frozenset(
    "question questions interviewer interviewers answer candidate candidates restate words hints "
    "should".split()
)


def _filler(sentences: list[Sentence], hits: _Hits, substance: list[Substance]) -> set[int]:
    """Text that names steps with nothing behind any of them, in the words of management-speak
    ("I would clarify the goals, identify key users and define metrics"): a whole answer that
    pins nothing down and leans on those words, or sentences naming several steps emptily when
    they are what the answer is made of. A platitude in a real answer is only a bare mention."""
    naming = [i for i in hits.sentence_concepts if hits.sentence_concepts[i]]
    if not naming:
        return set()
    if substance and substance[0].vague:
        content = sum(len(s.content_stems) for s in sentences)
        generic = sum(
            x.generic_share * len(s.content_stems)
            for x, s in zip(substance, sentences, strict=True)
        )
        if content and generic >= _FILLER_ANSWER * content:
            return set(naming)
    empty = {
        index
        for index in naming
        if len(hits.sentence_concepts[index]) >= 2
        and substance[index].level == 0
        and substance[index].generic_share >= _FILLER_GENERIC
    }
    return empty if len(empty) >= _FILLER_SHARE * len(naming) else set()


def _checklist(sentences: list[Sentence], hits: _Hits, substance: list[Substance]) -> set[int]:
    """Runs of short sentences that each name a step and nothing more."""
    bare = [
        index in hits.sentence_concepts
        and sentences[index].word_count <= _CHECKLIST_WORDS
        and substance[index].level == 0
        for index in range(len(sentences))
    ]
    items: set[int] = set()
    run: list[int] = []
    for index, is_bare in enumerate([*bare, False]):
        if is_bare:
            run.append(index)
            continue
        if len(run) >= _CHECKLIST_RUN:
            items.update(run)
        run = []
    return items


def _elsewhere_below(relevance: list[float]) -> float:
    """The relevance under which a passage is about something else: low in absolute terms and
    next to the rest of the answer."""
    typical = sorted(relevance)[(3 * len(relevance)) // 4] if relevance else 0.0
    return min(_RELEVANT_MIN, _RELATIVE_MIN * typical)


def _padding(sentences: list[Sentence], hits: _Hits, relevance: list[float]) -> set[int]:
    """Passages about something else altogether (a recipe, a chess game): runs of sentences whose
    passage is far from what the rubric and the question are about, both in absolute terms and
    next to the rest of the answer, with the rest of any paragraph they mostly fill. Whatever
    phrases they happen to use earn nothing. A run that keeps naming the rubric's concepts in
    the rubric's words is no such passage: the candidate's own subject can read far from the
    rubric ("Settling up means leaving the app, sending a bank transfer... Trade-offs: touching
    payments brings regulatory exposure..." for a favourite product)."""
    if len(relevance) < _PADDING_RUN:
        return set()
    threshold = _elsewhere_below(relevance)
    padding: set[int] = set()
    run: list[int] = []
    for index, similarity in enumerate([*relevance, 1.0]):
        if similarity < threshold:
            run.append(index)
            continue
        words = sum(sentences[i].word_count for i in run)
        if (
            len(run) >= _PADDING_RUN
            and words >= _PADDING_MIN_WORDS
            and 100 * sum(len(hits.worded_concepts.get(i, ())) for i in run)
            < _PADDING_CONCEPTS_PER_100 * words
        ):
            padding.update(run)
        run = []
    for members in _paragraphs(sentences):
        if 2 * len(padding.intersection(members)) >= len(members):
            padding.update(members)
    return padding


def _musing(
    sentences: list[Sentence],
    substance: list[Substance],
    rubric: Rubric,
    model_answer: str | None,
) -> set[int]:
    """Paragraphs that muse about the subject rather than answer it: more than half their
    sentences are remarks about how things are in general ("Trust is the foundation of every
    team", "I think failure is part of every PM's job"), and none has a figure in it or speaks
    of a particular person ("Her workaround is phoning a list to her daughter" is a persona's
    need). On-topic padding is made of such paragraphs. One that reads clearly closer to the
    question's model answer than to the rubric's general ground answers the question, told in
    the present (engine 2.27: "First the browser turns the name you typed into the numeric
    address of the computer that holds the site...")."""
    return {
        index
        for members in _paragraphs(sentences)
        if len(members) >= _MUSING_SENTENCES
        and 2 * sum(substance[i].vague for i in members) > len(members)
        and not any(_FIGURE.search(sentences[i].text) for i in members)
        and all(_SOMEONE.isdisjoint(sentences[i].words) for i in members)
        and not (
            model_answer
            and rubric.meaning.leaning_to(
                [word for i in members for word in sentences[i].content_words], model_answer
            )
            >= _ANSWERING_LEAN
        )
        for index in members
    }


def _paragraphs(sentences: list[Sentence]) -> list[list[int]]:
    """The indexes of the sentences of each paragraph."""
    paragraphs: dict[int, list[int]] = defaultdict(list)
    for index, sentence in enumerate(sentences):
        paragraphs[sentence.paragraph].append(index)
    return list(paragraphs.values())
