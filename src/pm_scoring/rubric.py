"""Rubrics: the validated file format and the compiled form the scorer matches against."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic import model_validator as _model_validator

from .meaning import embed, model_version, run_maxima, run_sums
from .sourcefile import Document, Problem, SourceError, parse_text, read_file, validate
from .text import PhraseMatcher, compile_phrase, is_content_word, tokenize

# The rubrics shipped with the project; `load_rubric("star")` looks here: inside the package
# when installed from the wheel, else the checkout's top-level folder.
SHIPPED_RUBRICS_DIR = next(
    (d for d in [Path(__file__).resolve().with_name("rubrics")] if d.is_dir()),
    Path(__file__).resolve().parents[2] / "rubrics",
)
# The question bank shipped with the project, which the engine knows (see `shipped_questions`):
# inside the package when installed from the wheel, else the checkout's top-level folder.
SHIPPED_BANK_DIR = next(
    (d for d in [Path(__file__).resolve().with_name("question_bank")] if d.is_dir()),
    Path(__file__).resolve().parents[2] / "question_bank",
)


def knowledge_digest(*folders: Path) -> str:
    """A short digest of what the engine knows beyond a rubric: the shipped bank's questions and
    model answers (`shipped_questions`) and the shipped rubrics' grounds (`shipped_grounds`), or
    of the folders given. Part of the engine version, since an edit to any of them can move any
    answer's score: the same text, rubric version and engine version always give the same
    report."""
    digest = hashlib.sha256()
    for folder in folders or (SHIPPED_BANK_DIR, SHIPPED_RUBRICS_DIR):
        for path in sorted(folder.glob("*.yaml")):
            digest.update(f"{folder.name}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


RubricId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
CriterionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
ConceptId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    # Each model's validator is built when a rubric is first validated, not at import: 11 ms off
    # the start of a `coach score`, which validates one.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _check_phrases(phrases: list[str]) -> list[str]:
    for phrase in phrases:
        if not compile_phrase(phrase):
            raise ValueError(f"phrase {phrase!r} has no words to match")
    return phrases


class ConceptSpec(_Strict):
    id: ConceptId
    # What to add when the concept is missing: a criterion's tip names only what is missing.
    tip: Text | None = None
    phrases: list[Text] = []
    patterns: list[Text] = []
    # Sentences that mean the concept, in any words: an answer's sentence close enough in meaning
    # to one of them shows the concept even when it uses none of the phrases.
    examples: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=8)]] = []
    weight: float = Field(1.0, gt=0, le=10)

    _phrases_match = field_validator("phrases")(_check_phrases)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"pattern {pattern!r} is not a valid regular expression: {exc}"
                ) from None
        return patterns

    @_model_validator(mode="after")
    def _has_signal(self) -> ConceptSpec:
        if not self.phrases and not self.patterns:
            raise ValueError("a concept needs at least one phrase or pattern")
        return self


class CriterionSpec(_Strict):
    id: CriterionId
    title: Text
    weight: float = Field(gt=0, le=100)
    description: Text
    levels: dict[Annotated[int, Field(ge=0, le=4)], Text]
    full_marks_at: float = Field(3, gt=0, le=50)
    # The level one concept reaches on its own when done well (more than one kind of specifics
    # behind it), where the rubric's descriptors allow it ("restores service first with a
    # rollback" is a 3 however few methods are named).
    one_done_well: int | None = Field(None, ge=1, le=4)
    # Part of a story: what the candidate did. A plan ("I would...") shows it only as a mention.
    what_happened: bool = False
    # What the candidate drew from a story: a sentence that only tells the story (in the past,
    # with no word that looks back on it) shows it only as a mention ("we delivered in early May").
    looking_back: bool = False
    concepts: list[ConceptSpec] = Field(min_length=1)
    cues: list[Text] = []
    tip: Text
    # What an interviewer asks next when this criterion is weak: advice for practice only,
    # never read by the scorer.
    follow_up: Text | None = None

    _cues_match = field_validator("cues")(_check_phrases)

    @field_validator("levels")
    @classmethod
    def _anchored(cls, levels: dict[int, str]) -> dict[int, str]:
        missing = [level for level in (0, 2, 4) if level not in levels]
        if missing:
            raise ValueError(f"levels must describe 0, 2 and 4 (missing {missing})")
        return dict(sorted(levels.items()))

    @field_validator("concepts")
    @classmethod
    def _unique_concepts(cls, concepts: list[ConceptSpec]) -> list[ConceptSpec]:
        _reject_duplicates([c.id for c in concepts], "concept")
        return concepts


class RedFlagSpec(_Strict):
    id: ConceptId
    title: Text
    detector: Literal[
        "phrases",
        "blames_others",
        "we_without_i",
        "hypothetical",
        "no_specifics",
        "missing_criterion",
    ]
    phrases: list[Text] = []
    criterion: CriterionId | None = None
    penalty: float = Field(ge=0, le=100)
    message: Text

    _phrases_match = field_validator("phrases")(_check_phrases)

    @_model_validator(mode="after")
    def _detector_has_input(self) -> RedFlagSpec:
        if self.detector == "phrases" and not self.phrases:
            raise ValueError("detector 'phrases' needs a list of phrases")
        if self.detector == "missing_criterion" and not self.criterion:
            raise ValueError("detector 'missing_criterion' needs a criterion id")
        return self


class RubricSpec(_Strict):
    id: RubricId
    version: int = Field(ge=1)
    title: Text
    description: Text
    min_words: int = Field(80, ge=0, le=5000)
    # The answer must name what the question is about ("an alarm clock for deaf people"): a
    # polished answer to another design question is off topic however well it scores otherwise.
    # "title" is stricter: it must also use half the subject words of the question's title, for
    # questions defined by their object ("golf balls in a school bus", not "tennis balls").
    require_subject: bool | Literal["title"] = False
    criteria: list[CriterionSpec] = Field(min_length=1)
    red_flags: list[RedFlagSpec] = []

    @field_validator("criteria")
    @classmethod
    def _unique_criteria(cls, criteria: list[CriterionSpec]) -> list[CriterionSpec]:
        _reject_duplicates([c.id for c in criteria], "criterion")
        return criteria

    @_model_validator(mode="after")
    def _flags_name_criteria(self) -> RubricSpec:
        known = {c.id for c in self.criteria}
        for flag in self.red_flags:
            if flag.criterion and flag.criterion not in known:
                raise ValueError(f"red flag {flag.id!r} names unknown criterion {flag.criterion!r}")
        return self


def _reject_duplicates(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what} id {item!r}")
        seen.add(item)


@dataclass(frozen=True)
class CompiledConcept:
    id: str
    weight: float
    patterns: tuple[re.Pattern[str], ...]
    tip: str | None = None


@dataclass(frozen=True)
class CompiledCriterion:
    spec: CriterionSpec
    concepts: tuple[CompiledConcept, ...]


# What a matched phrase stands for: ("concept", criterion index, concept id) or ("cue", index, "").
SignalKey = tuple[str, int, str]


# For each sentence, the concepts it is closest to in meaning, closest first:
# (similarity, criterion index, concept id).
MeaningMatches = list[list[tuple[float, int, str]]]


class RubricMeaning:
    """The rubric's example sentences as vectors, made on first use: what each concept means,
    and, with the question, what the whole rubric is about."""

    def __init__(self, spec: RubricSpec) -> None:
        self._keys: list[tuple[int, str]] = []  # the concept of each example sentence
        texts: list[list[str]] = []
        phrases: list[list[str]] = []
        for index, criterion in enumerate(spec.criteria):
            for concept in criterion.concepts:
                for text in concept.examples:
                    self._keys.append((index, concept.id))
                    texts.append(_content_words(text))
                phrases += [_content_words(p) for p in concept.phrases]
        self._texts = texts + phrases  # phrases only tell what the rubric is about
        # Where each concept's examples start among the columns, and which concept that is.
        self._starts = [i for i, key in enumerate(self._keys) if i == 0 or key != self._keys[i - 1]]
        self._concepts = [self._keys[i] for i in self._starts]
        self._vectors_made: Any = None
        self._topics: dict[str | None, Any] = {}
        self._lent: dict[tuple[str, str], Lent] = {}
        self._lock = threading.Lock()

    def _vectors(self) -> Any:
        if self._vectors_made is None:
            with self._lock:
                if self._vectors_made is None:
                    self._vectors_made = embed(self._texts)
        return self._vectors_made

    def _topic(self, question: str | None) -> Any:
        """The rubric's direction, with the question's: made once per question."""
        topic = self._topics.get(question)
        if topic is None:
            vectors = self._vectors()
            topic = vectors.mean(axis=0)
            if question:
                asked = _text_vector(question)
                topic = topic / (np.linalg.norm(topic) or 1) + asked
            topic = topic / (np.linalg.norm(topic) or 1)
            if len(self._topics) >= _TOPICS_KEPT:
                self._topics.clear()
            self._topics[question] = topic
        return topic

    def closest_other_kind(self, words: list[str], rubric_id: str) -> tuple[Kind | None, float]:
        """The kind of question (a shipped rubric), other than this one, whose ground the words
        are closest to, and how much closer they are to it than to this rubric's ground."""
        answer = embed([words])[0]
        own = float(answer @ self._topic(None))
        kind, closest = max(
            ((k, float(answer @ k.ground)) for k in shipped_grounds() if k.id != rubric_id),
            key=lambda pair: pair[1],
            default=(None, own),  # no other kind shipped: nothing to be closer to
        )
        return kind, closest - own

    def leaning_to(self, words: list[str], text: str) -> float:
        """How much closer in meaning the words are to `text` (a question, or its model answer)
        than to the rubric's general ground: about zero or above for an answer to this question
        in other words, well below for an answer to another question of the same kind."""
        answer = embed([words])[0]
        return float(answer @ _text_vector(text) - answer @ self._topic(None))

    def lend(
        self,
        question: str,
        model_answer: str,
        shown: Callable[[], Sequence[tuple[tuple[int, str], list[str]]]],
    ) -> Lent:
        """A question's model answer as more example sentences, made once per question:
        `shown` gives each of its sentences that shows a concept in the rubric's words, by that
        concept, as content words. They are kept as what they say beyond the question's own
        subject (see `Lent`)."""
        key = (question, model_answer)
        lent = self._lent.get(key)
        if lent is None:
            examples = sorted(shown(), key=lambda pair: pair[0])  # each concept's together
            subject = _text_vector(question)
            vectors = _beyond(embed([words for _, words in examples]), subject)
            keys = [concept for concept, _ in examples]
            starts = [i for i, key in enumerate(keys) if i == 0 or key != keys[i - 1]]
            lent = Lent(subject, vectors.T, starts, [keys[i] for i in starts])
            if len(self._lent) >= _TOPICS_KEPT:
                self._lent.clear()
            self._lent[key] = lent
        return lent

    def resembling(
        self, vectors: Any, sentences: int, owners: Sequence[int], lent: Lent
    ) -> MeaningMatches:
        """For each of the first `sentences` rows of `vectors` (then clauses, as `compare`
        takes them), the concepts of the model answer's sentences it resembles, closest first:
        ranked apart from the rubric's own examples, whose closeness is measured otherwise."""
        if not lent.concepts:
            return [[] for _ in range(sentences)]
        closest = np.maximum.reduceat(
            _beyond(vectors, lent.subject) @ lent.vectors, lent.starts, axis=1
        )
        return _ranked(closest, lent.concepts, sentences, owners)

    def compare(
        self, vectors: Any, paragraphs: list[int], question: str | None, owners: Sequence[int] = ()
    ) -> tuple[list[float], MeaningMatches]:
        """Each sentence's relevance (how close its passage is to what the rubric and the
        question are about) and the concepts it is closest to, itself or through one of its
        clauses. `vectors` holds a row per sentence, then one per clause, whose sentence
        `owners` gives. A sentence's passage is its paragraph when that has a few sentences,
        otherwise its neighbours."""
        sentences = vectors[: len(paragraphs)]
        if not len(sentences):
            return [], []
        examples = self._vectors()[: len(self._keys)].T
        # What the rubric and the question are about, as one direction; a sentence's own
        # vector is too noisy to judge, so each is judged with its neighbours (a passage).
        topic = self._topic(question)
        running = np.vstack([np.zeros((1, sentences.shape[1]), np.float32), sentences.cumsum(0)])
        rows = np.arange(len(sentences))
        ends = np.minimum(rows + _PASSAGE + 1, len(sentences))
        passages = running[ends] - running[np.maximum(rows - _PASSAGE, 0)]
        blocks = np.asarray(paragraphs)  # paragraph numbers only grow along the answer
        starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
        sizes = np.diff(np.r_[starts, len(blocks)])
        sums = run_sums(sentences, starts, sizes)
        whole = np.repeat(sizes >= _PASSAGE + 1, sizes)  # paragraphs of a few sentences
        passages[whole] = np.repeat(sums, sizes, axis=0)[whole]
        norms = np.linalg.norm(passages, axis=1)
        relevance = (passages @ topic) / np.where(norms > 0, norms, 1)
        matches: MeaningMatches = [[] for _ in range(len(sentences))]
        if self._concepts:
            # Each concept's closest example: its examples are neighbouring columns.
            closest = _closest_of_each(vectors @ examples, self._starts)
            matches = _ranked(closest, self._concepts, len(sentences), owners)
        return relevance.tolist(), matches


