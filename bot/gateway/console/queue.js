// The queue (#waiting-list) with its live 30-second countdown, and the lists of
// conversations with a person (#active-list: mine; #others-list: everyone else's, for
// supervisors). Owns the handoff frames of the socket.

import { $, el, button, duration } from "./dom.js";
import { api } from "./api.js";
import { reasonText, sentimentLabel, intentText, slotText } from "./labels.js";
import {
  store, on, emit, upsertHandoff, waitingViews, activeViews, isMe, isSupervisor, isTrainer, canAccept,
} from "./store.js";
import { beep, notify, flashTitle, setBaseTitle } from "./alerts.js";
import { toast } from "./header.js";

const TITLE = "客服工作台 · 悦衣小铺";
const errors = new Map(); // handoff id → the last refusal, shown on its card
const alerted = new Set(); // "id:kind" already announced
const lastAlert = new Map(); // handoff id → when it last beeped (new + assigned come together)

export const unread = new Map(); // conversation id → buyer messages not seen yet

let openConversation = () => {};

/** Set by main.js: how to open a conversation in the pane. */
export function setOpener(fn) { openConversation = fn; }

// --- timing (server seconds, corrected by the time since the view arrived: clock-skew safe)

function timing(entry, now = Date.now()) {
  const view = entry.view;
  const elapsed = (now - entry.at) / 1000;
  const waited = Number(view.seconds_waiting || 0) + elapsed;
  const left = Number(view.seconds_left || 0) - elapsed;
  const start = Date.parse(view.triggered_at);
  const amberAt = (Date.parse(view.offer_all_at) - start) / 1000 || 15;
  const redAt = (Date.parse(view.window_ends_at) - start) / 1000 || 30;
  const level = waited >= redAt ? "red" : waited >= amberAt ? "amber" : "";
  return { waited, left, level };
}

function paintCountdown(node, entry, now) {
  const { waited, left, level } = timing(entry, now);
  node.textContent = left > 0 ? "剩 " + Math.ceil(left) + " 秒" : "超时 " + Math.floor(-left) + " 秒";
  node.classList.toggle("amber", level === "amber");
  node.classList.toggle("red", level === "red");
  node.setAttribute("aria-label", left > 0
    ? "接入时限还剩 " + Math.ceil(left) + " 秒"
    : "已超出 30 秒接入时限");
  const waitedNode = node.closest(".queue-item")?.querySelector(".waited");
  if (waitedNode) waitedNode.textContent = "已等 " + duration(waited);
}

function tick() {
  const now = Date.now();
  for (const node of document.querySelectorAll(".countdown[data-handoff-id]")) {
    const entry = store.handoffs.get(Number(node.dataset.handoffId));
    if (entry) paintCountdown(node, entry, now);
  }
  for (const node of document.querySelectorAll("[data-since]")) {
    const since = Date.parse(node.dataset.since);
    if (since) node.textContent = node.dataset.prefix + duration((now - since) / 1000);
  }
}

// --- rendering

export function sentimentBadge(sentiment) {
  if (!sentiment || !sentiment.label) return null;
  const conf = Number(sentiment.confidence);
  const text = sentimentLabel(sentiment.label) + (Number.isFinite(conf) ? " " + Math.round(conf * 100) + "%" : "");
  return el("span", {
    className: "badge sentiment",
    text,
    dataset: { label: sentiment.label },
    attrs: { title: "买家情绪" },
  });
}

function slotSummary(slots) {
  return Object.entries(slots || {})
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([name, value]) => slotText(name) + "：" + value)
    .join(" · ");
}

function assignedText(view) {
  if (view.stage === "offered_to_all" || view.stage === "window_missed") return "全员可接";
  if (!view.assigned_agent) return "待分配";
  return "分配给 " + view.assigned_agent.work_name + (isMe(view.assigned_agent) ? "（我）" : "");
}

