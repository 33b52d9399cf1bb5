// The conversation pane (#conv): tabs of several open conversations, each with its own
// transcript (kept in the DOM while the tab is open), live messages from the socket,
// and the header with the conversation's state.

import { $, el, button } from "./dom.js";
import { api, convPath } from "./api.js";
import { reasonText, MODES, OUTCOMES } from "./labels.js";
import { store, on, emit, isMe, isTrainer, canAct, canAccept, handoffFor } from "./store.js";
import { messageNode, enrich } from "./transcript.js";
import { unread, acceptHandoff } from "./queue.js";
import { flashTitle } from "./alerts.js";

const convs = new Map(); // cid → {cid, handoff, data, ids: Map(message id → node), list, loaded}
let current = null;

export const currentConv = () => current;
export const getConv = (cid) => convs.get(cid) || null;

function newConv(cid) {
  const list = el("ol", {
    className: "transcript",
    attrs: { role: "log", "aria-live": "polite", "aria-label": "聊天记录", tabindex: "0" },
  });
  const conv = { cid, handoff: handoffFor(cid), data: null, ids: new Map(), list, loaded: false, refreshTimer: 0, stick: true };
  list.addEventListener("scroll", () => { conv.stick = nearBottom(list); }, { passive: true });
  convs.set(cid, conv);
  return conv;
}

const nearBottom = (list) => list.scrollHeight - list.scrollTop - list.clientHeight < 80;

/** Add one line (deduplicated by message_id); returns true when it was new. */
export function appendItem(conv, item) {
  const id = item.message_id;
  if (id !== undefined && id !== null && conv.ids.has(id)) {
    enrich(conv.ids.get(id), item);
    return false;
  }
  const stick = nearBottom(conv.list);
  const node = messageNode(item, { isMine: (it) => {
    const agent = (it.custom && it.custom.agent) || it.agent;
    return Boolean(agent && store.me && agent.work_name === store.me.work_name);
  } });
  // Keep server order: a late line goes before any line with a higher id.
  let before = null;
  if (typeof id === "number") {
    for (const [otherId, other] of conv.ids) {
      if (typeof otherId === "number" && otherId > id && (!before || Number(before.dataset.messageId) > otherId)) before = other;
    }
  }
  conv.list.insertBefore(node, before);
  if (id !== undefined && id !== null) conv.ids.set(id, node);
  if (item.text) store.lastText.set(conv.cid, (item.sender === "buyer" ? "买家：" : "") + item.text.slice(0, 60));
  if (stick) {
    conv.list.scrollTop = conv.list.scrollHeight;
    conv.stick = true;
  }
  return true;
}

async function load(conv) {
  const result = await api.get(convPath(conv.cid));
  if (!result.ok) {
    if (result.status !== 401) {
      conv.list.replaceChildren(el("li", { className: "msg msg--system load-error", text: "加载会话失败：" + result.message }));
    }
    return false;
  }
  const data = result.data;
  conv.data = data;
  const fresh = handoffFor(conv.cid);
  conv.handoff = fresh || data.handoff || conv.handoff;
  if (!conv.loaded) conv.list.replaceChildren();
  conv.loaded = true;
  for (const item of data.transcript || []) appendItem(conv, item);
  if (conv === current) {
    renderHead();
    conv.list.scrollTop = conv.list.scrollHeight;
  }
  emit("conv:data", conv);
  return true;
}

/** Fetch again a little later (NLU badges, slots and the order arrive after the line). */
function refreshSoon(conv, delay = 1200) {
  clearTimeout(conv.refreshTimer);
  conv.refreshTimer = setTimeout(() => { if (convs.has(conv.cid)) load(conv); }, delay);
}

// --- tabs

function tabLabel(conv) {
  const h = conv.handoff;
  return (h ? "#" + h.id + " " : "") + (h ? reasonText(h.reason) : "会话 " + conv.cid.slice(0, 6));
}

function renderTabs() {
  const tabs = $("conv-tabs");
  const nodes = [];
  for (const conv of convs.values()) {
    const selected = conv === current;
    const count = unread.get(conv.cid) || 0;
    const tab = el("button", {
      className: "conv-tab__open",
      type: "button",
      dataset: { conversationId: conv.cid },
      attrs: {
        role: "tab",
        "aria-selected": String(selected),
        "aria-controls": "conv-body",
        tabindex: selected ? "0" : "-1",
      },
      on: { click: () => select(conv.cid) },
    }, el("span", { text: tabLabel(conv) }),
    count ? el("span", { className: "badge unread", text: String(count), attrs: { "aria-label": count + " 条新消息" } }) : null);
    const ended = !conv.handoff || conv.handoff.state === "ended";
    const close = button("×", "conv-tab__close", () => closeTab(conv.cid), { "aria-label": "关闭标签 " + tabLabel(conv) });
    nodes.push(el("div", { className: "conv-tab" + (selected ? " is-selected" : "") + (ended ? " is-ended" : ""), attrs: { role: "presentation" } }, tab, close));
  }
  tabs.replaceChildren(...nodes);
  tabs.hidden = nodes.length === 0;
}

// Arrow keys move between tabs (roving tabindex).
function onTabKey(event) {
  if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
  const tabs = [...$("conv-tabs").querySelectorAll("[role=tab]")];
  const index = tabs.indexOf(document.activeElement);
  if (index < 0) return;
  event.preventDefault();
  const next = event.key === "Home" ? 0 : event.key === "End" ? tabs.length - 1
    : (index + (event.key === "ArrowRight" ? 1 : -1) + tabs.length) % tabs.length;
  tabs[next].focus();
  tabs[next].click();
}

