// Copy a story's link to the clipboard. Without JavaScript the button stays
// hidden and the plain share links still work.
(function () {
  "use strict";
  var status = document.querySelector("[data-copy-status]");
  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copyLink).then(function () {
        if (status) {
          status.textContent = button.dataset.copied;
        }
      });
    });
  });
})();
