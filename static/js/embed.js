// For partners' pages, optional: <script src="https://THIS-SITE/static/js/embed.js" async>
// beside one or more of our embed iframes. Each frame says how tall its stories are
// (static/js/embed-frame.js); this sets that frame's height, so nothing scrolls inside
// it, and keeps it within the column on a phone. Only messages from this site's
// frames are heeded, and only a plausible height is taken. Without this script the
// frame keeps the height written in the snippet.
(function () {
  "use strict";
  if (window.campaignEmbedsFitted) {
    return; // the snippet pasted twice: one listener is enough
  }
  window.campaignEmbedsFitted = true;
  var script = document.currentScript;
  if (!script) {
    return;
  }
  var origin = new URL(script.src, window.location.href).origin;
  var LARGEST = 20000; // pixels: more is a broken page, not stories

  function ours(frame) {
    try {
      return new URL(frame.src, window.location.href).origin === origin;
    } catch (error) {
      return false;
    }
  }

  function frameOf(source) {
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i += 1) {
      if (frames[i].contentWindow === source && ours(frames[i])) {
        return frames[i];
      }
    }
    return null;
  }

  // A page that sizes boxes with their borders (box-sizing: border-box, as most do)
  // needs them added, or the stories would scroll by a few pixels inside the frame.
  function edges(frame) {
    var style = window.getComputedStyle(frame);
    if (style.boxSizing !== "border-box") {
      return 0;
    }
    return ["borderTopWidth", "borderBottomWidth", "paddingTop", "paddingBottom"].reduce(
      function (sum, name) {
        return sum + (parseFloat(style[name]) || 0);
      },
      0
    );
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "campaign-embed:height") {
      return;
    }
    var height = Number(data.height);
    var frame = frameOf(event.source);
    if (!frame || !isFinite(height) || height <= 0 || height > LARGEST) {
      return;
    }
    // Set through the style object, which a partner's Content-Security-Policy allows
    // (the snippet's own style attribute may be refused by it).
    frame.style.maxInlineSize = frame.style.maxInlineSize || frame.getAttribute("width") + "px";
    frame.style.inlineSize = "100%";
    frame.style.blockSize = Math.ceil(height + edges(frame)) + "px";
  });
})();
