// Copy or share a link (the buttons of templates/_share.html and the private link's
// copy button). Without JavaScript the buttons stay hidden: the story
// page keeps its plain share links, and the thank-you page shows the private
// link in a read-only field, the message links and the QR code.
(function () {
  "use strict";
  // Each block of links ([data-copy-area]) says what happened in its own status line.
  function say(button, text) {
    var area = button.closest("[data-copy-area]") || document;
    var status = area.querySelector("[data-copy-status]");
    if (status && text) {
      status.textContent = text;
    }
  }

  // A read-only field selects all of its link when it gets focus, ready to copy.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () {
      field.select();
    });
    field.addEventListener("click", function () {
      field.select();
    });
  });

  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copyLink).then(
        function () {
          say(button, button.dataset.copied);
        },
        function () {
          // Refused (an old browser, a denied permission): the link is selected
          // in its field, where the phone's own copy works; without a field, the
          // status line shows the link to select by hand.
          var field = document.querySelector("[data-select-on-focus]");
          if (field) {
            field.focus();
          } else {
            say(button, button.dataset.copyLink);
          }
        }
      );
    });
  });

  // The phone's share sheet (Web Share API): messages, notes, mail, whatever is installed.
  document.querySelectorAll("[data-share-link]").forEach(function (button) {
    if (!navigator.share) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator
        .share({ title: button.dataset.shareText, url: button.dataset.shareLink })
        .catch(function () {
          // Closed without sharing: nothing to do, the other ways are still on the page.
        });
    });
  });
})();
