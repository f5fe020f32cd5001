// The embed builder: the preview and the code follow the choices as they change.
// Without JavaScript the form's button reloads the page with the same result.
(function () {
  "use strict";
  var form = document.querySelector(".builder__form");
  var snippet = document.getElementById("snippet");
  var preview = document.getElementById("preview");
  var copy = document.getElementById("copy-snippet");
  var status = document.getElementById("copy-status");
  if (!form || !snippet || !preview) {
    return;
  }
  var base = form.getAttribute("data-embed-base");

  function embedAddress() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value && value !== defaults[key]) {
        params.append(key, value);
      }
    });
    var query = params.toString();
    return base + (query ? "?" + query : "");
  }

  // The server's own snippet with {src} and {height} to fill in: one HTML for both.
  var pattern = form.getAttribute("data-snippet");
  var heights = JSON.parse(form.getAttribute("data-heights"));
  var defaults = JSON.parse(form.getAttribute("data-defaults")); // left out of the address

  function update() {
    var address = embedAddress();
    if (preview.src !== address) {
      preview.src = address;
    }
    var layout = new FormData(form).get("layout") || defaults.layout;
    snippet.value = pattern
      .replace("{src}", address.replace(/&/g, "&amp;").replace(/"/g, "&quot;"))
      .replace("{height}", String(heights[layout]));
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);

  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(snippet.value).then(function () {
        status.textContent = status.getAttribute("data-copied");
      });
    });
  }
})();
