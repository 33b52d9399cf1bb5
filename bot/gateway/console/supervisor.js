// The supervisor view (#supervisor, a tab only supervisors see): agents with presence
// and load, the queue, the conversations with a person (each with "接管",
// button.takeover), and today's 30-second breaches. From GET /api/agent/supervisor/overview.

import { $, el, button, clock, duration } from "./dom.js";
import { api, convPath } from "./api.js";
import { reasonText, ROLES, PRESENCE, STAGES } from "./labels.js";
import { on, isMe, isSupervisor } from "./store.js";
import { applyHandoff, acceptHandoff, sentimentBadge } from "./queue.js";
import { openConversation } from "./conversation.js";
import { toast } from "./header.js";

const REFRESH_MS = 10000;
let timer = 0;
let soon = 0;
let visible = false;

function table(caption, heads, rows, empty) {
  if (!rows.length) return el("p", { className: "muted", text: empty });
  return el("table", "sup-table",
    el("caption", { className: "visually-hidden", text: caption }),
    el("thead", null, el("tr", null, ...heads.map((h) => el("th", { text: h, attrs: { scope: "col" } })))),
    el("tbody", null, ...rows));
}

const cell = (...content) => el("td", null, ...content);

function agentsTable(agents) {
  const rows = agents.map((a) => el("tr", { dataset: { agentId: a.id } },
    cell(el("strong", { text: a.work_name })),
    cell(ROLES[a.role] || a.role),
    cell(el("span", { className: "presence-dot", text: PRESENCE[a.presence] || a.presence, dataset: { presence: a.presence } })),
    cell(a.role === "trainer" ? "—" : a.load + "/" + a.max_chats),
    cell(String((a.conversations || []).length))));
  return table("客服状态", ["客服", "角色", "状态", "接待量", "会话数"], rows, "还没有客服账号");
}

function waitingTable(views) {
  const rows = views.map((v) => {
    const accept = button("接入", "primary small", () => acceptHandoff(v.id, accept), { "aria-label": "接入买家 #" + v.id });
    return el("tr", { dataset: { handoffId: v.id } },
      cell("#" + v.id),
      cell(reasonText(v.reason)),
      cell(sentimentBadge(v.sentiment) || "—"),
      cell(el("span", { className: v.seconds_left <= 0 ? "tag tag--red" : v.stage === "offered_to_all" ? "tag tag--amber" : "tag", text: "已等 " + duration(v.seconds_waiting) })),
      cell(STAGES[v.stage] || v.stage, v.assigned_agent ? " · " + v.assigned_agent.work_name : ""),
      cell(accept));
  });
  return table("排队中的买家", ["编号", "原因", "情绪", "等待", "分配", "操作"], rows, "没有排队的买家");
}

function activeTable(views) {
  const rows = views.map((v) => {
    const mine = isMe(v.accepted_by);
    const takeover = button(mine ? "已由我接待" : "接管", "takeover", () => takeOver(v, takeover), {
      "aria-label": "接管会话 #" + v.id,
    });
    takeover.disabled = mine;
    return el("tr", { dataset: { handoffId: v.id, conversationId: v.conversation_id } },
      cell("#" + v.id),
      cell(reasonText(v.reason)),
      cell(v.accepted_by ? v.accepted_by.work_name : "—"),
      cell(v.accepted_at ? clock(v.accepted_at) : "—"),
      cell(el("div", "cell-actions",
        button("查看", "small", () => { showDesk(); openConversation(v.conversation_id); }, { "aria-label": "查看会话 #" + v.id }),
        takeover)));
  });
  return table("人工接待中的会话", ["编号", "原因", "接待客服", "接入时间", "操作"], rows, "没有人工接待中的会话");
}

function breachesTable(breaches) {
  const rows = breaches.map((b) => el("tr", { dataset: { handoffId: b.handoff_id } },
    cell(clock(b.triggered_at)),
    cell("#" + b.handoff_id),
    cell(reasonText(b.reason)),
    cell(b.accepted_at
      ? el("span", { className: "tag tag--amber", text: "用时 " + duration(b.seconds_to_accept) + " 接入" })
      : el("span", { className: "tag tag--red", text: "未接入" }))));
  return table("今日超时", ["转人工时间", "编号", "原因", "结果"], rows, "今天没有超过 30 秒未接入的买家");
}

function stat(label, value, kind) {
  return el("div", { className: "stat" + (kind ? " stat--" + kind : "") },
    el("span", { className: "stat__value", text: String(value) }),
    el("span", { className: "stat__label", text: label }));
}

function render(data) {
  const agents = Array.isArray(data.agents) ? data.agents : [];
  const waiting = Array.isArray(data.waiting) ? data.waiting : [];
  const active = Array.isArray(data.active) ? data.active : [];
  const breaches = Array.isArray(data.breaches_today) ? data.breaches_today : [];
  const online = agents.filter((a) => a.presence === "online" && a.role === "agent").length;
  $("sup-stats").replaceChildren(
    stat("在线客服", online),
    stat("排队中", waiting.length, waiting.length ? "amber" : ""),
    stat("人工接待中", active.length),
    stat("今日超时", breaches.length, breaches.length ? "red" : ""),
    stat("今日礼仪提醒", Number(data.etiquette_flags_today) || 0));
  $("sup-agents").replaceChildren(agentsTable(agents));
  $("sup-waiting").replaceChildren(waitingTable(waiting));
  $("sup-active").replaceChildren(activeTable(active));
  $("sup-breaches").replaceChildren(breachesTable(breaches));
  $("sup-updated").textContent = "更新于 " + clock();
}

async function refresh() {
  clearTimeout(soon);
  if (!visible || !isSupervisor()) return;
  const result = await api.get("/api/agent/supervisor/overview");
  if (!result.ok) {
    if (result.status !== 401) $("sup-updated").textContent = "刷新失败：" + result.message;
    return;
  }
  render(result.data);
}

async function takeOver(view, btn) {
  btn.disabled = true;
  const result = await api.post(convPath(view.conversation_id, "takeover"), {});
  if (!result.ok) {
    btn.disabled = false;
    toast("接管失败：" + result.message, "error");
    return;
  }
  applyHandoff("taken_over", result.data.handoff);
  toast("已接管会话 #" + view.id);
  showDesk();
  openConversation(view.conversation_id);
}

function setView(name) {
  visible = name === "supervisor";
  $("desk").hidden = visible;
  $("supervisor").hidden = !visible;
  $("tab-desk").setAttribute("aria-selected", String(!visible));
  $("tab-supervisor").setAttribute("aria-selected", String(visible));
  clearInterval(timer);
  if (visible) {
    refresh();
    timer = setInterval(refresh, REFRESH_MS);
  }
}

export const showDesk = () => setView("desk");

/** Called once the role is known. */
export function enableSupervisor() {
  const sup = isSupervisor();
  $("view-tabs").hidden = !sup;
  if (!sup && visible) setView("desk");
}

export function initSupervisor() {
  $("tab-desk").addEventListener("click", () => setView("desk"));
  $("tab-supervisor").addEventListener("click", () => setView("supervisor"));
  $("sup-refresh").addEventListener("click", refresh);
  // Something changed: refresh the open view soon (several frames come in bursts).
  on("handoffs", () => {
    if (!visible) return;
    clearTimeout(soon);
    soon = setTimeout(refresh, 400);
  });
}
