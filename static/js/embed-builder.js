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
      if (value) {
        params.append(key, value);
      }
    });
    var query = params.toString();
    return base + (query ? "?" + query : "");
  }

  function update() {
    var address = embedAddress();
    preview.src = address;
    var frame = document.createElement("iframe");
    frame.setAttribute("src", address);
    frame.setAttribute("width", preview.getAttribute("width"));
    frame.setAttribute("height", preview.getAttribute("height"));
    var current = snippet.value.match(/title="([^"]*)"/);
    frame.setAttribute("title", current ? current[1] : "");
    frame.setAttribute("loading", "lazy");
    snippet.value = frame.outerHTML;
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
