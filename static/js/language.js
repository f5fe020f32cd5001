// As they write, say which language the story seems to be in when it is not the one
// chosen (POST /share/language). Without it the server says so once, on sending.
(function () {
  "use strict";
  var $ = document.getElementById.bind(document);
  var choice = $("language-choice"), body = $("body"), select = $("language");
  var box = $("language-proposal"), kept = $("language_kept");
  if (!choice || !body || !select || !box || !kept || !window.fetch) return;
  var token = select.form.querySelector("input[name=csrf_token]");
  var timer, asked = "", shown = null;

  function clear() {
    box.hidden = true;
    box.textContent = "";
    shown = null;
  }

  function show(answer) {
    var says = document.createElement("p");
    var change = document.createElement("button");
    says.textContent = answer.message;
    change.type = "button";
    change.className = "button button--secondary";
    change.textContent = answer.change;
    change.onclick = function () {
      select.value = answer.language;
      clear();
      select.focus();
    };
    box.textContent = "";
    box.appendChild(says);
    box.appendChild(change);
    box.hidden = false;
    shown = answer.language;
  }

  function ask() {
    var text = body.value.trim(), question = select.value + "\n" + text;
    if (text.length < 20 || question === asked || !token) return; // 20: i18n/detect.py
    asked = question;
    var data = new FormData();
    data.append("csrf_token", token.value);
    data.append("language", select.value);
    data.append("body", text);
    fetch(choice.dataset.guessUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer) (answer.language ? show : clear)(answer); })
      .catch(function () { asked = ""; }); // offline a moment: ask at the next pause
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 1000); // once they pause, not at every key
  }

  body.addEventListener("input", later);
  select.addEventListener("change", function () { clear(); later(); });
  // Told, and kept their choice: the server does not ask again on sending.
  select.form.addEventListener("submit", function () {
    if (shown && select.value !== shown) kept.value = select.value;
  });
  if (box.hidden && body.value.trim()) later();
})();
