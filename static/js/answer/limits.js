// Live limits for the answer box: the word count as the server counts it, and the character
// count against the answer limit. Pure functions: tests/js/limits.test.js checks them, and
// tests/web/test_answer_limits.py checks that the word count agrees with the server's.

// The server counts words as Python's `len(text.split())`: runs of what `str.isspace()` calls
// space. JavaScript's `\s` differs (it includes U+FEFF, but not U+001C-U+001F or U+0085), so the
// same set is written out here.
const SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

export function countWords(text) {
  return text.split(SPACE).filter(Boolean).length;
}

// The server stores line breaks as one character and counts characters (code points), so an
// emoji is one character here too, not two UTF-16 units.
export function countChars(text) {
  let count = 0;
  for (const _ of text.replace(/\r\n/g, "\n")) count += 1;
  return count;
}

export function wordsLabel(count) {
  return count + (count === 1 ? " word" : " words");
}

const NEAR_SHARE = 0.9; // from 90% of the limit the count turns into a warning

// What the character counter shows: the count against the limit, and how close it is.
export function charLimit(count, max) {
  const number = (n) => n.toLocaleString("en-US");
  if (!max) return { text: number(count) + " characters", level: "" };
  if (count > max) {
    return {
      text: number(count - max) + " characters over the " + number(max) + " limit: shorten " +
        "the answer to save or submit it",
      level: "over",
    };
  }
  const text = number(count) + " / " + number(max) + " characters";
  return { text: text, level: count >= NEAR_SHARE * max ? "near" : "" };
}