def _closest_of_each(similarities: Any, starts: Sequence[int]) -> Any:
    """Each row's closest example of each concept, from its similarity to every example (a
    column each, each concept's examples side by side from its start)."""
    lengths = np.diff(np.r_[starts, similarities.shape[1]])
    return run_maxima(np.ascontiguousarray(similarities.T), starts, lengths).T


def _ranked(
    closest: Any, concepts: list[tuple[int, str]], sentences: int, owners: Sequence[int]
) -> MeaningMatches:
    """Each sentence's concepts near enough to rank, closest first, from `closest` (a row per
    sentence, then per clause of the sentence `owners` gives; a column per concept)."""
    if len(owners):
        by_clause = closest[sentences:]
        closest = closest[:sentences]
        np.maximum.at(closest, np.asarray(owners), by_clause)
    matches: MeaningMatches = [[] for _ in range(sentences)]
    rows, columns = np.nonzero(closest >= _CANDIDATE)
    for row, column, value in zip(
        rows.tolist(), columns.tolist(), closest[rows, columns].tolist(), strict=True
    ):
        matches[row].append((value, *concepts[column]))
    for ranked in matches:
        ranked.sort(reverse=True)
    return matches


_TOPICS_KEPT = 256  # questions whose direction (and model answer's examples) are kept per rubric


