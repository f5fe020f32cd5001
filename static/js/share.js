// Enhancements for the share and edit forms; everything works without them.
(function () {
  "use strict";

  // A live character count under the story.
  var body = document.getElementById("body");
  var count = document.getElementById("body-count");
  if (body && count && count.dataset.template) {
    var update = function () {
      var length = body.value.trim().length;
      count.textContent = count.dataset.template.replace("{count}", String(length));
      var min = parseInt(body.dataset.min || "0", 10);
      var max = parseInt(body.dataset.max || "0", 10);
      count.classList.toggle("char-count--out", length < min || (max && length > max));
    };
    count.hidden = false;
    body.addEventListener("input", update);
    update();
  }

  // A preview of the chosen photo (a data: URL, allowed by the page's policy).
  var photo = document.getElementById("photo");
  var preview = null;
  if (photo && window.FileReader) {
    // Made only once a photo is chosen: an <img> without a source is not valid HTML.
    var makePreview = function () {
      if (!preview) {
        preview = document.createElement("img");
        preview.id = "photo-preview";
        preview.className = "photo-preview";
        preview.alt = "";
        preview.hidden = true;
        var photoField = photo.closest(".field") || photo;
        photoField.parentNode.insertBefore(preview, photoField.nextSibling);
      }
      return preview;
    };
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type)) {
        if (preview) {
          preview.parentNode.removeChild(preview);
          preview = null;
        }
        return;
      }
      var reader = new FileReader();
      reader.onload = function () {
        makePreview().src = reader.result;
        preview.hidden = false;
      };
      reader.readAsDataURL(file);
    });
  }

  // The relationship question only matters when sharing for someone else.
  var onBehalf = document.getElementById("on_behalf");
  var relationship = document.getElementById("helper_relationship");
  if (onBehalf && relationship) {
    var wrapper = relationship.closest(".field");
    var toggle = function () {
      wrapper.hidden = !onBehalf.checked && !relationship.value;
    };
    onBehalf.addEventListener("change", toggle);
    toggle();
  }

  // Never send the same form twice (the server refuses duplicates too).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("button--busy");
      });
    });
  });
})();