function queueItem(entry) {
  const view = entry.view;
  const mine = isMe(view.assigned_agent) && view.stage === "assigned";
  const item = el("li", {
    className: "queue-item" + (mine ? " queue-item--mine" : ""),
    dataset: { handoffId: view.id, conversationId: view.conversation_id },
    attrs: { "aria-label": "排队买家 #" + view.id + "，" + reasonText(view.reason) },
  });
  const countdown = el("span", {
    className: "countdown",
    dataset: { handoffId: view.id },
    attrs: { role: "timer" },
  });
  paintCountdown(countdown, entry);
  item.append(
    el("div", "queue-item__head",
      el("strong", { className: "queue-item__reason", text: reasonText(view.reason) }),
      sentimentBadge(view.sentiment),
      countdown),
    el("p", "queue-item__meta",
      el("span", { className: "waited", text: "已等 " + duration(timing(entry).waited) }),
      view.position ? " · 第 " + view.position + " 位" : "",
      " · ",
      el("span", { className: "assigned", text: assignedText(view) }),
      view.stage === "window_missed" ? el("span", { className: "tag tag--red", text: "已登记回电", title: "已超过 30 秒，买家已被告知并登记了回电工单；仍可接入" }) : null),
  );
  const facts = [view.intent ? "意图：" + intentText(view.intent) : "", slotSummary(view.slots)].filter(Boolean).join(" · ");
  if (facts) item.append(el("p", { className: "queue-item__facts", text: facts }));

  const actions = el("div", "queue-item__actions");
  if (!isTrainer()) {
    const accept = button("接入", "primary accept", () => acceptHandoff(view.id, accept), {
      "aria-label": "接入买家 #" + view.id,
    });
    if (!canAccept(view)) {
      accept.disabled = true;
      accept.title = "已分配给其他客服，15 秒后全员可接";
    }
    actions.append(accept);
    if (mine) {
      const decline = button("拒绝", "decline", () => declineHandoff(view.id, decline), {
        "aria-label": "拒绝买家 #" + view.id + "，转给其他客服",
      });
      actions.append(decline);
    }
  }
  if (isSupervisor() || isTrainer()) {
    actions.append(button("查看", "view", () => openConversation(view.conversation_id), {
      "aria-label": "查看买家 #" + view.id + " 的对话",
    }));
  }
  item.append(actions);
  if (errors.has(view.id)) item.append(el("p", { className: "error", text: errors.get(view.id), attrs: { role: "alert" } }));
  return item;
}

function activeItem(view) {
  const cid = view.conversation_id;
  const count = unread.get(cid) || 0;
  const open = store.openCid === cid;
  const item = el("li", {
    className: "active-item" + (open ? " is-open" : "") + (count ? " has-unread" : ""),
    dataset: { handoffId: view.id, conversationId: cid },
  });
  const who = view.accepted_by ? view.accepted_by.work_name + (isMe(view.accepted_by) ? "（我）" : "") : "";
  const since = view.accepted_at || view.triggered_at;
  const openBtn = el("button", {
    className: "active-item__open",
    type: "button",
    attrs: {
      "aria-label": "打开会话 #" + view.id + "，" + reasonText(view.reason) + (count ? "，" + count + " 条新消息" : ""),
      "aria-current": open ? "true" : null,
    },
    on: { click: () => openConversation(cid) },
  },
  el("span", "active-item__head",
    el("strong", { text: "#" + view.id + " " + reasonText(view.reason) }),
    count ? el("span", { className: "badge unread", text: String(count), attrs: { "aria-hidden": "true" } }) : null),
  el("span", "active-item__meta",
    who ? who + " · " : "",
    el("span", { text: "", dataset: { since, prefix: "接待 " } })),
  store.lastText.get(cid) ? el("span", { className: "active-item__last", text: store.lastText.get(cid) }) : null);
  item.append(openBtn);
  return item;
}

function keepFocus(container, render) {
  const active = document.activeElement;
  const holder = active && container.contains(active) ? active.closest("[data-handoff-id]") : null;
  const key = holder ? holder.dataset.handoffId : null;
  const cls = active && active.classList ? active.classList[active.classList.length - 1] : null;
  render();
  if (key && cls) {
    const again = container.querySelector('[data-handoff-id="' + key + '"] .' + CSS.escape(cls));
    if (again) again.focus();
  }
}

export function renderLists() {
  const waiting = waitingViews();
  const active = activeViews();
  const trainer = isTrainer();
  const mine = trainer ? active : active.filter((v) => isMe(v.accepted_by));
  const others = isSupervisor() ? active.filter((v) => !isMe(v.accepted_by)) : [];

  keepFocus($("waiting-list"), () => {
    $("waiting-list").replaceChildren(...waiting.map((v) => queueItem(store.handoffs.get(v.id))));
  });
  keepFocus($("active-list"), () => $("active-list").replaceChildren(...mine.map(activeItem)));
  keepFocus($("others-list"), () => $("others-list").replaceChildren(...others.map(activeItem)));
  $("active-heading").firstChild.textContent = trainer ? "人工会话 " : "我的会话 ";
  $("waiting-count").textContent = String(waiting.length);
  $("active-count").textContent = String(mine.length);
  $("others-count").textContent = String(others.length);
  $("waiting-empty").hidden = waiting.length > 0;
  $("active-empty").hidden = mine.length > 0;
  $("others-section").hidden = !isSupervisor();
  setBaseTitle((waiting.length ? "(" + waiting.length + ") " : "") + TITLE);
  tick();
}

