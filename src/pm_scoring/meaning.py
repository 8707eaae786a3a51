"""What a sentence means, as a vector: static word embeddings that ship inside a package.

WordLlama's `l2_supercat_256` model (in the `wordllama` wheel, MIT) gives every token a 256-number
vector; a text's vector is the mean of its tokens' vectors. That is all the model does, so each
word's token vectors are summed once and kept, and a sentence costs one lookup per word: no
network, no GPU, no transformer in the request path, and the same numbers on every run.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

MODEL_NAME = "wordllama-l2_supercat_256"
_WORD_TABLE_LIMIT = 200_000


def model_version() -> str:
    """The model's name and the version of the package it ships in: part of the engine version,
    since other weights would give other scores."""
    try:
        return f"{MODEL_NAME}@{metadata.version('wordllama')}"
    except metadata.PackageNotFoundError:
        return f"{MODEL_NAME}@missing"


class _Model:
    """The embedding table and tokenizer, loaded on first use, once per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._embedding: np.ndarray | None = None
        self._tokenizer = None
        self._words: dict[str, np.ndarray] = {}  # word -> (sum of its token vectors, n tokens)

    def _load(self) -> None:
        import wordllama
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(wordllama.__file__).parent
        weights = load_file(str(folder / "weights" / "l2_supercat_256.safetensors"))
        tokenizer = Tokenizer.from_file(
            str(folder / "tokenizers" / "l2_supercat_tokenizer_config.json")
        )
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self._tokenizer = tokenizer
        self._embedding = next(iter(weights.values())).astype(np.float32)

    def word_rows(self, words: Sequence[str]) -> np.ndarray:
        """Each word's summed token vectors, with its token count in the last column."""
        missing = [w for w in dict.fromkeys(words) if w not in self._words]
        if missing:
            with self._lock:
                if self._embedding is None:
                    self._load()
                assert self._embedding is not None and self._tokenizer is not None
                encoded = self._tokenizer.encode_batch(missing, add_special_tokens=False)
                size = len(self._embedding)
                fresh = {}
                for word, encoding in zip(missing, encoded, strict=True):
                    ids = [i for i in encoding.ids if 0 <= i < size]
                    row = np.zeros(self._embedding.shape[1] + 1, dtype=np.float32)
                    if ids:
                        row[:-1] = self._embedding[ids].sum(axis=0)
                        row[-1] = len(ids)
                    fresh[word] = row
                if len(self._words) + len(fresh) > _WORD_TABLE_LIMIT:
                    self._words = {}
                self._words.update(fresh)
        table = self._words
        return np.stack([table[w] for w in words])


_MODEL = _Model()


def embed(texts: Sequence[Sequence[str]]) -> np.ndarray:
    """Unit vectors of texts given as lists of words (one row per text; zeros for no words)."""
    dims = 256
    out = np.zeros((len(texts), dims), dtype=np.float32)
    flat = [w for words in texts for w in words]
    if not flat:
        return out
    rows = _MODEL.word_rows(flat)
    bounds = np.cumsum([0, *(len(words) for words in texts)])
    for index, (start, end) in enumerate(itertools.pairwise(bounds)):
        if end > start:
            summed = rows[start:end].sum(axis=0)
            if summed[-1]:
                vector = summed[:-1] / summed[-1]
                norm = float(np.linalg.norm(vector))
                if norm:
                    out[index] = vector / norm
    return out
