// The top bar: who is logged in, presence 在线/离开, load "2/3", connection state,
// notifications, logout; and the toast line for short messages.

import { $ } from "./dom.js";
import { api } from "./api.js";
import { ROLES, PRESENCE } from "./labels.js";
import { store, on, isTrainer, myLoad } from "./store.js";
import { send, disconnect } from "./socket.js";
import { initNotifyButton } from "./alerts.js";

let toastTimer = 0;

/** A short message in the toast line; errors stay a little longer. */
export function toast(text, kind = "info") {
  const box = $("toast");
  box.textContent = text;
  box.className = "toast toast--" + kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 8000 : 5000);
}

export function renderMe() {
  const me = store.me;
  if (!me) return;
  $("me-name").textContent = me.work_name;
  $("me-role").textContent = ROLES[me.role] || me.role;
  $("me-role").dataset.role = me.role;
  document.body.dataset.role = me.role;
  const trainer = isTrainer();
  $("presence").hidden = trainer;
  $("load").hidden = trainer;
  $("notify-enable").hidden = trainer; // trainers are never alerted
  renderPresence();
  renderLoad();
}

export function renderPresence(serverStatus) {
  const status = serverStatus || store.presence;
  for (const btn of $("presence").querySelectorAll("button[data-status]")) {
    btn.setAttribute("aria-pressed", String(btn.dataset.status === store.presence));
  }
  const note = $("presence-note");
  note.textContent = status === "idle" ? PRESENCE.idle : "";
  note.hidden = status !== "idle";
}

export function renderLoad() {
  const load = myLoad();
  const max = store.maxChats;
  const node = $("load-value");
  node.textContent = max ? load + "/" + max : String(load);
  $("load").classList.toggle("load--full", Boolean(max && load >= max));
}

const CONN = {
  connecting: ["连接中…", "connecting"],
  open: ["已连接", "ok"],
  down: ["连接已断开，正在重连…", "down"],
};

function renderConn(state) {
  const [text, kind] = CONN[state] || CONN.connecting;
  const node = $("conn");
  node.textContent = text;
  node.dataset.state = kind;
}

async function setPresence(status) {
  if (isTrainer() || (status !== "online" && status !== "away")) return;
  store.presence = status;
  renderPresence();
  if (!send({ type: "presence", status })) {
    const result = await api.post("/api/agent/presence", { status });
    if (!result.ok) toast("切换状态失败：" + result.message, "error");
  }
}

export function initHeader() {
  initNotifyButton();
  for (const btn of $("presence").querySelectorAll("button[data-status]")) {
    btn.addEventListener("click", () => setPresence(btn.dataset.status));
  }
  $("logout").addEventListener("click", async () => {
    $("logout").disabled = true;
    disconnect();
    await api.post("/api/agent/logout", {});
    location.assign("/agent/login");
  });
  on("conn", renderConn);
  on("frame:presence", (frame) => {
    if (frame.status === "online" || frame.status === "away") store.presence = frame.status;
    renderPresence(frame.status);
  });
  on("handoffs", renderLoad);
  renderConn("connecting");
}
