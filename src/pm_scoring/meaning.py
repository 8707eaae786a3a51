"""What a sentence means, as a vector: static word embeddings that ship inside a package.

WordLlama's `l2_supercat_256` model (in the `wordllama` wheel, MIT) gives every token a 256-number
vector; a text's vector is the mean of its tokens' vectors. That is all the model does, so each
word's token vectors are summed once and kept, and a sentence costs one lookup per word: no
network, no GPU, no transformer in the request path, and the same numbers on every run.
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "wordllama-l2_supercat_256"
_DIMS = 256
_WORD_TABLE_LIMIT = 200_000
_GROUP_SEPARATOR = re.compile("[.,:]")


def model_version() -> str:
    """The model's name and the version of the package it ships in: part of the engine version,
    since other weights would give other scores."""
    try:
        return f"{MODEL_NAME}@{metadata.version('wordllama')}"
    except metadata.PackageNotFoundError:
        return f"{MODEL_NAME}@missing"


class _Model:
    """The embedding table and tokenizer, loaded on first use, once per process. Each word seen
    gets a row: the sum of its tokens' vectors."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._embedding: np.ndarray | None = None
        self._tokenizer: Any = None
        self._index: dict[str, int] = {}
        self._rows = np.zeros((0, _DIMS), dtype=np.float32)

    def _load(self) -> None:
        from tokenizers import Tokenizer

        # The package's files, without importing it (its import pulls in an HTTP client).
        spec = importlib.util.find_spec("wordllama")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("the wordllama package is not installed")
        folder = Path(next(iter(spec.submodule_search_locations)))
        tokenizer = Tokenizer.from_file(
            str(folder / "tokenizers" / "l2_supercat_tokenizer_config.json")
        )
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self._tokenizer = tokenizer
        self._embedding = _mapped_table(folder / "weights" / "l2_supercat_256.safetensors")
        _one_blas_thread()

    def sums_of(
        self, texts: Sequence[Sequence[str]], parts: Sequence[tuple[int, int, int]] = ()
    ) -> np.ndarray:
        """For each text, the sum of its words' rows (new words are tokenised and added first),
        then for each part, (text, start, end), the sum over that slice of the text's words.
        Texts without words get zeros."""
        flat = [w for words in texts for w in words]
        index, table = self._index, self._rows
        try:
            positions = list(map(index.__getitem__, flat))
        except KeyError:  # new words
            with self._lock:
                self._add([w for w in dict.fromkeys(flat) if w not in self._index])
            index, table = self._index, self._rows
            positions = list(map(index.__getitem__, flat))
        sums = np.zeros((len(texts), _DIMS), dtype=np.float32)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        filled = np.flatnonzero(lengths)
        part_sums = np.zeros((len(parts), _DIMS), dtype=np.float32)
        if len(filled):
            offsets = np.cumsum(lengths) - lengths
            rows = table.take(positions, axis=0)
            sums[filled] = run_sums(rows, offsets[filled], lengths[filled])
            if parts:
                text, start, end = np.array(parts, dtype=np.int64).T
                part_sums = run_sums(rows, offsets[text] + start, end - start)
        return np.vstack([sums, part_sums]) if parts else sums

    def _add(self, words: list[str]) -> None:
        if not words:
            return
        if self._embedding is None:
            self._load()
        assert self._embedding is not None
        if len(self._index) + len(words) > _WORD_TABLE_LIMIT:  # bounded memory: start afresh
            self._index, self._rows = {}, self._rows[:0]
        size = len(self._embedding)
        # A figure's groups ("1,200", "18:15", "0.2") are tokenised one by one, as words of their
        # own: the mark between them means nothing.
        pieces = [_GROUP_SEPARATOR.split(word) for word in words]
        encoded = iter(
            self._tokenizer.encode_batch(
                [p for parts in pieces for p in parts], add_special_tokens=False
            )
        )
        ids = [[i for _ in parts for i in next(encoded).ids if 0 <= i < size] for parts in pieces]
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        fresh = np.zeros((len(words), _DIMS), dtype=np.float32)
        if lengths.any():  # every word's rows read in one pass, then added a token at a time
            tokens = self._embedding[[i for word in ids for i in word]].astype(np.float32)
            offsets = np.cumsum(lengths) - lengths
            for token in range(int(lengths.max())):
                longer = np.flatnonzero(lengths > token)
                fresh[longer] += tokens[offsets[longer] + token]
        # Readers index the old table with the old index until both are swapped in.
        rows = np.vstack([self._rows, fresh])
        index = dict(self._index)
        index.update((word, len(self._rows) + row) for row, word in enumerate(words))
        self._rows, self._index = rows, index


