import assert from "node:assert/strict";
import { test } from "node:test";

import { charLimit, countChars, countWords, wordsLabel } from "../../static/js/answer/limits.js";

test("words are runs between spaces, as the server counts them", () => {
  assert.equal(countWords(""), 0);
  assert.equal(countWords("   \n\t "), 0);
  assert.equal(countWords("Roll back first."), 3);
  assert.equal(countWords("  leading and trailing  "), 3);
  assert.equal(countWords("don't re-deploy: 5%"), 3); // punctuation stays inside a word
  assert.equal(countWords("a\u00a0b\u2003c\u3000d"), 4); // no-break, em and ideographic spaces
  assert.equal(countWords("a\ufeffb\u200bc"), 1); // BOM and zero-width space join, as in Python
  assert.equal(countWords("a\x1cb\x85c"), 3); // separators Python splits on, JavaScript's \s not
});

test("characters are counted as stored: a line break once, an emoji once", () => {
  assert.equal(countChars("ab\r\ncd"), 5);
  assert.equal(countChars("ok 😀"), 4);
  assert.equal(countChars(""), 0);
});

test("the count against the limit warns near it and says how far over it is", () => {
  assert.deepEqual(charLimit(120, 50000), { text: "120 / 50,000 characters", level: "" });
  assert.equal(charLimit(44999, 50000).level, "");
  assert.equal(charLimit(45000, 50000).level, "near");
  assert.equal(charLimit(50000, 50000).level, "near");
  const over = charLimit(50012, 50000);
  assert.equal(over.level, "over");
  assert.match(over.text, /^12 characters over the 50,000 limit/);
});

test("one word, many words", () => {
  assert.equal(wordsLabel(1), "1 word");
  assert.equal(wordsLabel(0), "0 words");
  assert.equal(wordsLabel(12), "12 words");
});
