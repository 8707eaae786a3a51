// The coach's review page: select words of the answer to anchor a comment to them. The offsets
// are counted in the answer's own text (the page shows it unchanged, marks included), so the
// server can check them and show the same words to the candidate.
(function () {
  "use strict";
  const answer = document.getElementById("answer-text");
  const form = document.getElementById("comment-form");
  if (!answer || !form) return;
  const start = form.querySelector("input[name=start]");
  const end = form.querySelector("input[name=end]");
  const quote = document.getElementById("selected-quote");
  const clear = document.getElementById("clear-selection");

  function offsetOf(node, offset) {
    // Characters of the answer before (node, offset): the text of every node before it.
    const range = document.createRange();
    range.selectNodeContents(answer);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function choose() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    if (!answer.contains(range.startContainer) || !answer.contains(range.endContainer)) return;
    const from = offsetOf(range.startContainer, range.startOffset);
    const to = offsetOf(range.endContainer, range.endOffset);
    if (to <= from || !answer.textContent.slice(from, to).trim()) return;
    start.value = String(from);
    end.value = String(to);
    quote.querySelector("q").textContent = answer.textContent.slice(from, to);
    quote.hidden = false;
  }

  answer.addEventListener("mouseup", choose);
  answer.addEventListener("keyup", choose);
  clear.addEventListener("click", function () {
    start.value = "";
    end.value = "";
    quote.hidden = true;
  });
})();
