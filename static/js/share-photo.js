// The share form's photo and sending, for a slow network; without this file the form
// posts as usual and the server checks everything itself.
//
// - A chosen photo is checked at once (type, size) and made smaller here: at most
//   MAX_SIDE px on its long side, turned upright by its EXIF orientation, re-encoded as
//   JPEG (so its location and camera details never leave the phone either). A 12 MP
//   phone photo of 4 MB becomes about 0.5 MB. The server still validates and re-encodes.
// - The form is sent with XMLHttpRequest, to show how much has been sent; its answer
//   (the thank-you page through the redirect, or the form shown again with its
//   messages) replaces this page, as a plain post would. The thank-you page shows the
//   private link only once, so its answer is shown, not loaded a second time.
// - If the connection drops, the form stays as it is, with a message, to send again.
(function () {
  "use strict";

  var MAX_SIDE = 2000;
  var TARGET_BYTES = 1000 * 1000;
  var QUALITIES = [0.85, 0.75, 0.65, 0.55];
  var ACCEPTED = /^image\/(jpeg|png|webp)$/;

  var field = document.getElementById("photo-field");
  var input = document.getElementById("photo");
  var form = input && input.form;
  if (!field || !form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var text = field.dataset;
  var maxBytes = parseInt(text.maxBytes, 10);
  var label = field.querySelector(".photo-button");
  var labelText = label.textContent; // "Add a photo", or "Choose another photo" when one is kept
  var prepared = null; // a Promise of the Blob to send (or of null: send nothing new)

  field.classList.add("field--photo-js");

  function element(tag, className, id) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (id) made.id = id;
    return made;
  }

  // --- the message beside the photo field -----------------------------------------

  function describedBy(id, present) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (present) ids.push(id);
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  function showError(message) {
    var error = document.getElementById("photo-error");
    if (!error) {
      error = element("p", "error", "photo-error");
      error.setAttribute("role", "alert");
      input.parentNode.insertBefore(error, input);
    }
    error.textContent = message;
    field.classList.add("field--error");
    input.setAttribute("aria-invalid", "true");
    describedBy("photo-error", true);
  }

  function clearError() {
    var error = document.getElementById("photo-error");
    if (error) error.parentNode.removeChild(error);
    field.classList.remove("field--error");
    input.removeAttribute("aria-invalid");
    describedBy("photo-error", false);
  }

  function showStatus(message) {
    var status = document.getElementById("photo-status");
    if (!status) {
      status = element("p", "photo-status", "photo-status");
      status.setAttribute("aria-live", "polite");
      label.parentNode.insertBefore(status, label.nextSibling);
    }
    status.textContent = message || "";
    status.hidden = !message;
  }

  // --- making the photo smaller ----------------------------------------------------

  function toBlob(canvas, quality) {
    return new Promise(function (resolve) {
      canvas.toBlob(resolve, "image/jpeg", quality);
    });
  }

  function encode(canvas, step) {
    return toBlob(canvas, QUALITIES[step]).then(function (blob) {
      if (blob && blob.size > TARGET_BYTES && step + 1 < QUALITIES.length) {
        return encode(canvas, step + 1);
      }
      return blob;
    });
  }

  function shrink(file) {
    if (!window.createImageBitmap) return Promise.reject(new Error("no createImageBitmap"));
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = element("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // a transparent PNG gets a white background, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return encode(canvas, 0);
    });
  }

  function refuse(message) {
    showError(message);
    prepared = null;
    input.value = "";
    label.textContent = labelText;
    // share.js then takes its preview of the refused file away.
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  var refusing = false;
  input.addEventListener("change", function () {
    if (refusing) return;
    var file = input.files && input.files[0];
    prepared = null;
    showStatus("");
    if (!file) {
      label.textContent = labelText;
      return;
    }
    clearError();
    if (file.type && !ACCEPTED.test(file.type)) {
      refusing = true;
      refuse(text.notAPhoto);
      refusing = false;
      return;
    }
    label.textContent = text.another;
    showStatus(text.preparing);
    var chosen = (prepared = shrink(file).then(
      function (blob) {
        if (blob && blob.size <= maxBytes) return blob;
        throw new Error("still too large");
      },
      function () {
        // Not readable here: the server decides, unless it is over the limit anyway.
        if (file.size > maxBytes) throw new Error("too large");
        return file;
      }
    ));
    chosen.then(
      function () {
        if (prepared === chosen) showStatus("");
      },
      function () {
        if (prepared !== chosen) return;
        refusing = true;
        refuse(text.tooLarge);
        refusing = false;
        showStatus("");
      }
    );
  });

  // --- sending, with progress ------------------------------------------------------

  var progress = null;

  function progressBox() {
    if (!progress) {
      progress = element("div", "upload-progress", "upload-progress");
      progress.setAttribute("role", "status");
      var line = element("p", "upload-progress__label", "upload-progress-label");
      var words = element("span");
      var percent = element("span", "upload-progress__percent");
      line.appendChild(words);
      line.appendChild(percent);
      var bar = element("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-labelledby", "upload-progress-label");
      progress.appendChild(line);
      progress.appendChild(bar);
      // Under the send button, in the step that holds it (share.js's steps).
      var button = form.querySelector("button[type=submit]");
      var place = button ? button.closest(".step__nav") || button : null;
      if (place) place.parentNode.insertBefore(progress, place.nextSibling);
      else form.appendChild(progress);
    }
    return progress;
  }

  var percentFormat = window.Intl
    ? new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "percent" })
    : null;

  function showProgress(fraction) {
    var box = progressBox();
    box.hidden = false;
    box.classList.remove("upload-progress--lost");
    box.querySelector(".upload-progress__label span").textContent = text.sending;
    box.querySelector(".upload-progress__percent").textContent = percentFormat
      ? percentFormat.format(fraction)
      : Math.round(fraction * 100) + "%";
    var bar = box.querySelector("progress");
    bar.hidden = false;
    bar.value = Math.round(fraction * 100);
  }

  function showLost() {
    var box = progressBox();
    box.classList.add("upload-progress--lost");
    box.setAttribute("role", "alert");
    box.querySelector(".upload-progress__label span").textContent = text.lost;
    box.querySelector(".upload-progress__percent").textContent = "";
    box.querySelector("progress").hidden = true;
  }

  function readyToSendAgain() {
    delete form.dataset.sent; // share.js's guard against sending twice
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.removeAttribute("aria-disabled");
      button.classList.remove("button--busy");
    });
  }

  function replacePage(html, url) {
    // The answer becomes this page, as it would after a plain post; its scripts run.
    document.open();
    document.write(html);
    document.close();
    if (url) history.replaceState(null, "", url);
    window.scrollTo(0, 0);
  }

  var sending = false;

  function send(submitter) {
    var data;
    try {
      data = new FormData(form, submitter || undefined);
    } catch (error) {
      data = new FormData(form); // browsers without the submitter argument
    }
    return Promise.resolve(prepared)
      .catch(function () {
        return null;
      })
      .then(function (photo) {
        if (photo) data.set("photo", photo, photo.name || "photo.jpg");
        var request = new XMLHttpRequest();
        request.open("POST", form.action);
        request.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) showProgress(event.loaded / event.total);
        });
        request.addEventListener("load", function () {
          var type = request.getResponseHeader("Content-Type") || "";
          if (type.indexOf("text/html") === 0) {
            if (/\/share\/thanks([?#]|$)/.test(request.responseURL || "")) {
              form.dispatchEvent(new CustomEvent("story-sent", { bubbles: true }));
            }
            replacePage(request.responseText, request.responseURL);
          } else {
            window.location.assign(request.responseURL || form.action);
          }
        });
        var lost = function () {
          sending = false;
          showLost();
          readyToSendAgain();
        };
        request.addEventListener("error", lost);
        request.addEventListener("timeout", lost);
        request.addEventListener("abort", lost);
        showProgress(0);
        request.send(data);
      });
  }

  // On the document, so that the form's own listeners (share.js's guard against sending
  // twice, and any step that is not complete) have had their say first.
  document.addEventListener("submit", function (event) {
    if (event.target !== form || event.defaultPrevented) return;
    event.preventDefault();
    if (sending) return;
    sending = true;
    send(event.submitter).catch(function () {
      sending = false;
      readyToSendAgain();
      form.submit(); // something failed here: the plain post still works
    });
  });
})();