class Lent(NamedTuple):
    """A question's model answer lent as examples: the question's own direction, and the
    example vectors (as columns, grouped by concept) with that direction taken out, so that a
    sentence resembles one by what it says, not by naming the question's subject, which every
    sentence on the topic does ("feedback", "the team"), filler included."""

    subject: Any
    vectors: Any
    starts: list[int]
    concepts: list[tuple[int, str]]


def _beyond(vectors: Any, direction: Any) -> Any:
    """Unit vectors of what `vectors` say beyond the unit `direction`."""
    rest = vectors - np.outer(vectors @ direction, direction)
    norms = np.linalg.norm(rest, axis=1, keepdims=True)
    return np.divide(rest, norms, out=np.zeros_like(rest), where=norms > 0)


_PASSAGE = 2  # a sentence is judged with this many neighbours on each side
_CANDIDATE = 0.3  # below this, a sentence is not near enough a concept to be worth ranking


@functools.lru_cache(maxsize=_TOPICS_KEPT)
def _text_vector(text: str) -> Any:
    """A question's or a model answer's unit vector, made once: many answers are compared
    with it."""
    vector = embed([_content_words(text)])[0]
    vector.flags.writeable = False
    return vector


def _content_words(text: str) -> list[str]:
    words, _ = tokenize(text)
    return [w for w in words if is_content_word(w)]


