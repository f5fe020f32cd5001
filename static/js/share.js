// Enhancements for the share and edit forms; everything works without them.
"use strict";
(() => {
  const byId = (id) => document.getElementById(id);
  const lang = document.documentElement.lang || "en";
  const plurals = new Intl.PluralRules(lang);
  // Latin digits, as the server writes numbers (Babel's default numbering system).
  const numbers = new Intl.NumberFormat(lang, { numberingSystem: "latn" });
  // templates: {"one": "{count} character", "other": "{count} characters", ...}
  const plural = (templates, count) =>
    (templates[plurals.select(count)] || templates.other).replace("{count}", numbers.format(count));
  // Characters as the server counts them: code points of the trimmed text.
  const length = (text) => Array.from(text.trim()).length;

  // The counter under the story: silent until the first keystroke, then how many more
  // are needed, how many there are, or how many are left near the limit. Screen
  // readers hear it when typing pauses, not at every key.
  const body = byId("body");
  const count = byId("body-count");
  const live = byId("body-count-live");
  if (body && count && count.dataset.messages) {
    const messages = JSON.parse(count.dataset.messages);
    const min = Number(body.dataset.min);
    const max = Number(body.dataset.max);
    let pause = null;
    const update = () => {
      const typed = length(body.value);
      let state = "enough";
      let text = plural(messages.count, typed);
      if (typed < min) {
        state = "short";
        text = plural(messages.needed, min - typed);
      } else if (typed > max) {
        state = "over";
      } else if (typed >= max * 0.9) {
        state = "near";
        text = plural(messages.left, max - typed);
      }
      count.textContent = text;
      count.dataset.state = state;
      count.hidden = false;
      clearTimeout(pause);
      pause = setTimeout(() => {
        live.textContent = text;
      }, 1500);
    };
    body.addEventListener("input", update);
    if (body.value.trim()) {
      update(); // the form came back with the story in it
    }
  }

  // A preview of the chosen photo (a data: URL, allowed by the page's policy).
  const photo = byId("photo");
  let preview = null;
  if (photo) {
    photo.addEventListener("change", () => {
      const file = photo.files && photo.files[0];
      if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type)) {
        if (preview) {
          preview.remove();
          preview = null;
        }
        return;
      }
      const reader = new FileReader();
      reader.onload = () => {
        // Made only now: an <img> without a source is not valid HTML.
        if (!preview) {
          preview = document.createElement("img");
          preview.id = "photo-preview";
          preview.className = "photo-preview";
          preview.alt = "";
          (photo.closest(".field") || photo).after(preview);
        }
        preview.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  // Questions shown only when another answer makes them matter. A hidden name keeps
  // what was typed, in case the storyteller changes their mind.
  const showWhen = (field, controls, visible) => {
    if (!field) {
      return;
    }
    const toggle = () => {
      field.closest(".field").hidden = !visible();
    };
    controls.forEach((control) => control.addEventListener("change", toggle));
    toggle();
  };
  const onBehalf = byId("on_behalf");
  const relationship = byId("helper_relationship");
  showWhen(relationship, [onBehalf], () => onBehalf.checked || !!relationship.value);
  const anonymous = document.querySelector("input[name=name_display][value=anonymous]");
  if (anonymous) {
    const radios = document.querySelectorAll("input[name=name_display]");
    showWhen(byId("author_name"), radios, () => !anonymous.checked);
  }

  // The recorder's script only once its section is opened (a small first visit).
  const voice = byId("voice-section");
  const recorder = () => {
    if (voice.open && !voice.dataset.loaded) {
      voice.dataset.loaded = "1";
      document.body.append(Object.assign(document.createElement("script"), { src: voice.dataset.recorder }));
    }
  };
  if (voice) {
    voice.addEventListener("toggle", recorder);
    recorder();
  }

  const form = document.querySelector("form[data-steps]");
  if (form) {
    steps(form);
    warnBeforeLeaving(form);
  }

  // Never send the same form twice (the server refuses duplicates too).
  document.querySelectorAll("form[data-once]").forEach((once) => {
    once.addEventListener("submit", (event) => {
      if (event.defaultPrevented) {
        return; // a step's check stopped it: nothing was sent
      }
      if (once.dataset.sent) {
        event.preventDefault();
        return;
      }
      once.dataset.sent = "1";
      once.querySelectorAll("button[type=submit]").forEach((button) => {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("button--busy");
      });
    });
  });

  // One step at a time, each checked with the server's rules and words (data-checks,
  // from the form class) before the next; the first step with an error is shown.
  function steps(form) {
    const sections = [...form.querySelectorAll(".step")];
    const checks = JSON.parse(form.dataset.checks || "{}");
    const valueOf = (name) => {
      const element = form.querySelector(`[name='${name}']:checked`) || form.elements[name];
      return element && (element.type !== "checkbox" || element.checked) ? element.value : "";
    };
    const problem = (element, rule) => {
      const value = (element.value || "").trim();
      if ((rule.unless && valueOf(rule.unless[0]) === rule.unless[1]) ||
          (rule.when && !valueOf(rule.when)) ||
          (rule.unless_any && rule.unless_any.some((name) => valueOf(name)))) {
        return null;
      }
      const filled = element.tagName === "FIELDSET" ? !!element.querySelector(":checked")
        : element.type === "checkbox" ? element.checked : value !== "";
      if (rule.required && !filled) {
        return rule.required;
      }
      if (rule.min && length(value) < rule.min) {
        return rule.too_short;
      }
      if (rule.max && length(value) > rule.max) {
        return rule.too_long;
      }
      const year = Number(value);
      if (rule.range && value && !(Number.isInteger(year) && year >= rule.range[0] && year <= rule.range[1])) {
        return rule.range_message;
      }
      if (rule.email && value && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
        return rule.email;
      }
      if (rule.needs && element.checked && !byId(rule.needs[0]).value.trim()) {
        return rule.needs[1];
      }
      return null;
    };
    // The same markup as the server's error (templates/_forms.html), added or removed.
    const mark = (element, message) => {
      const id = element.id;
      const wrapper = element.closest(".field");
      let error = byId(`${id}-error`);
      const described = (element.getAttribute("aria-describedby") || "").split(" ")
        .filter((token) => token && token !== `${id}-error`);
      if (message) {
        if (!error) {
          error = document.createElement("p");
          error.className = "error";
          error.id = `${id}-error`;
          const before = byId(`${id}-hint`) ||
            wrapper.querySelector(":scope > .label, :scope > legend, :scope > .checkbox");
          before.after(error);
        }
        error.textContent = message;
        described.push(error.id);
      } else if (error) {
        error.remove();
      }
      if (message && element.tagName !== "FIELDSET") {
        element.setAttribute("aria-invalid", "true");
      } else {
        element.removeAttribute("aria-invalid");
      }
      wrapper.classList.toggle("field--error", !!message);
      if (described.length) {
        element.setAttribute("aria-describedby", described.join(" "));
      } else {
        element.removeAttribute("aria-describedby");
      }
    };
    // Marks the fields of one step; returns the first to fix, in the page's order.
    const check = (section) => {
      let first = null;
      section.querySelectorAll("[id]").forEach((element) => {
        const rule = checks[element.id];
        if (rule) {
          const message = problem(element, rule);
          mark(element, message);
          first = first || (message && element);
        }
      });
      return first;
    };
    const focusField = (element) => (element.querySelector("input") || element).focus();
    const stepOf = (element) => sections.findIndex((section) => section.contains(element));
    let current = 0;
    const show = (index, heading) => {
      current = index;
      sections.forEach((section, number) => {
        section.hidden = number !== index;
      });
      if (heading) {
        sections[index].querySelector(".step__heading").focus();
      }
    };
    const next = () => {
      const trouble = check(sections[current]);
      if (trouble) {
        focusField(trouble);
      } else {
        show(current + 1, true);
      }
    };

    form.querySelectorAll(".step__number, [data-step-next], [data-step-back]").forEach((element) => {
      element.hidden = false;
    });
    form.querySelectorAll("[data-step-next]").forEach((button) => button.addEventListener("click", next));
    form.querySelectorAll("[data-step-back]").forEach((button) =>
      button.addEventListener("click", () => show(current - 1, true)));
    // Enter in a field of an early step means "next", never "send unchecked". Added
    // before the send-once guard, which leaves a cancelled submit alone.
    form.addEventListener("submit", (event) => {
      if (current < sections.length - 1) {
        event.preventDefault();
        next();
        return;
      }
      const number = sections.findIndex((section) => check(section));
      if (number >= 0) {
        event.preventDefault();
        show(number, false);
        focusField(check(sections[number]));
      }
    });
    // The error summary's links lead into the step that holds the field.
    const summary = byId("error-summary");
    if (summary) {
      summary.addEventListener("click", (event) => {
        const link = event.target.closest("a[href^='#']");
        const target = link && byId(link.getAttribute("href").slice(1));
        if (target && stepOf(target) >= 0) {
          event.preventDefault();
          show(stepOf(target), false);
          focusField(target);
        }
      });
    }
    // After the server found something to fix, the first step that has it.
    show(Math.max(stepOf(form.querySelector(".field--error")), 0), false);
  }

  // Asks before leaving a page with words typed and not sent.
  function warnBeforeLeaving(form) {
    let typed = false;
    let sending = false;
    form.addEventListener("input", (event) => {
      typed = typed || event.target.type === "file" || !!(event.target.value || "").trim();
    });
    form.addEventListener("submit", (event) => {
      sending = !event.defaultPrevented;
    });
    // The language links keep what was typed (share-draft.js brings it back on the
    // page in the other language): no question for them.
    let switchingLanguage = false;
    document.querySelectorAll(".language-list a").forEach((link) => {
      link.addEventListener("click", () => {
        switchingLanguage = true;
      });
    });
    window.addEventListener("beforeunload", (event) => {
      // A quick exit (quick-exit.js hides the page, then leaves) must never be held up.
      const quickExit = document.body.hidden;
      if (typed && !sending && !quickExit && !switchingLanguage) {
        event.preventDefault();
        event.returnValue = ""; // older browsers ask only when it is set
      }
    });
  }
})();
