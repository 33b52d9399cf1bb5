// 客服工作台: wires the modules together. The shell is already on screen (console.html);
// /api/agent/me and the socket start in parallel, nothing blocks the first paint.

import { $ } from "./dom.js";
import { api, setCsrfToken } from "./api.js";
import { store, on, isTrainer } from "./store.js";
import { connect, send } from "./socket.js";
import { initHeader, renderMe, renderLoad, toast } from "./header.js";
import { initQueue, renderLists, setOpener } from "./queue.js";
import { initConversation, openConversation, renderHead } from "./conversation.js";
import { initFacts } from "./facts.js";
import { initComposer } from "./composer.js";
import { initActions } from "./actions.js";
import { initEtiquette } from "./etiquette.js";
import { initCanned } from "./canned.js";
import { initReference } from "./reference.js";
import { initSupervisor, enableSupervisor, showDesk } from "./supervisor.js";
import { initDashboard, enableDashboard } from "./dashboard.js";
import { initTrainer, enableTrainer } from "./trainer.js";

let roleApplied = null;

function applyRole() {
  if (!store.me) return;
  renderMe();
  enableSupervisor();
  enableDashboard();
  enableTrainer();
  if (roleApplied !== store.me.role) {
    roleApplied = store.me.role;
    renderLists();
    renderHead();
    if (isTrainer()) toast("只读模式：训练师可以查看排队、会话和快捷回复，但不能操作。");
  }
}

async function loadMe() {
  const result = await api.get("/api/agent/me");
  if (!result.ok) {
    if (result.status !== 401) toast("读取账号信息失败：" + result.message, "error");
    setCsrfToken(null);
    return;
  }
  const data = result.data;
  setCsrfToken(data.csrf_token);
  store.me = { ...(store.me || {}), ...data.agent };
  store.maxChats = data.max_chats ?? null;
  // The server keeps the chosen status (online/away) while the gateway runs.
  if (!store.presence) store.presence = data.presence === "away" ? "away" : "online";
  applyRole();
  renderLoad();
}

function init() {
  initHeader();
  initQueue();
  setOpener((cid) => { showDesk(); openConversation(cid); });
  initConversation();
  initFacts();
  initComposer();
  initActions();
  initEtiquette();
  initCanned();
  initSupervisor();
  initDashboard();
  initTrainer();
  on("hello", () => {
    applyRole();
    // Restore the chosen status after a reconnect (a restarted gateway forgets it).
    if (store.presence && !isTrainer()) send({ type: "presence", status: store.presence });
  });
  connect();
  loadMe();
  initReference();
  $("app").dataset.ready = "true";
}

init();
