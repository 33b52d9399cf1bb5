// Canned replies: a searchable list (Ctrl+K or #canned-open) whose .canned-item buttons
// insert the text into the draft; supervisors add, edit and delete them (#canned-manage).

import { $, el, button } from "./dom.js";
import { api } from "./api.js";
import { isSupervisor, isTrainer } from "./store.js";
import { insertText, composerUsable } from "./composer.js";
import { toast } from "./header.js";

let replies = [];
let loaded = false;
let managing = false;
let editing = null; // the reply being edited, null for a new one

const dialog = () => $("canned-dialog");

function matches(reply, terms) {
  const hay = [reply.title, reply.text, ...(reply.tags || [])].join(" ").toLowerCase();
  return terms.every((t) => hay.includes(t));
}

function visible() {
  const terms = $("canned-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return replies.filter((r) => matches(r, terms));
}

function insert(reply) {
  if (!composerUsable()) {
    $("canned-status").textContent = isTrainer()
      ? "只读模式：训练师不能插入快捷回复。"
      : "请先打开一个您正在接待的会话，再插入快捷回复。";
    return;
  }
  dialog().close();
  insertText(reply.text);
  $("reply-input").focus();
}

function confirmDelete(reply, btn) {
  if (!btn.classList.contains("confirming")) {
    btn.classList.add("confirming");
    btn.textContent = "确认删除";
    btn.setAttribute("aria-label", "再次点击确认删除“" + reply.title + "”");
    setTimeout(() => {
      if (!btn.isConnected) return;
      btn.classList.remove("confirming");
      btn.textContent = "删除";
      btn.setAttribute("aria-label", "删除“" + reply.title + "”");
    }, 4000);
    return;
  }
  remove(reply);
}

function row(reply) {
  const item = el("button", {
    className: "canned-item",
    type: "button",
    dataset: { cannedId: reply.id },
    attrs: { "aria-label": "插入快捷回复：" + reply.title },
    on: { click: () => insert(reply) },
  },
  el("strong", { className: "canned-item__title", text: reply.title }),
  el("span", { className: "canned-item__text", text: reply.text }),
  (reply.tags || []).length ? el("span", "canned-item__tags", ...reply.tags.map((t) => el("span", { className: "chip", text: t }))) : null);
  const li = el("li", "canned-row", item);
  if (managing && isSupervisor()) {
    li.append(el("div", "canned-row__manage",
      button("编辑", "canned-edit", () => edit(reply), { "aria-label": "编辑“" + reply.title + "”" }),
      (() => {
        const del = button("删除", "danger canned-delete", () => confirmDelete(reply, del), { "aria-label": "删除“" + reply.title + "”" });
        return del;
      })()));
  }
  return li;
}

function render() {
  const list = visible();
  $("canned-list").replaceChildren(...list.map(row));
  const status = $("canned-status");
  if (!loaded) status.textContent = "加载中…";
  else if (!replies.length) status.textContent = "还没有快捷回复" + (isSupervisor() ? "，点击“管理”新增。" : "。");
  else if (!list.length) status.textContent = "没有匹配的快捷回复";
  else status.textContent = "共 " + list.length + " 条";
}

async function load() {
  const result = await api.get("/api/agent/canned-replies");
  if (!result.ok) {
    $("canned-status").textContent = "加载快捷回复失败：" + result.message;
    return;
  }
  replies = Array.isArray(result.data.replies) ? result.data.replies : [];
  loaded = true;
  render();
}

export function openCanned() {
  const d = dialog();
  if (d.open) {
    $("canned-search").focus();
    return;
  }
  $("canned-manage").hidden = !isSupervisor();
  $("canned-search").value = "";
  render();
  d.showModal();
  $("canned-search").focus();
  load();
}

// --- supervisors

function setManaging(on) {
  managing = on && isSupervisor();
  $("canned-manage").setAttribute("aria-pressed", String(managing));
  $("canned-manage").textContent = managing ? "完成管理" : "管理";
  $("canned-new").hidden = !managing;
  if (!managing) $("canned-form").hidden = true;
  render();
}

function edit(reply) {
  editing = reply;
  $("canned-form-title").textContent = reply ? "编辑快捷回复" : "新增快捷回复";
  $("canned-title").value = reply ? reply.title : "";
  $("canned-text").value = reply ? reply.text : "";
  $("canned-tags").value = reply ? (reply.tags || []).join("，") : "";
  $("canned-error").replaceChildren();
  $("canned-form").hidden = false;
  $("canned-title").focus();
}

function showSaveError(result) {
  const box = $("canned-error");
  const parts = [el("span", { text: "保存失败：" + result.message })];
  if (result.code === "etiquette" && Array.isArray(result.data.violations)) {
    parts.push(el("ul", null, ...result.data.violations.map((v) =>
      el("li", { text: (v.name ? v.name + "：" : "") + (v.message || "") }))));
  }
  box.replaceChildren(...parts);
}

async function save(event) {
  event.preventDefault();
  const title = $("canned-title").value.trim();
  const text = $("canned-text").value.trim();
  const tags = $("canned-tags").value.split(/[,，、\s]+/).map((t) => t.trim()).filter(Boolean);
  if (!title || !text) {
    $("canned-error").textContent = "标题和内容都不能为空";
    return;
  }
  if (tags.length > 8 || tags.some((t) => t.length > 16)) {
    $("canned-error").textContent = "标签最多 8 个，每个不超过 16 个字";
    return;
  }
  $("canned-save").disabled = true;
  const body = { title, text, tags };
  const result = editing
    ? await api.put("/api/agent/canned-replies/" + encodeURIComponent(editing.id), body)
    : await api.post("/api/agent/canned-replies", body);
  $("canned-save").disabled = false;
  if (!result.ok) {
    showSaveError(result);
    return;
  }
  const saved = result.data.reply;
  if (saved) {
    const index = replies.findIndex((r) => r.id === saved.id);
    if (index >= 0) replies[index] = saved;
    else replies.push(saved);
  }
  $("canned-form").hidden = true;
  render();
  toast(editing ? "快捷回复已更新" : "快捷回复已新增");
  editing = null;
  $("canned-search").focus();
}

async function remove(reply) {
  const result = await api.del("/api/agent/canned-replies/" + encodeURIComponent(reply.id));
  if (!result.ok) {
    $("canned-status").textContent = "删除失败：" + result.message;
    return;
  }
  replies = replies.filter((r) => r.id !== reply.id);
  render();
  toast("已删除“" + reply.title + "”");
  $("canned-search").focus();
}

// --- keyboard

function onListKey(event) {
  const items = [...$("canned-list").querySelectorAll(".canned-item")];
  const index = items.indexOf(document.activeElement);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    if (!items.length) return;
    event.preventDefault();
    if (document.activeElement === $("canned-search")) {
      items[event.key === "ArrowDown" ? 0 : items.length - 1].focus();
    } else if (index >= 0) {
      const next = index + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) $("canned-search").focus();
      else items[Math.min(next, items.length - 1)].focus();
    }
  } else if (event.key === "Enter" && document.activeElement === $("canned-search")) {
    event.preventDefault();
    const first = visible()[0];
    if (first) insert(first);
  }
}

export function initCanned() {
  $("canned-open").addEventListener("click", openCanned);
  $("canned-close").addEventListener("click", () => dialog().close());
  $("canned-search").addEventListener("input", render);
  $("canned-search").addEventListener("keydown", onListKey);
  $("canned-list").addEventListener("keydown", onListKey);
  $("canned-manage").addEventListener("click", () => setManaging(!managing));
  $("canned-new").addEventListener("click", () => edit(null));
  $("canned-form").addEventListener("submit", save);
  $("canned-cancel").addEventListener("click", () => {
    $("canned-form").hidden = true;
    editing = null;
  });
  dialog().addEventListener("close", () => {
    $("canned-form").hidden = true;
    editing = null;
  });
  // Ctrl+K (⌘K on a Mac) anywhere in the console.
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K")) {
      event.preventDefault();
      openCanned();
    }
  });
}
