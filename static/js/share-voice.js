// The share form's recorder: record in the browser (MediaRecorder), pause and go on,
// listen back, record again, with a level meter and the time limit; and, when the voice
// is to be masked, hear it masked before sending (the server masks it, stores nothing).
// The recording is put into the form's file field, so the form sends it as an upload
// (and share-photo.js sends it with everything else). Without this file, or without a
// microphone, the file field works as it is.
(function () {
  "use strict";

  var field = document.getElementById("voice-field");
  var input = document.getElementById("voice");
  if (!field || !input || !window.MediaRecorder || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia || !window.DataTransfer) {
    return;
  }
  var text = field.dataset;
  var maxSeconds = parseInt(text.maxSeconds, 10) || 300;
  var mask = document.getElementById("mask_voice");
  var TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
  var type = TYPES.filter(function (candidate) {
    return MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(candidate);
  })[0] || "";

  function element(tag, className, content) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (content) made.textContent = content;
    return made;
  }
  function button(label, className) {
    var made = element("button", "button " + (className || "button--secondary"), label);
    made.type = "button";
    return made;
  }
  function clock(seconds) {
    var whole = Math.floor(seconds);
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  var box = element("div", "recorder");
  var start = button(text.record, "button");
  var pause = button(text.pause);
  var stop = button(text.stop);
  var again = button(text.again);
  var preview = button(text.hearMasked);
  var meterLabel = element("label", "recorder__meter-label", text.level);
  var meter = element("meter", "recorder__meter");
  meter.id = "voice-level";
  meter.min = 0;
  meter.max = 1;
  meter.value = 0;
  meterLabel.htmlFor = meter.id;
  var time = element("p", "recorder__time");
  var status = element("p", "recorder__status");
  status.setAttribute("role", "status");
  var listen = element("audio", "voice-player");
  listen.controls = true;
  listen.id = "voice-listen";
  listen.setAttribute("aria-label", text.listen);
  var masked = element("audio", "voice-player");
  masked.controls = true;
  masked.id = "voice-masked";
  masked.setAttribute("aria-label", text.hearMasked);
  [pause, stop, again, preview, meterLabel, meter, listen, masked].forEach(function (part) {
    part.hidden = true;
  });
  [start, pause, stop, again, preview, meterLabel, meter, time, status, listen, masked].forEach(
    function (part) { box.appendChild(part); });
  field.insertBefore(box, field.querySelector(".file-input"));

  var recorder = null;
  var stream = null;
  var chunks = [];
  var elapsed = 0;
  var since = 0;
  var ticking = null;
  var audio = null;
  var recordingUrl = null;
  var maskedUrl = null;

  function seconds() {
    return elapsed + (recorder && recorder.state === "recording" ? (Date.now() - since) / 1000 : 0);
  }
  function showTime() {
    time.textContent = text.time.replace("{elapsed}", clock(seconds()))
      .replace("{limit}", clock(maxSeconds));
    if (seconds() >= maxSeconds && recorder && recorder.state !== "inactive") {
      status.textContent = text.limitReached;
      recorder.stop();
    }
  }
  function level(analyser, samples) {
    if (!recorder || recorder.state === "inactive") {
      meter.value = 0;
      return;
    }
    analyser.getFloatTimeDomainData(samples);
    var sum = 0;
    for (var i = 0; i < samples.length; i += 1) sum += samples[i] * samples[i];
    meter.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
    window.requestAnimationFrame(function () { level(analyser, samples); });
  }
  function release() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    if (audio) audio.close();
    stream = null;
    audio = null;
    window.clearInterval(ticking);
  }
  function keep(blob) {
    var extension = /mp4/.test(blob.type) ? "m4a" : /ogg/.test(blob.type) ? "ogg" : "webm";
    var file = new File([blob], "recording." + extension, { type: blob.type });
    var files = new DataTransfer();
    files.items.add(file);
    input.files = files.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (recordingUrl) URL.revokeObjectURL(recordingUrl);
    recordingUrl = URL.createObjectURL(blob);
    listen.src = recordingUrl;
    listen.hidden = false;
    again.hidden = false;
    preview.hidden = !(mask && mask.checked);
    status.textContent = text.ready;
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (granted) {
      stream = granted;
      chunks = [];
      elapsed = 0;
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) chunks.push(event.data);
      });
      recorder.addEventListener("stop", function () {
        elapsed = Math.min(maxSeconds, seconds());
        release();
        keep(new Blob(chunks, { type: recorder.mimeType || type || "audio/webm" }));
        [pause, stop, meter, meterLabel].forEach(function (part) { part.hidden = true; });
        start.hidden = true;
      });
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context) {
        audio = new Context();
        var analyser = audio.createAnalyser();
        analyser.fftSize = 1024;
        audio.createMediaStreamSource(stream).connect(analyser);
        meter.hidden = meterLabel.hidden = false;
        window.requestAnimationFrame(function () {
          level(analyser, new Float32Array(analyser.fftSize));
        });
      }
      recorder.start(1000);
      since = Date.now();
      ticking = window.setInterval(showTime, 250);
      showTime();
      start.hidden = true;
      pause.hidden = stop.hidden = false;
      pause.textContent = text.pause;
      listen.hidden = masked.hidden = again.hidden = preview.hidden = true;
      status.textContent = text.recording;
    }).catch(function () {
      status.textContent = text.noMicrophone;
    });
  });

  pause.addEventListener("click", function () {
    if (recorder.state === "recording") {
      elapsed = seconds();
      recorder.pause();
      pause.textContent = text.resume;
      status.textContent = text.paused;
    } else if (recorder.state === "paused") {
      recorder.resume();
      since = Date.now();
      pause.textContent = text.pause;
      status.textContent = text.recording;
      window.requestAnimationFrame(function () { showTime(); });
    }
  });

  stop.addEventListener("click", function () {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  });

  again.addEventListener("click", function () {
    input.value = "";
    listen.hidden = masked.hidden = again.hidden = preview.hidden = true;
    start.hidden = false;
    elapsed = 0;
    showTime();
    status.textContent = "";
    start.click();
  });

  if (mask) {
    mask.addEventListener("change", function () {
      preview.hidden = !(mask.checked && input.files && input.files.length);
      masked.hidden = true;
    });
  }

  preview.addEventListener("click", function () {
    var file = input.files && input.files[0];
    if (!file) return;
    var data = new FormData();
    data.append("voice", file, file.name);
    data.append("csrf_token", input.form.elements.csrf_token.value);
    status.textContent = text.preparing;
    preview.disabled = true;
    fetch(text.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) return response.blob();
        return response.json().then(function (body) { throw new Error(body.error || text.failed); });
      })
      .then(function (blob) {
        if (maskedUrl) URL.revokeObjectURL(maskedUrl);
        maskedUrl = URL.createObjectURL(blob);
        masked.src = maskedUrl;
        masked.hidden = false;
        status.textContent = text.maskedReady;
      })
      .catch(function (error) { status.textContent = error.message || text.failed; })
      .then(function () { preview.disabled = false; });
  });

  input.addEventListener("change", function () {
    if (!recordingUrl || !input.files.length || input.files[0].name.indexOf("recording.") !== 0) {
      preview.hidden = !(mask && mask.checked && input.files.length);
    }
  });
  showTime();
})();
