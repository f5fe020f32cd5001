// Enhancements for the share and edit forms; everything works without them.
(function () {
  "use strict";

  var lang = document.documentElement.lang || "en";
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  // Latin digits, as the server writes numbers (Babel's default numbering system).
  var numbers = window.Intl ? new Intl.NumberFormat(lang, { numberingSystem: "latn" }) : null;

  // A message chosen by plural category: {"one": "{count} character", "other": ...}.
  var plural = function (templates, count) {
    var category = plurals ? plurals.select(count) : count === 1 ? "one" : "other";
    var template = templates[category] || templates.other || "";
    return template.replace("{count}", numbers ? numbers.format(count) : String(count));
  };

  // Characters as the server counts them: code points of the trimmed text.
  var length = function (text) {
    return Array.from(text.trim()).length;
  };

  // The counter under the story: silent until the first keystroke, then how many more
  // are needed, how many there are, or how many are left near the limit. Screen readers
  // hear it once typing pauses, not at every key.
  var body = document.getElementById("body");
  var count = document.getElementById("body-count");
  var live = document.getElementById("body-count-live");
  if (body && count && count.dataset.messages) {
    var messages = JSON.parse(count.dataset.messages);
    var min = parseInt(body.dataset.min || "0", 10);
    var max = parseInt(body.dataset.max || "0", 10);
    var pause = null;
    var update = function () {
      var typed = length(body.value);
      var state = "enough";
      var text;
      if (typed < min) {
        state = "short";
        text = plural(messages.needed, min - typed);
      } else if (max && typed > max) {
        state = "over";
        text = plural(messages.count, typed);
      } else if (max && typed >= max * 0.9) {
        state = "near";
        text = plural(messages.left, max - typed);
      } else {
        text = plural(messages.count, typed);
      }
      count.textContent = text;
      count.dataset.state = state;
      count.hidden = false;
      if (live) {
        window.clearTimeout(pause);
        pause = window.setTimeout(function () {
          live.textContent = text;
        }, 1500);
      }
    };
    body.addEventListener("input", update);
    if (body.value.trim()) {
      update(); // the form came back with the story in it
    }
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

  // A question shown only when another answer makes it matter.
  var showWhen = function (field, visible) {
    var wrapper = field && field.closest(".field");
    if (!wrapper) {
      return;
    }
    var toggle = function () {
      wrapper.hidden = !visible();
    };
    toggle();
    return toggle;
  };
  var onBehalf = document.getElementById("on_behalf");
  var relationship = document.getElementById("helper_relationship");
  if (onBehalf && relationship) {
    var toggleRelationship = showWhen(relationship, function () {
      return onBehalf.checked || !!relationship.value;
    });
    onBehalf.addEventListener("change", toggleRelationship);
  }
  // No name to ask for when the storyteller stays anonymous (what was typed stays in
  // the field, in case they change their mind).
  var authorName = document.getElementById("author_name");
  var anonymous = document.querySelector("input[name=name_display][value=anonymous]");
  if (authorName && anonymous) {
    var toggleName = showWhen(authorName, function () {
      return !anonymous.checked;
    });
    document.querySelectorAll("input[name=name_display]").forEach(function (radio) {
      radio.addEventListener("change", toggleName);
    });
  }

  var form = document.querySelector("form[data-steps]");
  var steps = form ? Array.prototype.slice.call(form.querySelectorAll(".step")) : [];

  // --- Checks before each step, with the server's rules and words (data-checks) ---
  var checks = form && form.dataset.checks ? JSON.parse(form.dataset.checks) : {};

  var valueOf = function (name) {
    var checked = form.querySelector("input[name='" + name + "']:checked");
    if (checked) {
      return checked.value;
    }
    var element = form.elements.namedItem(name);
    return element && element.type !== "checkbox" && element.type !== "radio" ? element.value : "";
  };
  var filled = function (element) {
    if (element.tagName === "FIELDSET") {
      return !!element.querySelector("input:checked");
    }
    if (element.type === "checkbox") {
      return element.checked;
    }
    return element.value.trim() !== "";
  };
  var problemWith = function (id, rule) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    if (rule.unless && valueOf(rule.unless[0]) === rule.unless[1]) {
      return null;
    }
    if (rule.when && !valueOf(rule.when)) {
      return null;
    }
    var value = element.value === undefined ? "" : String(element.value);
    if (rule.required && !filled(element)) {
      return rule.required;
    }
    if (rule.min !== undefined && length(value) < rule.min) {
      return rule.too_short;
    }
    if (rule.max !== undefined && length(value) > rule.max) {
      return rule.too_long;
    }
    if (rule.range && value.trim()) {
      var year = Number(value);
      if (!Number.isInteger(year) || year < rule.range[0] || year > rule.range[1]) {
        return rule.range_message;
      }
    }
    if (rule.email && value.trim() && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value.trim())) {
      return rule.email;
    }
    if (rule.needs && element.checked && !document.getElementById(rule.needs[0]).value.trim()) {
      return rule.needs[1];
    }
    return null;
  };
  // The same markup as the server's (templates/_forms.html), added or taken away.
  var mark = function (id, message) {
    var element = document.getElementById(id);
    var wrapper = element.closest(".field");
    var error = document.getElementById(id + "-error");
    var describedBy = (element.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter(function (token) {
        return token && token !== id + "-error";
      });
    if (message) {
      if (!error) {
        error = document.createElement("p");
        error.className = "error";
        error.id = id + "-error";
        var hint = document.getElementById(id + "-hint");
        var after = hint || wrapper.querySelector(".label, legend, .checkbox");
        if (after && after.parentNode === wrapper && element.tagName !== "FIELDSET") {
          wrapper.insertBefore(error, after.nextSibling);
        } else if (element.tagName === "FIELDSET") {
          wrapper.insertBefore(error, (hint || wrapper.querySelector("legend")).nextSibling);
        } else {
          wrapper.insertBefore(error, wrapper.firstChild);
        }
      }
      error.textContent = message;
      describedBy.push(id + "-error");
      if (element.tagName !== "FIELDSET") {
        element.setAttribute("aria-invalid", "true");
      }
    } else {
      if (error) {
        error.parentNode.removeChild(error);
      }
      element.removeAttribute("aria-invalid");
    }
    wrapper.classList.toggle("field--error", !!message);
    if (describedBy.length) {
      element.setAttribute("aria-describedby", describedBy.join(" "));
    } else {
      element.removeAttribute("aria-describedby");
    }
  };
  // Checks the fields of one step; marks each; returns the first field in trouble.
  var checkStep = function (step) {
    var first = null;
    var inStep = Object.keys(checks).filter(function (id) {
      var element = document.getElementById(id);
      return element && step.contains(element);
    });
    // In the order of the page, so that focus goes to the first field to fix.
    inStep.sort(function (a, b) {
      var position = document.getElementById(a).compareDocumentPosition(document.getElementById(b));
      return position & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
    inStep.forEach(function (id) {
      var element = document.getElementById(id);
      var message = problemWith(id, checks[id]);
      mark(id, message);
      if (message && !first) {
        first = element;
      }
    });
    return first;
  };
  var focusField = function (element) {
    var target = element.tagName === "FIELDSET" ? element.querySelector("input") : element;
    target.focus();
  };

  // --- Steps ---
  if (form && steps.length > 1) {
    var current = 0;
    var show = function (index, moveFocus) {
      current = index;
      steps.forEach(function (step, number) {
        step.hidden = number !== index;
      });
      if (moveFocus) {
        steps[index].querySelector(".step__heading").focus();
      }
    };
    var stepOf = function (element) {
      for (var number = 0; number < steps.length; number += 1) {
        if (steps[number].contains(element)) {
          return number;
        }
      }
      return -1;
    };
    var next = function () {
      var trouble = checkStep(steps[current]);
      if (trouble) {
        focusField(trouble);
        return;
      }
      show(current + 1, true);
    };

    form.classList.add("form--steps");
    form.querySelectorAll(".step__number, [data-step-next], [data-step-back]").forEach(function (
      element,
    ) {
      element.hidden = false;
    });
    form.querySelectorAll("[data-step-next]").forEach(function (button) {
      button.addEventListener("click", next);
    });
    form.querySelectorAll("[data-step-back]").forEach(function (button) {
      button.addEventListener("click", function () {
        show(current - 1, true);
      });
    });

    // Enter in a field of an early step means "next", never "send unchecked".
    // Registered before the send-once guard below, which respects a cancelled submit.
    form.addEventListener("submit", function (event) {
      if (current < steps.length - 1) {
        event.preventDefault();
        next();
        return;
      }
      for (var number = 0; number < steps.length; number += 1) {
        var trouble = checkStep(steps[number]);
        if (trouble) {
          event.preventDefault();
          show(number, false);
          focusField(trouble);
          return;
        }
      }
    });

    // The error summary's links lead into the step that holds the field.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var target = link && document.getElementById(link.getAttribute("href").slice(1));
        if (target && stepOf(target) >= 0) {
          event.preventDefault();
          show(stepOf(target), false);
          focusField(target);
        }
      });
    }

    // After the server found something to fix, open the first step that has it.
    var firstError = form.querySelector(".field--error");
    show(firstError ? Math.max(stepOf(firstError), 0) : 0, false);
  }

  // --- A warning before leaving with words not yet sent ---
  if (form) {
    var typed = false;
    var sending = false;
    form.addEventListener("input", function (event) {
      var element = event.target;
      if (element.type === "file" || (element.value && element.value.trim())) {
        typed = true;
      }
    });
    form.addEventListener("submit", function (event) {
      if (!event.defaultPrevented) {
        sending = true;
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (typed && !sending) {
        event.preventDefault();
        event.returnValue = ""; // older browsers need a value to ask
      }
    });
  }

  // Never send the same form twice (the server refuses duplicates too).
  document.querySelectorAll("form[data-once]").forEach(function (once) {
    once.addEventListener("submit", function (event) {
      if (event.defaultPrevented) {
        return; // a step check stopped it: nothing was sent
      }
      if (once.dataset.sent) {
        event.preventDefault();
        return;
      }
      once.dataset.sent = "1";
      once.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("button--busy");
      });
    });
  });
})();
