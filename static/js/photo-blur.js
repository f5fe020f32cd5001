/* The review page's photo: outlines the faces the detector found, and lets a
   moderator draw the area to blur by dragging across the photo (mouse, pen or
   touch). The drawn area fills the four percent fields of the "Blur an area by
   hand" form, and typing in them (arrow keys included) moves the drawn box: the
   fields are the keyboard way, and the form works without this script. */
(function () {
  "use strict";

  var frame = document.querySelector("[data-blur-frame]");
  var form = document.getElementById("blur-area-form");
  if (!frame || !form) { return; }
  var fields = ["x", "y", "width", "height"].map(function (name) { return form.elements[name]; });
  if (fields.some(function (input) { return !input; })) { return; }

  function place(box, area) {
    box.style.left = area[0] + "%";
    box.style.top = area[1] + "%";
    box.style.width = area[2] + "%";
    box.style.height = area[3] + "%";
  }

  var faces = [];
  try { faces = JSON.parse(frame.getAttribute("data-faces") || "[]"); } catch (error) { faces = []; }
  faces.forEach(function (face) {
    var outline = document.createElement("span");
    outline.className = "photo-blur__face";
    place(outline, face.map(function (value) { return value * 100; }));
    frame.appendChild(outline);
  });

  var selection = document.createElement("span");
  selection.className = "photo-blur__selection";
  selection.hidden = true;
  frame.appendChild(selection);
  frame.classList.add("photo-blur__frame--drawable");

  function clamp(value) { return Math.max(0, Math.min(100, value)); }
  function rounded(value) { return Math.round(value * 10) / 10; }

  function pointAt(event) {
    var rect = frame.getBoundingClientRect();
    return [clamp((event.clientX - rect.left) / rect.width * 100),
            clamp((event.clientY - rect.top) / rect.height * 100)];
  }

  function show(area) {
    selection.hidden = !(area[2] > 0 && area[3] > 0);
    place(selection, area);
  }

  function fromFields() {
    var area = fields.map(function (input) { return parseFloat(input.value); });
    if (area.some(isNaN)) { selection.hidden = true; return; }
    show([clamp(area[0]), clamp(area[1]),
          Math.min(area[2], 100 - clamp(area[0])), Math.min(area[3], 100 - clamp(area[1]))]);
  }

  var start = null;
  frame.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    start = pointAt(event);
    frame.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  frame.addEventListener("pointermove", function (event) {
    if (!start) { return; }
    var end = pointAt(event);
    var area = [Math.min(start[0], end[0]), Math.min(start[1], end[1]),
                Math.abs(end[0] - start[0]), Math.abs(end[1] - start[1])].map(rounded);
    area.forEach(function (value, i) { fields[i].value = value; });
    show(area);
  });
  function finish() { start = null; }
  frame.addEventListener("pointerup", finish);
  frame.addEventListener("pointercancel", finish);

  fields.forEach(function (input) { input.addEventListener("input", fromFields); });
  fromFields();
})();
