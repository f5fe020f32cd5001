// Small enhancements only: every page works without this file.
"use strict";

// After a failed submit, move focus to the error summary, so that screen
// reader and keyboard users land on the list of what to fix.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
