// Live etiquette check of the draft (debounced ~300 ms): each violation's message in
// #etiquette-flags, and "一键改写" (button.etiquette-fix) that replaces the draft with the
// suggested rewrite. Advisory only: sending is never blocked.

import { $, el } from "./dom.js";
import { api } from "./api.js";
import { on, isTrainer } from "./store.js";
import { setDraft } from "./composer.js";

const DEBOUNCE_MS = 300;
let timer = 0;
let seq = 0;
let checked = null; // the text the flags on screen belong to

function clear() {
  checked = null;
  const box = $("etiquette-flags");
  box.replaceChildren();
  box.hidden = true;
}

function render(violations, suggestion, text) {
  const box = $("etiquette-flags");
  if (!violations.length) {
    clear();
    return;
  }
  const list = el("ul", "etiquette__list");
  for (const v of violations) {
    list.append(el("li", { className: "etiquette-flag", dataset: { ruleId: v.rule_id } },
      el("strong", { className: "etiquette-flag__name", text: v.name || v.rule_id || "礼仪提醒" }),
      v.excerpt ? el("q", { className: "etiquette-flag__excerpt", text: v.excerpt }) : null,
      el("span", { className: "etiquette-flag__message", text: v.message || "" })));
  }
  const children = [
    el("p", { className: "etiquette__title", text: "服务礼仪提醒（仅供参考，不影响发送）" }),
    list,
  ];
  if (suggestion && suggestion !== text) {
    children.push(el("div", "etiquette__fix",
      el("button", {
        className: "etiquette-fix",
        type: "button",
        text: "一键改写",
        attrs: { "aria-label": "一键改写为：" + suggestion },
        on: { click: () => setDraft(suggestion) },
      }),
      el("span", { className: "etiquette__suggestion", text: suggestion })));
  }
  box.replaceChildren(...children);
  box.hidden = false;
}

async function check(text) {
  const mine = ++seq;
  const result = await api.post("/api/agent/etiquette/check", { text });
  if (mine !== seq || $("reply-input").value.trim() !== text) return; // a newer draft exists
  if (!result.ok) {
    clear();
    return;
  }
  const violations = Array.isArray(result.data.violations) ? result.data.violations : [];
  render(violations, result.data.suggestion || null, text);
  checked = text;
}

function schedule({ text }) {
  clearTimeout(timer);
  const trimmed = (text || "").trim();
  if (!trimmed || isTrainer() || $("reply-input").disabled) {
    seq++;
    clear();
    return;
  }
  if (trimmed === checked) return;
  timer = setTimeout(() => check(trimmed), DEBOUNCE_MS);
}

export function initEtiquette() {
  on("draft", schedule);
  on("conv:state", () => schedule({ text: $("reply-input").value }));
  clear();
}
