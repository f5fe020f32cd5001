// As they write, the share form says which language the story seems to be in when
// it is not the one chosen (POST /share/language). Without this script the server
// says it once, on sending (submissions.services.language_to_propose).
(function () {
  "use strict";

  var choice = document.getElementById("language-choice");
  var body = document.getElementById("body");
  var select = document.getElementById("language");
  var box = document.getElementById("language-proposal");
  var kept = document.getElementById("language_kept");
  if (!choice || !body || !select || !box || !kept || !window.fetch || !window.FormData) {
    return;
  }
  var form = select.form;
  var token = form.querySelector("input[name=csrf_token]");
  var PAUSE_MS = 1000; // ask once they stop typing for a moment, not at every key
  var MIN_CHARS = 20; // campaign/i18n/detect.py MIN_CHARS: below it nothing is told
  var timer = null;
  var asked = "";
  var shown = null; // the language proposed on the screen now

  var clear = function () {
    box.hidden = true;
    box.textContent = "";
    shown = null;
  };

  var show = function (answer) {
    box.textContent = "";
    var says = document.createElement("p");
    says.textContent = answer.message;
    var change = document.createElement("button");
    change.type = "button";
    change.className = "button button--secondary";
    change.textContent = answer.change;
    change.addEventListener("click", function () {
      select.value = answer.language;
      clear();
      select.focus();
    });
    box.appendChild(says);
    box.appendChild(change);
    box.hidden = false;
    shown = answer.language;
  };

  var ask = function () {
    var text = body.value.trim();
    var question = select.value + "\n" + text;
    if (text.length < MIN_CHARS || question === asked || !token) {
      return;
    }
    asked = question;
    var data = new FormData();
    data.append("csrf_token", token.value);
    data.append("language", select.value);
    data.append("body", text);
    fetch(choice.dataset.guessUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && answer.language) {
          show(answer);
        } else if (answer) {
          clear();
        }
      })
      .catch(function () {
        asked = ""; // offline for a moment: ask again at the next pause
      });
  };

  var later = function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, PAUSE_MS);
  };

  body.addEventListener("input", later);
  select.addEventListener("change", function () {
    clear();
    later();
  });
  // Told, and kept their choice: the server does not ask them again on sending.
  form.addEventListener("submit", function () {
    if (shown && select.value !== shown) {
      kept.value = select.value;
    }
  });
  if (box.hidden && body.value.trim()) {
    later();
  }
})();
