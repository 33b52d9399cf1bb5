// The reply box (#reply-input, #reply-send): one draft per conversation (kept when
// switching tabs and across a reload, in sessionStorage), Enter or Ctrl+Enter sends,
// Shift+Enter makes a new line. Sending is never blocked by the etiquette check.

import { $ } from "./dom.js";
import { api, convPath } from "./api.js";
import { on, emit, isTrainer } from "./store.js";
import { currentConv, appendItem } from "./conversation.js";
import { toast } from "./header.js";

const KEY = "shopConsole:draft:";
const MAX = 1000;
let sending = false;

function draftOf(cid) {
  try { return sessionStorage.getItem(KEY + cid) || ""; } catch (err) { return ""; }
}

function saveDraft(cid, text) {
  try {
    if (text) sessionStorage.setItem(KEY + cid, text);
    else sessionStorage.removeItem(KEY + cid);
  } catch (err) { /* private mode: memory only */ }
}

const input = () => $("reply-input");

function changed() {
  const conv = currentConv();
  const text = input().value;
  if (conv) {
    conv.draft = text;
    saveDraft(conv.cid, text);
  }
  const count = $("char-count");
  count.textContent = text.length ? text.length + "/" + MAX : "";
  count.classList.toggle("over", text.length > MAX * 0.9);
  emit("draft", { conv, text });
}

/** Replace the whole draft (one-click rewrite). */
export function setDraft(text) {
  const box = input();
  box.value = text;
  box.setSelectionRange(text.length, text.length);
  changed();
  box.focus();
}

/** Insert text at the cursor, replacing the selection (canned replies). */
export function insertText(text) {
  const box = input();
  if (box.disabled || !currentConv()) return false;
  box.focus();
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  box.setRangeText(text, start, end, "end");
  changed();
  return true;
}

export function composerUsable() {
  return !input().disabled && Boolean(currentConv());
}

function setError(text) {
  $("reply-error").textContent = text || "";
}

async function sendReply() {
  const conv = currentConv();
  const box = input();
  const text = box.value.trim();
  if (!conv || sending || box.disabled) return;
  if (!text) {
    setError("请输入回复内容");
    return;
  }
  if (text.length > MAX) {
    setError("回复不能超过 " + MAX + " 字，请分成几条发送");
    return;
  }
  sending = true;
  setError("");
  $("reply-send").disabled = true;
  box.readOnly = true;
  const result = await api.post(convPath(conv.cid, "messages"), { text });
  sending = false;
  box.readOnly = false;
  $("reply-send").disabled = box.disabled;
  if (!result.ok) {
    if (result.status !== 401) setError("发送失败：" + result.message + "（草稿已保留）");
    return;
  }
  const message = result.data.message;
  const flags = Array.isArray(result.data.etiquette) ? result.data.etiquette : [];
  if (message) appendItem(conv, { ...message, etiquette: message.etiquette || flags });
  conv.list.scrollTop = conv.list.scrollHeight; // one's own reply is always shown
  conv.stick = true;
  conv.draft = "";
  saveDraft(conv.cid, "");
  if (currentConv() === conv) {
    box.value = "";
    changed();
    box.focus();
  }
  if (flags.length) toast("已发送。这条回复有服务礼仪提醒，已记录供复核。", "warn");
}

function onKey(event) {
  if (event.key !== "Enter") return;
  // Enter while a Chinese input method is composing picks a candidate: it must not send.
  if (event.isComposing || event.keyCode === 229) return;
  if (event.shiftKey) return; // new line
  event.preventDefault();
  sendReply();
}

function onSelect({ conv, previous }) {
  if (previous) previous.draft = input().value;
  const box = input();
  box.value = conv ? conv.draft ?? draftOf(conv.cid) : "";
  setError("");
  changed();
}

function onState({ conv, usable }) {
  const box = input();
  const trainer = isTrainer();
  $("composer").hidden = trainer;
  $("readonly-note").hidden = !trainer;
  box.disabled = !usable;
  $("reply-send").disabled = !usable || sending;
  $("canned-open").disabled = false;
  let hint = "Enter 或 Ctrl+Enter 发送 · Shift+Enter 换行 · Ctrl+K 快捷回复";
  if (!usable && conv) {
    const h = conv.handoff;
    hint = !h || h.state === "ended" ? "会话已不在人工接待中，不能再回复"
      : h.state === "waiting" ? "接入后才能回复买家"
        : "该会话由其他客服接待，您只能查看";
  }
  $("composer-hint").textContent = hint;
  box.placeholder = usable ? "输入回复…" : "";
}

export function initComposer() {
  const box = input();
  box.maxLength = MAX * 2; // allow a little over so the warning can show; the server checks too
  box.addEventListener("input", changed);
  box.addEventListener("keydown", onKey);
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
  });
  on("conv:select", onSelect);
  on("conv:state", onState);
  on("conv:focus", () => { if (!input().disabled) input().focus(); });
  on("conv:closed", (conv) => saveDraft(conv.cid, conv.draft || ""));
}
