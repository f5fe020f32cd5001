/* Quick exit: the "Leave this site quickly" link, or Escape pressed twice within a
   second, opens the neutral site in place of this page (location.replace), so that
   Back does not bring this page back. Without this file the link is a plain link. */
(function () {
  "use strict";

  var link = document.querySelector("[data-quick-exit]");
  if (!link) { return; }
  var lastEscape = 0;

  function leave(event) {
    if (event) { event.preventDefault(); }
    // Nothing of the page stays on the screen while the other site loads.
    document.body.hidden = true;
    document.title = "";
    // The share form's draft (share-draft.js) would come back if this tab returned here.
    try { window.sessionStorage.clear(); } catch (error) { /* storage blocked: nothing kept */ }
    window.location.replace(link.href);
  }

  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.repeat) { return; }
    var now = Date.now();
    if (now - lastEscape < 1000) { leave(event); } else { lastEscape = now; }
  });
})();
