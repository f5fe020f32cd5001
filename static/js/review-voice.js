// The review page's player for transcribing: play/pause, back 5 seconds and a speed
// from 1 to 2 times, with buttons and with keys that work while the transcript is
// being typed (Esc, F2, F3, F4, as transcription tools have them). Without this
// script the browser's own player is there.
(() => {
  "use strict";
  const box = document.querySelector("[data-voice-controls]");
  const player = document.getElementById("review-player");
  if (!box || !player) {
    return;
  }
  const controls = box.querySelector(".voice-controls");
  const keys = box.querySelector(".voice-keys");
  const play = box.querySelector("[data-voice-play]");
  const speed = box.querySelector("[data-voice-speed]");
  controls.hidden = false;
  keys.hidden = false;

  const SPEEDS = [...speed.options].map((option) => Number(option.value));
  const toggle = () => (player.paused ? player.play() : player.pause());
  const back = () => { player.currentTime = Math.max(0, player.currentTime - 5); };
  const setSpeed = (value) => {
    player.playbackRate = value;
    speed.value = String(value);
  };
  const step = (direction) => {
    const index = SPEEDS.indexOf(player.playbackRate);
    const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (index < 0 ? 0 : index) + direction))];
    setSpeed(next);
  };
  const label = () => { play.textContent = player.paused ? play.dataset.play : play.dataset.pause; };

  play.addEventListener("click", toggle);
  box.querySelector("[data-voice-back]").addEventListener("click", back);
  speed.addEventListener("change", () => setSpeed(Number(speed.value)));
  player.addEventListener("play", label);
  player.addEventListener("pause", label);
  player.addEventListener("ratechange", () => { speed.value = String(player.playbackRate); });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) {
      return;
    }
    const action = { Escape: toggle, F2: back, F3: () => step(-1), F4: () => step(1) }[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
})();