// --- actions

export async function acceptHandoff(id, btn) {
  if (btn) btn.disabled = true;
  errors.delete(id);
  const result = await api.post("/api/agent/handoffs/" + id + "/accept", {});
  if (btn) btn.disabled = false;
  if (!result.ok) {
    if (result.status === 401) return false;
    errors.set(id, result.message);
    toast("接入失败：" + result.message, "error");
    renderLists();
    return false;
  }
  const view = result.data.handoff;
  applyHandoff("accepted", view);
  if (view) openConversation(view.conversation_id);
  return true;
}

async function declineHandoff(id, btn) {
  btn.disabled = true;
  const result = await api.post("/api/agent/handoffs/" + id + "/decline", {});
  btn.disabled = false;
  if (!result.ok) {
    errors.set(id, result.message);
    renderLists();
    return;
  }
  applyHandoff("declined", result.data.handoff);
  toast("已拒绝，已转给其他客服");
}

/** A handoff changed (from a frame or an answer): store it and tell everyone. */
export function applyHandoff(event, view) {
  if (!view || typeof view.id !== "number") return;
  const before = store.handoffs.get(view.id);
  upsertHandoff(view);
  if (view.state === "ended") errors.delete(view.id);
  emit("handoff", { event, view, before: before ? before.view : null });
  renderLists();
  emit("handoffs");
}

// --- alerts for new work

function announce(view, kind, title) {
  const key = view.id + ":" + kind;
  if (alerted.has(key) || isTrainer()) return;
  alerted.add(key);
  flashTitle("【" + title + "】" + TITLE);
  const recent = Date.now() - (lastAlert.get(view.id) || 0) < 5000;
  lastAlert.set(view.id, Date.now());
  // "new" and "assigned to you" arrive together: one beep; the notification with the same
  // tag silently replaces the first one.
  if (!recent) beep();
  const body = reasonText(view.reason) + (view.sentiment ? " · 情绪" + sentimentLabel(view.sentiment.label) : "");
  notify(title, body, "handoff-" + view.id, () => {
    const node = document.querySelector('.queue-item[data-handoff-id="' + view.id + '"] .accept');
    if (node && !node.disabled) node.focus();
  });
}

function onHandoffFrame(frame) {
  const view = frame.handoff;
  if (!view) return;
  const event = frame.event;
  const before = store.handoffs.get(view.id);
  applyHandoff(event, view);
  if (view.state !== "waiting") {
    if (event === "taken_over" && before && isMe(before.view.accepted_by) && !isMe(view.accepted_by)) {
      const name = view.accepted_by ? view.accepted_by.work_name : "";
      toast("会话 #" + view.id + " 已由" + (!name || name === "主管" ? "主管" : "主管（" + name + "）") + "接管", "warn");
    }
    return;
  }
  // One alert per arrival: "assigned to you" when it is, else "new"; a later offer to me alerts again.
  const mine = isMe(view.assigned_agent) && view.stage === "assigned";
  if (mine) {
    alerted.add(view.id + ":new");
    announce(view, "mine", "有买家分配给您");
  } else if (event === "new") {
    announce(view, "new", "新的转人工请求");
  }
  if (event === "offered_to_all" && (isSupervisor() || !before || !isMe(view.assigned_agent))) {
    announce(view, "all", "买家等待超过 15 秒");
  }
  if (event === "window_missed" && isSupervisor()) announce(view, "missed", "买家等待超过 30 秒");
}

function onHello(frame) {
  if (frame.agent) store.me = { ...store.me, ...frame.agent };
  store.handoffs.clear();
  for (const view of [...(frame.waiting || []), ...(frame.active || [])]) upsertHandoff(view);
  // Whatever was already waiting when the console opened is not "new": no beep for it.
  for (const view of frame.waiting || []) alerted.add(view.id + ":new");
  renderLists();
  emit("handoffs");
  emit("hello", frame);
}

export function initQueue() {
  on("frame:hello", onHello);
  on("frame:handoff", onHandoffFrame);
  on("unread", renderLists);
  setInterval(tick, 1000);
}