class Kind(NamedTuple):
    """A kind of question: a shipped rubric's id and title, whether it asks for a story of what
    happened (a criterion of it is `what_happened`), and its general ground (the direction of
    its example sentences and phrases, as `RubricMeaning` makes it)."""

    id: str
    title: str
    story: bool
    ground: Any


@functools.cache
def shipped_grounds() -> tuple[Kind, ...]:
    """The kinds of question there are, one per shipped rubric. Read straight from the files,
    once, without validating them (they are tested as they ship)."""
    import yaml  # here, not above: only an answer that might be to another question needs it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    grounds = []
    for path in sorted(SHIPPED_RUBRICS_DIR.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        concepts = [k for c in data["criteria"] for k in c["concepts"]]
        texts = [_content_words(t) for k in concepts for t in k.get("examples", [])]
        texts += [_content_words(p) for k in concepts for p in k.get("phrases", [])]
        ground = embed(texts).mean(axis=0)
        story = any(c.get("what_happened") for c in data["criteria"])
        grounds.append(
            Kind(data["id"], data["title"], story, ground / (np.linalg.norm(ground) or 1))
        )
    return tuple(grounds)


class KnownQuestions(NamedTuple):
    """The shipped questions that have a model answer: each as the scorer is given it (title and
    prompt, its runs of white space made single spaces), its title, and, row by row, the
    direction of it with its model answer."""

    asked: tuple[str, ...]
    titles: tuple[str, ...]
    vectors: Any


# The shipped questions as `make_known_questions` makes them, kept in the package: making them
# takes a `coach score` longer than everything else it does once the model is loaded.
KNOWN_QUESTIONS_FILE = Path(__file__).resolve().with_name("known_questions.npz")


@functools.cache
def shipped_questions() -> KnownQuestions:
    """The shipped bank's questions, from the package's file while it was made from this bank
    with this model, else made afresh."""
    return read_known_questions(KNOWN_QUESTIONS_FILE) or make_known_questions()


def known_questions_key() -> str:
    """What the known questions are made from: the shipped bank and the model."""
    return f"{knowledge_digest(SHIPPED_BANK_DIR)}+{model_version()}"


def read_known_questions(path: Path) -> KnownQuestions | None:
    """The known questions saved at `path`, unless they were made from another bank or model
    (or the file is missing or unreadable)."""
    try:
        with np.load(path) as saved:
            if str(saved["key"]) != known_questions_key():
                return None
            return KnownQuestions(
                tuple(saved["asked"].tolist()), tuple(saved["titles"].tolist()), saved["vectors"]
            )
    except (OSError, KeyError, ValueError):
        return None


def save_known_questions(path: Path = KNOWN_QUESTIONS_FILE) -> None:
    """Make the known questions and save them at `path` (`make known-questions`, after an edit
    to the shipped bank)."""
    known = make_known_questions()
    np.savez(
        path,
        key=np.array(known_questions_key()),
        asked=np.array(known.asked),
        titles=np.array(known.titles),
        vectors=known.vectors,
    )


def make_known_questions() -> KnownQuestions:
    """The shipped bank's questions, read straight from the files without validating them (they
    are tested as they ship)."""
    import yaml  # here, not above, as in `shipped_grounds`

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    questions = [
        question
        for path in sorted(SHIPPED_BANK_DIR.glob("*.yaml"))
        for question in yaml.load(path.read_text(encoding="utf-8"), Loader=loader)["questions"]
        if question.get("model_answer")
    ]
    asked = [f"{q['title']}\n{q['prompt']}" for q in questions]
    texts = [
        _content_words(f"{a}\n{q['model_answer']}") for a, q in zip(asked, questions, strict=True)
    ]
    return KnownQuestions(
        tuple(map(_spaced, asked)), tuple(q["title"] for q in questions), embed(texts)
    )


def _spaced(text: str) -> str:
    return " ".join(text.split())


def closest_known_question(
    direction: Any, question: str, model_answer: str
) -> tuple[str | None, float]:
    """The shipped question, other than `question`, whose text with its model answer an
    answer's `direction` is closest to in meaning (its title), and how much closer it is to it
    than to `question` with `model_answer`."""
    known = shipped_questions()
    direction = direction / (np.linalg.norm(direction) or 1)
    similarity = known.vectors @ direction
    own = float(_text_vector(f"{question}\n{model_answer}") @ direction)
    # The question itself, however its lines were trimmed (the app strips a prompt's last
    # newline), or under its own title, is no other question.
    same, title = _spaced(question), question.partition("\n")[0].strip()
    others = [
        i
        for i, (asked, its_title) in enumerate(zip(known.asked, known.titles, strict=True))
        if asked != same and its_title != title
    ]
    if not others:
        return None, 0.0
    closest = max(others, key=similarity.__getitem__)
    return known.titles[closest], float(similarity[closest]) - own


@dataclass(frozen=True)
class Rubric:
    """A validated rubric with its phrases compiled to stems, ready to score against."""

    spec: RubricSpec
    criteria: tuple[CompiledCriterion, ...]
    signals: PhraseMatcher[SignalKey]  # every concept phrase and cue, matched in one pass
    flag_phrases: PhraseMatcher[str]  # red-flag phrases, keyed by flag id
    vocabulary: frozenset[str]  # content stems of titles, phrases and cues: what "on topic" means
    meaning: RubricMeaning  # the example sentences' vectors, for matching by meaning

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> int:
        return self.spec.version

    @property
    def title(self) -> str:
        return self.spec.title

    def to_dict(self) -> dict[str, Any]:
        return self.spec.model_dump(mode="json", exclude_defaults=False)

    @property
    def content_hash(self) -> str:
        """Changes exactly when the rubric's content changes, whatever the file's layout.

        The version number is left out: it labels content, it is not content.
        """
        content = {k: v for k, v in self.to_dict().items() if k != "version"}
        for criterion in content["criteria"]:  # no follow-up hashes as before the field existed
            if criterion.get("follow_up") is None:
                criterion.pop("follow_up", None)
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def compile_rubric(spec: RubricSpec) -> Rubric:
    criteria = tuple(
        CompiledCriterion(
            spec=c,
            concepts=tuple(
                CompiledConcept(k.id, k.weight, tuple(re.compile(p) for p in k.patterns), k.tip)
                for k in c.concepts
            ),
        )
        for c in spec.criteria
    )
    signals: list[tuple[SignalKey, tuple[str, ...]]] = []
    for index, c in enumerate(spec.criteria):
        signals += [
            (("concept", index, k.id), compile_phrase(p)) for k in c.concepts for p in k.phrases
        ]
        signals += [(("cue", index, ""), compile_phrase(p)) for p in c.cues]
    flags = [(f.id, compile_phrase(p)) for f in spec.red_flags for p in f.phrases]
    return Rubric(
        spec,
        criteria,
        PhraseMatcher(signals),
        PhraseMatcher(flags),
        _vocabulary(spec),
        RubricMeaning(spec),
    )


def _vocabulary(spec: RubricSpec) -> frozenset[str]:
    texts = [spec.title]
    for c in spec.criteria:
        texts += [c.title, *c.cues, *(phrase for k in c.concepts for phrase in k.phrases)]
    vocabulary: set[str] = set()
    for text in texts:
        words, stems = tokenize(text)
        vocabulary.update(s for w, s in zip(words, stems, strict=True) if is_content_word(w))
    return frozenset(vocabulary)


def rubric_from_document(document: Document) -> Rubric:
    if not isinstance(document.data, dict):
        raise SourceError([Problem(document.file, 1, None, "a rubric must be a mapping")])
    return compile_rubric(validate(RubricSpec, document))


def parse_rubric(data: dict[str, Any] | str, source: str = "<rubric>") -> Rubric:
    """Build a rubric from a dict (as stored in the database) or from YAML/JSON text."""
    if isinstance(data, str):
        return rubric_from_document(parse_text(data, source))
    return rubric_from_document(Document(data, source, {}))


def load_rubric(id_or_path: str | Path, search_dir: Path = SHIPPED_RUBRICS_DIR) -> Rubric:
    """Load a rubric by file path, or by id from the shipped `rubrics/` folder."""
    path = Path(id_or_path)
    if path.suffix.lower() not in {".yaml", ".yml", ".json"} and not path.exists():
        path = search_dir / f"{id_or_path}.yaml"
        if not path.exists():
            raise SourceError([Problem(str(id_or_path), None, None, "no rubric with that id")])
    return rubric_from_document(read_file(path))
