// 数据健康: GET /api/agent/trainer/check drawn as the number of examples per intent (SVG
// bars; intents below the threshold highlighted) and the problems of the training data:
// conflicts, duplicates, near-duplicates.

import { $, el, clock, percent } from "./dom.js";
import { api } from "./api.js";
import { sentimentLabel } from "./labels.js";
import { TRAINER_API, loadIntents, intentName } from "./trainer_data.js";

const SVG = "http://www.w3.org/2000/svg";
let loaded = false;

function bar(count, max, thin) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "bar" + (thin ? " bar--thin" : ""));
  svg.setAttribute("viewBox", "0 0 100 10");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const rect = document.createElementNS(SVG, "rect");
  rect.setAttribute("x", "0");
  rect.setAttribute("y", "0");
  rect.setAttribute("height", "10");
  rect.setAttribute("width", String(max ? Math.max(0.5, (100 * count) / max) : 0));
  svg.append(rect);
  return svg;
}

function countsTable(counts, thinNames, thinBelow) {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return el("table", "health-table",
    el("caption", { text: "每个意图的样例数" + (thinBelow ? "（少于 " + thinBelow + " 条为样例偏少）" : "") }),
    el("thead", null, el("tr", null,
      el("th", { text: "意图", attrs: { scope: "col" } }),
      el("th", { text: "样例数", attrs: { scope: "col" } }))),
    el("tbody", null, ...rows.map(([name, count]) => {
      const thin = thinNames.has(name);
      return el("tr", { className: thin ? "is-thin" : "", dataset: { intent: name } },
        el("th", { attrs: { scope: "row" } }, intentName(name), thin ? el("span", { className: "tag tag--amber", text: "样例偏少" }) : null),
        el("td", { className: "health-table__count" }, bar(count, max, thin), el("span", { text: String(count) })));
    })));
}

const list = (value) => (Array.isArray(value) ? value : []);
const quote = (text) => "「" + (text || "") + "」";

/** One finding of the check (bot/trainer/checks.py Warning_) as a line of text. */
function issueText(w, name = intentName) {
  if (!w || typeof w !== "object") return String(w);
  const sim = w.similarity !== undefined && w.similarity !== null ? " · 相似度 " + percent(w.similarity) : "";
  switch (w.kind) {
    case "duplicate":
      return quote(w.text) + " 与 " + quote(w.other_text) + " 重复（" + name(w.intent) + "）";
    case "conflict":
      return quote(w.text) + " 标为 " + name(w.intent) + "，" + quote(w.other_text) + " 标为 " + name(w.other_intent);
    case "near_duplicate":
      return quote(w.text) + "（" + name(w.intent) + "）≈ " + quote(w.other_text) + "（" + name(w.other_intent) + "）" + sim;
    case "new_intent":
      return name(w.intent) + " 不在 domain.yml 里";
    case "no_rule":
      return name(w.intent) + " 没有规则或故事";
    default:
      return [w.text && quote(w.text), w.intent, w.other_text && quote(w.other_text), w.other_intent].filter(Boolean).join(" · ");
  }
}

function issueList(title, items, kind, name = intentName) {
  const found = list(items);
  return el("section", { className: "health-issues", dataset: { kind } },
    el("h4", null, title, " ", el("span", { className: "count", text: String(found.length) })),
    found.length
      ? el("ul", null, ...found.slice(0, 200).map((item) => el("li", { text: issueText(item, name) })))
      : el("p", { className: "muted", text: "没有" }));
}

function stat(label, value, kind) {
  return el("div", { className: "stat" + (kind ? " stat--" + kind : "") },
    el("span", { className: "stat__value", text: String(value) }),
    el("span", { className: "stat__label", text: label }));
}

function render(data, intents) {
  const counts = data.counts && typeof data.counts === "object" ? data.counts : {};
  const thin = new Set(list(data.thin_intents).map((w) => w.intent));
  const total = Number(data.examples) || Object.values(counts).reduce((a, n) => a + (Number(n) || 0), 0);
  const conflicts = list(data.conflicts).length + list(data.sentiment_conflicts).length;
  const duplicates = list(data.duplicates).length + list(data.sentiment_duplicates).length;
  $("health-stats").replaceChildren(
    stat("意图", Object.keys(counts).length),
    stat("样例", total),
    stat("样例偏少的意图", thin.size, thin.size ? "amber" : ""),
    stat("冲突", conflicts, conflicts ? "red" : ""),
    stat("重复", duplicates, duplicates ? "amber" : ""),
    stat("近似重复", list(data.near_duplicates).length));
  $("health-body").replaceChildren(
    el("div", "health-grid",
      el("div", "card", countsTable(counts, thin, Number(data.thin_below) || intents.thin_below)),
      el("div", "card health-problems",
        issueList("冲突（同一句话标了不同意图）", data.conflicts, "conflicts"),
        issueList("重复样例", data.duplicates, "duplicates"),
        issueList("近似重复（不同意图里很像的两句）", data.near_duplicates, "near_duplicates"),
        issueList("新意图（还不在 domain.yml 里）", data.new_intents, "new_intents"),
        issueList("没有规则或故事的意图", data.no_rule, "no_rule"),
        issueList("情绪样例冲突", data.sentiment_conflicts, "sentiment_conflicts", sentimentLabel))));
}

/** Fetch the check again and draw it. */
export async function refreshHealth() {
  loaded = true;
  $("health-updated").textContent = "检查中…";
  const [result, intents] = await Promise.all([api.get(TRAINER_API + "/check"), loadIntents()]);
  if (!result.ok) {
    $("health-updated").textContent = "检查失败：" + result.message;
    return;
  }
  render(result.data, intents);
  $("health-updated").textContent = "更新于 " + clock();
}

/** First showing of the panel. */
export function showHealth() {
  if (!loaded) refreshHealth();
}

export function initHealth() {
  $("health-refresh").addEventListener("click", refreshHealth);
}
