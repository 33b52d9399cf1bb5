// Getting an agent's attention: a short beep (WebAudio, no audio file), a browser
// Notification when permitted, and a flashing tab title until the tab is looked at.

import { $ } from "./dom.js";

let baseTitle = document.title;
let audio = null;
let flashTimer = 0;
let flashStop = 0;

/** The normal title, e.g. "(2) 客服工作台" with the number waiting. */
export function setBaseTitle(title) {
  baseTitle = title;
  if (!flashTimer) document.title = baseTitle;
}

// Browsers only let a page make sound after a user gesture: create/resume the context then.
function unlockAudio() {
  try {
    if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume().catch(() => {});
  } catch (err) {
    audio = null;
  }
}
window.addEventListener("pointerdown", unlockAudio, { capture: true });
window.addEventListener("keydown", unlockAudio, { capture: true });

/** Two short tones. Silent when the browser does not allow audio yet. */
export function beep() {
  if (!audio || audio.state !== "running") return;
  const start = audio.currentTime;
  [[880, 0], [1175, 0.18]].forEach(([frequency, offset]) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.15);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.16);
  });
}

/** A system notification, when the agent allowed them. */
export function notify(title, body, tag, onClick) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const n = new Notification(title, { body, tag, lang: "zh-CN" });
    n.addEventListener("click", () => {
      window.focus();
      n.close();
      if (onClick) onClick();
    });
  } catch (err) {
    // Some platforms only allow notifications from a service worker: the beep and title remain.
  }
}

/** Alternate the tab title with `text` until the agent looks at the tab. */
export function flashTitle(text) {
  stopFlash();
  let on = true;
  document.title = text;
  flashTimer = setInterval(() => {
    on = !on;
    document.title = on ? text : baseTitle;
  }, 1000);
  // Already looking at it: a few seconds are enough.
  if (document.visibilityState === "visible" && document.hasFocus()) {
    flashStop = setTimeout(stopFlash, 6000);
  }
}

function stopFlash() {
  clearInterval(flashTimer);
  clearTimeout(flashStop);
  flashTimer = 0;
  document.title = baseTitle;
}

window.addEventListener("focus", stopFlash);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") flashStop = setTimeout(stopFlash, 3000);
});

/** The "开启提醒" button: asks for Notification permission on click. */
export function initNotifyButton() {
  const btn = $("notify-enable");
  const render = () => {
    if (!("Notification" in window)) {
      btn.textContent = "浏览器不支持提醒";
      btn.disabled = true;
    } else if (Notification.permission === "granted") {
      btn.textContent = "提醒已开启";
      btn.disabled = true;
      btn.setAttribute("aria-pressed", "true");
    } else if (Notification.permission === "denied") {
      btn.textContent = "提醒已被浏览器禁止";
      btn.title = "请在浏览器的网站设置中允许通知";
      btn.disabled = true;
    } else {
      btn.textContent = "开启提醒";
      btn.disabled = false;
    }
  };
  btn.addEventListener("click", async () => {
    unlockAudio();
    if (!("Notification" in window)) return;
    try { await Notification.requestPermission(); } catch (err) { /* old API: ignore */ }
    render();
    beep(); // let the agent hear what a new handoff sounds like
  });
  render();
}
