// The live counts under the answer box: its words, its characters against the answer limit, and
// one alert for screen readers as the text goes over it. The counting is limits.js's (tested in
// node); this module only puts it on the page.
import { charLimit, countChars, countWords, wordsLabel } from "./limits.js";

// Returns the function that brings the counts up to date with the box.
export function liveCounts(box, parts, maxChars) {
  const { words, chars, alert } = parts;
  let level = ""; // of the character count as last shown: "", "near" or "over"
  return function showCounts() {
    words.textContent = wordsLabel(countWords(box.value));
    const limit = charLimit(countChars(box.value), maxChars);
    chars.textContent = limit.text;
    chars.className = limit.level;
    if (limit.level === "over" && level !== "over") {
      alert.textContent = "Your answer is over the character limit.";
    }
    level = limit.level;
  };
}
