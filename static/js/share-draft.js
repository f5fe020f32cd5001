// A draft of the share form in this tab's sessionStorage, so that what was typed
// survives a dropped connection, a reload and the language switch (the form in the
// other language brings it back). Only the fields the person changed are kept; never
// the photo, the hidden fields or the field robots fill in. It is deleted when the
// story is sent (share-photo.js says so with a "story-sent" event) and when the tab is
// closed. Only the public share form (/share, /<language>/share) keeps one: the
// private pages, whose addresses are secret, never load this file.
(function () {
  "use strict";

  var KEY = "share-draft";
  var SKIPPED = { csrf_token: 1, stamp: 1, staged_photo: 1, website: 1, remove_staged_photo: 1 };
  var script = document.currentScript;
  var storage;
  try {
    storage = window.sessionStorage;
    storage.getItem(KEY);
  } catch (error) {
    return; // storage switched off: the form works as before
  }
  if (!/^(\/[A-Za-z-]+)?\/share$/.test(window.location.pathname)) return;
  var photo = document.getElementById("photo");
  var form = photo ? photo.form : document.querySelector("form[enctype='multipart/form-data']");
  if (!form) return;

  function kept(control) {
    if (!control.name || SKIPPED[control.name]) return false;
    return !/^(file|hidden|password|submit|button|reset|image)$/.test(control.type);
  }

  function read() {
    try {
      var draft = JSON.parse(storage.getItem(KEY) || "{}");
      return draft && typeof draft.fields === "object" && draft.fields ? draft : { fields: {} };
    } catch (error) {
      return { fields: {} };
    }
  }

  function valueOf(name) {
    var controls = Array.prototype.filter.call(form.elements, function (control) {
      return control.name === name && kept(control);
    });
    if (!controls.length) return undefined;
    var first = controls[0];
    if (first.type === "checkbox" && controls.length === 1) return first.checked;
    if (first.type === "checkbox" || first.type === "radio" || first.multiple) {
      var chosen = [];
      controls.forEach(function (control) {
        if (control.multiple) {
          Array.prototype.forEach.call(control.selectedOptions, function (option) {
            chosen.push(option.value);
          });
        } else if (control.checked) {
          chosen.push(control.value);
        }
      });
      return chosen;
    }
    return first.value;
  }

  function setValue(name, value) {
    Array.prototype.forEach.call(form.elements, function (control) {
      if (control.name !== name || !kept(control)) return;
      if (control.type === "checkbox" && typeof value === "boolean") {
        control.checked = value;
      } else if (control.type === "checkbox" || control.type === "radio") {
        control.checked = Array.isArray(value) && value.indexOf(control.value) !== -1;
      } else if (control.multiple) {
        Array.prototype.forEach.call(control.options, function (option) {
          option.selected = Array.isArray(value) && value.indexOf(option.value) !== -1;
        });
      } else if (typeof value === "string") {
        control.value = value;
      } else {
        return;
      }
      // Counters, hints and steps follow the restored value as if it had been typed.
      control.dispatchEvent(new Event("input", { bubbles: true }));
      control.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  var draft = read();
  var restoring = false;

  function save(event) {
    var control = event && event.target;
    if (restoring || !control || control.form !== form || !kept(control)) return;
    draft.fields[control.name] = valueOf(control.name);
    try {
      storage.setItem(KEY, JSON.stringify(draft));
    } catch (error) {
      // Storage full: the form itself keeps working.
    }
  }

  function forget() {
    draft = { fields: {} };
    storage.removeItem(KEY);
  }

  function showRestored() {
    if (!script || !script.dataset.restored) return;
    var notice = document.createElement("div");
    notice.className = "notice draft-notice";
    notice.setAttribute("role", "status");
    var words = document.createElement("p");
    words.textContent = script.dataset.restored;
    var again = document.createElement("button");
    again.type = "button";
    again.className = "button button--secondary button--small";
    again.textContent = script.dataset.forget;
    again.addEventListener("click", function () {
      form.reset();
      restoring = true; // counters and steps follow the empty form; the draft does not
      Array.prototype.forEach.call(form.elements, function (control) {
        if (kept(control)) control.dispatchEvent(new Event("input", { bubbles: true }));
      });
      restoring = false;
      forget();
      notice.parentNode.removeChild(notice);
    });
    notice.appendChild(words);
    notice.appendChild(again);
    form.parentNode.insertBefore(notice, form);
  }

  // A form the server sent back (with its messages) holds what was sent: it wins, and the
  // draft goes on from there. A fresh form gets the draft back.
  var sentBack = document.getElementById("error-summary") || document.getElementById("form-notice");
  var names = Object.keys(draft.fields);
  if (!sentBack && names.length) {
    restoring = true;
    names.forEach(function (name) {
      setValue(name, draft.fields[name]);
    });
    restoring = false;
    showRestored();
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  document.addEventListener("story-sent", forget);
})();