// --- the pane

function stateText(conv) {
  const h = conv.handoff;
  if (h && h.state === "active") {
    const who = h.accepted_by ? h.accepted_by.work_name + (isMe(h.accepted_by) ? "（我）" : "") : "";
    return "人工接待中" + (who ? " · " + who : "");
  }
  if (h && h.state === "waiting") return "排队等待人工 · 尚未接入";
  if (h && h.state === "ended") return OUTCOMES[h.outcome] || "会话已结束";
  return MODES[conv.data && conv.data.mode] || "机器人接待中";
}

export function renderHead() {
  const conv = current;
  $("conv-empty").hidden = Boolean(conv);
  $("conv-body").hidden = !conv;
  if (!conv) return;
  const h = conv.handoff;
  $("conv-title").textContent = tabLabel(conv);
  const state = $("conv-state");
  state.textContent = stateText(conv);
  state.dataset.state = h ? h.state : "bot";
  const usable = canAct(h);
  const trainer = isTrainer();
  $("handback").hidden = trainer;
  $("close-conv").hidden = trainer;
  $("conv-accept").hidden = !(h && h.state === "waiting" && canAccept(h));
  $("handback").disabled = !usable;
  $("close-conv").disabled = !usable;
  emit("conv:state", { conv, usable });
}

export function select(cid) {
  const conv = convs.get(cid);
  if (!conv || conv === current) return;
  const previous = current;
  current = conv;
  store.openCid = cid;
  unread.delete(cid);
  $("transcript-holder").replaceChildren(conv.list);
  renderTabs();
  renderHead();
  conv.list.scrollTop = conv.list.scrollHeight;
  emit("conv:select", { conv, previous });
  emit("unread");
}

/** Open a conversation in a tab (or switch to it); loads its transcript. */
export async function openConversation(cid) {
  let conv = convs.get(cid);
  const isNew = !conv;
  if (isNew) {
    conv = newConv(cid);
    conv.list.append(el("li", { className: "msg msg--system loading", text: "正在加载聊天记录…" }));
  }
  select(cid);
  renderTabs();
  if (isNew) await load(conv);
  else refreshSoon(conv, 0);
  renderTabs();
  if (conv === current) emit("conv:focus", conv);
}

export function closeTab(cid) {
  const conv = convs.get(cid);
  if (!conv) return;
  const keys = [...convs.keys()];
  const index = keys.indexOf(cid);
  clearTimeout(conv.refreshTimer);
  convs.delete(cid);
  emit("conv:closed", conv);
  if (current === conv) {
    current = null;
    store.openCid = null;
    const next = keys[index + 1] || keys[index - 1];
    if (next && convs.has(next)) select(next);
    else {
      $("transcript-holder").replaceChildren();
      renderHead();
      emit("conv:select", { conv: null, previous: conv });
    }
  }
  renderTabs();
  emit("unread");
}

// --- live updates

function onMessage(frame) {
  const cid = frame.conversation_id;
  const conv = convs.get(cid);
  const item = { ...frame, created_at: frame.created_at || new Date().toISOString() };
  if (conv) {
    const added = appendItem(conv, item);
    if (added && frame.sender === "buyer") {
      refreshSoon(conv);
      if (conv !== current) unread.set(cid, (unread.get(cid) || 0) + 1);
    }
  } else if (frame.sender === "buyer") {
    unread.set(cid, (unread.get(cid) || 0) + 1);
    if (frame.text) store.lastText.set(cid, "买家：" + frame.text.slice(0, 60));
  } else if (frame.text) {
    store.lastText.set(cid, frame.text.slice(0, 60));
  }
  if (frame.sender === "buyer" && (document.visibilityState !== "visible" || conv !== current)) {
    const h = handoffFor(cid);
    if (h && isMe(h.accepted_by)) flashTitle("【买家新消息】客服工作台");
  }
  emit("unread");
}

function onHandoff({ event, view }) {
  const conv = convs.get(view.conversation_id);
  if (!conv) return;
  const was = conv.handoff;
  conv.handoff = view;
  if (event === "taken_over" && was && isMe(was.accepted_by) && !isMe(view.accepted_by)) {
    const name = view.accepted_by ? view.accepted_by.work_name : "";
    const who = !name || name === "主管" ? "主管" : "主管（" + name + "）";
    appendItem(conv, { sender: "system", text: who + "已接管此会话，您现在只能查看。" });
  }
  if (view.state === "ended" && (!was || was.state !== "ended")) {
    appendItem(conv, { sender: "system", text: OUTCOMES[view.outcome] || "会话已结束" });
  }
  renderTabs();
  if (conv === current) renderHead();
}

function onHello() {
  // Reconnected: catch up on every open conversation.
  for (const conv of convs.values()) {
    conv.handoff = handoffFor(conv.cid) || conv.handoff;
    load(conv);
  }
  renderTabs();
  if (current) renderHead();
}

export function initConversation() {
  // The etiquette box or the composer grows: keep the newest line in view.
  new ResizeObserver(() => {
    if (current && current.stick) current.list.scrollTop = current.list.scrollHeight;
  }).observe($("transcript-holder"));
  $("conv-tabs").addEventListener("keydown", onTabKey);
  on("frame:message", onMessage);
  on("handoff", onHandoff);
  on("hello", onHello);
  on("unread", renderTabs);
  $("conv-accept").addEventListener("click", () => {
    if (!current || !current.handoff) return;
    acceptHandoff(current.handoff.id, $("conv-accept"));
  });
  renderHead();
}
