"""Sentence vectors: a text's vector is the direction of the sum of its words' token vectors,
whatever order words are first seen in and however many tokens each has."""

from __future__ import annotations

import re

import numpy as np

from pm_scoring.meaning import _LONG_RUN, _Model, embed, run_maxima, run_sums


def _by_hand(model: _Model, words: list[str]) -> np.ndarray:
    """The sum of every token's vector, looked up one token at a time, as a unit vector; a
    figure's groups ("18:15", "1,200") are tokenised one by one, without the mark between them."""
    assert model._embedding is not None
    total = np.zeros(model._embedding.shape[1], dtype=np.float32)
    for word in words:
        for part in re.split("[.,:]", word):
            for token in model._tokenizer.encode(part, add_special_tokens=False).ids:
                total += model._embedding[token].astype(np.float32)
    return total / np.linalg.norm(total)


def test_a_text_points_where_its_tokens_sum_points():
    # One-token words, words of many tokens and a word seen twice, learnt in one batch.
    texts = [
        ["rollback"],
        ["we", "reverted", "the", "release"],
        ["antidisestablishmentarianism", "postmortem", "rollback"],
        ["18:15", "p99", "ünïcödé", "1,200", "0.2"],
    ]
    model = _Model()
    model._load()
    sums = model.sums_of(texts)
    for words, row in zip(texts, sums, strict=True):
        np.testing.assert_allclose(row / np.linalg.norm(row), _by_hand(model, words), atol=1e-6)


def test_a_word_learnt_alone_or_in_a_batch_gets_the_same_row():
    alone, batch = _Model(), _Model()
    words = ["status", "page", "incident", "commander", "blameless", "x"]
    for word in words:
        alone.sums_of([[word]])
    batch.sums_of([words])
    for word in words:
        assert np.array_equal(alone._rows[alone._index[word]], batch._rows[batch._index[word]])


def test_texts_without_words_are_zero_and_the_rest_unit_length():
    vectors = embed([[], ["roll", "back"], []])
    assert not vectors[0].any() and not vectors[2].any()
    assert abs(float(np.linalg.norm(vectors[1])) - 1) < 1e-6


def test_runs_are_reduced_row_after_row():
    """Sentences, clauses and paragraphs are runs of rows, reduced side by side. Each sum must
    be exactly what adding the run's rows one after another gives (`np.add.reduceat` adds in
    another order), whatever the runs' lengths and order: runs of no rows included, and runs
    longer than the side-by-side limit, which are reduced one by one."""
    generator = np.random.default_rng(7)
    rows = generator.standard_normal((400, 16)).astype(np.float32) * np.float32(1000)
    lengths = [3, 0, 1, 12, 5, _LONG_RUN + 30, 7, 12, 2, _LONG_RUN, 9]
    starts = [int(generator.integers(0, len(rows) - length + 1)) for length in lengths]
    sums, maxima = run_sums(rows, starts, lengths), run_maxima(rows, starts, lengths)
    for run, (start, length) in enumerate(zip(starts, lengths, strict=True)):
        if not length:
            assert not sums[run].any()
            continue
        in_order = rows[start].copy()
        for row in rows[start + 1 : start + length]:
            in_order += row
        assert np.array_equal(sums[run], in_order), run
        assert np.array_equal(maxima[run], rows[start : start + length].max(axis=0)), run
