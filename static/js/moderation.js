/* Keyboard shortcuts for the moderation desk. Everything also works without them.
   Queue: j/k move between rows, Enter opens, x selects for a bulk action.
   Review: j/k next/previous story, a approve, r reject, c request changes, e edit.
   u: undo the decision just made (presses the Undo button of the message after it).
   ?: show the help. Keys are ignored while typing in a field. */
(function () {
  "use strict";

  var help = document.getElementById("shortcut-help");
  var helpButtons = document.querySelectorAll("[data-shortcut-help]");
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-row]"));
  var current = -1;

  function toggleHelp() {
    if (!help) { return; }
    if (help.open) { help.close(); } else { help.showModal(); }
  }

  helpButtons.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", toggleHelp);
  });

  function select(index) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) {
      row.classList.toggle("is-current", i === current);
      if (i === current) { row.setAttribute("aria-current", "true"); } else { row.removeAttribute("aria-current"); }
    });
    var link = rows[current].querySelector("[data-open]");
    if (link) { link.focus(); }
  }

  function typing(target) {
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function focusField(id) {
    var fieldEl = document.getElementById(id);
    if (!fieldEl) { return false; }
    var details = fieldEl.closest("details");
    if (details) { details.open = true; }
    fieldEl.scrollIntoView({ block: "center" });
    fieldEl.focus();
    return true;
  }

  function go(selector) {
    var link = document.querySelector(selector);
    if (link) { window.location.assign(link.href); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (help && help.open && event.key !== "?") { return; }
    var handled = true;
    var approve = document.querySelector("[data-approve]");
    switch (event.key) {
      case "?":
        toggleHelp();
        break;
      case "j":
        if (rows.length) { select(current + 1); } else { go("[data-next]"); }
        break;
      case "k":
        if (rows.length) { select(current - 1); } else { go("[data-prev]"); }
        break;
      case "x":
        if (current >= 0) {
          var box = rows[current].querySelector("input[type=checkbox]");
          if (box) { box.checked = !box.checked; }
        } else { handled = false; }
        break;
      case "Enter":
        if (rows.length && current >= 0 && document.activeElement === document.body) {
          rows[current].querySelector("[data-open]").click();
        } else { handled = false; }
        break;
      case "a":
        if (approve) { approve.click(); } else { handled = false; }
        break;
      case "r":
        handled = focusField("reason");
        break;
      case "c":
        handled = focusField("changes-message");
        break;
      case "e":
        handled = focusField("body");
        break;
      case "u":
        var undo = document.querySelector("[data-undo]");
        if (undo) { undo.click(); } else { handled = false; }
        break;
      default:
        handled = false;
    }
    if (handled) { event.preventDefault(); }
  });
})();
