"""Cut an answer into pieces, each tagged with the criteria whose evidence covers it."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    text: str
    criteria: tuple[str, ...]  # empty: not evidence for anything


def evidence_segments(text: str, evidence: Mapping[str, Iterable[Iterable[int]]]) -> list[Segment]:
    """`evidence` maps a criterion id to its (start, end) spans; the pieces cover `text` exactly."""
    spans = [(cid, int(s), int(e)) for cid, pairs in evidence.items() for s, e in pairs]
    cuts = sorted({0, len(text), *(p for _, s, e in spans for p in (s, e) if 0 <= p <= len(text))})
    segments: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        covering = tuple(sorted({cid for cid, s, e in spans if s <= start and end <= e}))
        segments.append(Segment(text[start:end], covering))
    return segments
