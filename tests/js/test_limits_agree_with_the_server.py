"""The answer page's live counts agree with the server's: the same texts go through the page's
own module (static/js/answer/limits.js, run by Node) and through the server's rules (the word
count the page is rendered with, `len(text.split())`, and the character limit the service
refuses over)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from app.practice.services import MAX_ANSWER_CHARS, normalise_line_breaks
from tests.conftest import ROOT

LIMITS = (ROOT / "static" / "js" / "answer" / "limits.js").as_uri()
# Reads a JSON list of texts on standard input, prints [[words, characters], ...].
COUNT = f"""
import {{ countChars, countWords }} from {json.dumps(LIMITS)};
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {{
  const texts = JSON.parse(input);
  process.stdout.write(JSON.stringify(texts.map((t) => [countWords(t), countChars(t)])));
}});
"""

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
# Characters that look like space, or that JavaScript's \\s matches, but str.split() keeps.
NOT_SPACES = ["\ufeff", "\u200b", "\u180e", "\u2060", "\u00ad", "_", "-"]
TRICKY = [
    "",
    "   ",
    "One.",
    "Roll back first, then talk to customers.",
    "  leading, trailing and  double  spaces  ",
    "line one\nline two\r\nline three\n\n\nafter blank lines",
    "tabs\tand\vvertical\ftabs",
    "don't re-deploy: 5% of users (EU) — now",
    "emoji 😀 count 👩‍👩‍👧 as one word each",
    "中文没有空格 and 日本語 も",
    "- a bullet\n- another\n1. numbered",
    "**bold** _italic_ `code` # heading",
    "x" * 1000 + " " + "y",
]


def counts_in_node(texts: list[str]) -> list[list[int]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: `make test` needs Node 20 or newer", pytrace=False)
    done = subprocess.run(
        [node, "--input-type=module", "-e", COUNT],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_the_page_counts_words_as_the_server_does():
    texts = [
        *TRICKY,
        *(f"a{space}b" for space in SPACES),
        *(f"a{char}b" for char in NOT_SPACES),
        "".join(SPACES).join(["start", "middle", "end"]),
    ]
    counted = counts_in_node(texts)
    mismatches = [
        (text, words, len(text.split()))
        for text, (words, _) in zip(texts, counted, strict=True)
        if words != len(text.split())
    ]
    assert mismatches == []
    assert len(SPACES) > 20  # every character Python splits on was tried


def test_the_page_counts_characters_as_the_server_limits_them():
    at_limit = "w" * (MAX_ANSWER_CHARS - 2) + "\r\n😀"
    texts = [*TRICKY, at_limit, at_limit + "!"]
    counted = counts_in_node(texts)
    for text, (_, chars) in zip(texts, counted, strict=True):
        assert chars == len(normalise_line_breaks(text)), text[:40]
    assert counted[-2][1] == MAX_ANSWER_CHARS and counted[-1][1] == MAX_ANSWER_CHARS + 1