_LONG_RUN = 48  # runs longer than this are reduced one by one: a few an answer, if any


def run_sums(rows: np.ndarray, starts: Any, lengths: Any) -> np.ndarray:
    """For each run of consecutive rows (where it starts, how many), the sum of its rows, added
    one after another as `rows[start:start + length].sum(axis=0)` adds them; zeros for a run
    of none."""
    return _run_reduce(np.add, rows, starts, lengths)


def run_maxima(rows: np.ndarray, starts: Any, lengths: Any) -> np.ndarray:
    """For each run of consecutive rows (where it starts, how many, at least one), the largest
    value of each column."""
    return _run_reduce(np.maximum, rows, starts, lengths)


def _run_reduce(ufunc: np.ufunc, rows: np.ndarray, starts: Any, lengths: Any) -> np.ndarray:
    """Runs are reduced side by side, a position at a time, which costs a small part of what a
    call per run (an answer has hundreds of sentences and clauses) or `ufunc.reduceat` costs:
    reduceat walks each column of each run on its own. Each run's rows are taken in order."""
    starts, lengths = np.asarray(starts, dtype=np.int64), np.asarray(lengths, dtype=np.int64)
    result = np.zeros((len(starts), rows.shape[1]), dtype=rows.dtype)
    for run in np.flatnonzero(lengths > _LONG_RUN).tolist():
        result[run] = ufunc.reduce(rows[starts[run] : starts[run] + lengths[run]], axis=0)
    short = np.flatnonzero((lengths > 0) & (lengths <= _LONG_RUN))
    if not len(short):
        return result
    order = short[np.argsort(-lengths[short], kind="stable")]  # longest first
    # How many runs are still going at each position: a prefix of the runs, longest first.
    # Their rows are read in one pass, position by position, then reduced a position at a time.
    going = np.searchsorted(-lengths[order], -np.arange(int(lengths[order[0]])))
    first = np.cumsum(going) - going
    nth = np.arange(int(going.sum())) - np.repeat(first, going)  # which run, at its position
    by_position = rows[starts[order][nth] + np.repeat(np.arange(len(going)), going)]
    reduced = by_position[: len(order)].copy()
    for count, at in zip(going[1:].tolist(), first[1:].tolist(), strict=True):
        ufunc(reduced[:count], by_position[at : at + count], out=reduced[:count])
    result[order] = reduced
    return result


def _one_blas_thread() -> None:
    """Matrix products here are small (a few dozen sentences against a few hundred examples):
    BLAS threads cost more than they save, and on a busy machine far more. Measured on the
    2-core CI machine under load, the products took 8.4 ms with OpenBLAS's threads against
    0.7 ms with one. One thread also keeps the order of every sum the same on any machine.
    Applied once, for the process: a server scores in many processes, not in BLAS threads."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _mapped_table(path: Path) -> np.ndarray:
    """The embedding table of a safetensors file, mapped rather than read: a word needs only
    its tokens' rows, and reading all 16 MB would cost every `coach score` a tenth of a second."""
    with path.open("rb") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
    (name,) = (key for key in header if key != "__metadata__")
    entry = header[name]
    dtype = {"F16": np.float16, "F32": np.float32}[entry["dtype"]]
    start = 8 + size + entry["data_offsets"][0]
    return np.memmap(path, dtype=dtype, mode="r", offset=start, shape=tuple(entry["shape"]))


_MODEL = _Model()


def embed(texts: Sequence[Sequence[str]], parts: Sequence[tuple[int, int, int]] = ()) -> np.ndarray:
    """Unit vectors of texts given as lists of words (one row per text; zeros for no words),
    then of `parts` of them: (text, start, end), a slice of that text's words."""
    if not any(texts):
        return np.zeros((len(texts) + len(parts), _DIMS), dtype=np.float32)
    # The mean of a text's token vectors points the same way as their sum: no need to divide.
    vectors = _MODEL.sums_of(texts, parts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
