// Inside the embed: tell the page around it how tall the stories are, whenever that
// changes (photos and fonts arriving, a narrower phone), so that static/js/embed.js
// there can fit the iframe to them. Without that script the message is ignored and
// the frame keeps its fixed height, scrolling inside. The height is no secret, so
// any page that frames the embed may hear it.
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var told = 0;

  function tell() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== told) {
      told = height;
      window.parent.postMessage({ type: "campaign-embed:height", height: height }, "*");
    }
  }

  if (window.ResizeObserver) {
    new ResizeObserver(tell).observe(document.body);
  }
  window.addEventListener("load", tell);
  tell();
})();
