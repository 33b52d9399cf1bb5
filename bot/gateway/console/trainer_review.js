// 会话复查: the filters (date range, intent, 低置信度 / 未识别 / 负面情绪 / 转人工, agent),
// the list of matching conversations with badges, pagination, and the export links of
// the chosen range. A conversation in the list opens in the reader.

import { $, el, percent } from "./dom.js";
import { api } from "./api.js";
import { intentText, reasonText, REVIEW_FLAGS } from "./labels.js";
import { TRAINER_API, loadIntents, intentName, daysAgo, stamp } from "./trainer_data.js";
import { openReader } from "./trainer_reader.js";

const PAGE_SIZE = 50;
const FLAGS = [["low_confidence", "rf-low"], ["fallback", "rf-fallback"], ["negative", "rf-negative"], ["handoff", "rf-handoff"]];
const state = { offset: 0, total: 0, openCid: null, loaded: false, seq: 0 };

function filters() {
  const params = new URLSearchParams();
  const since = $("rf-since").value;
  const until = $("rf-until").value;
  if (since) params.set("since", since);
  if (until) params.set("until", until);
  if ($("rf-intent").value) params.set("intent", $("rf-intent").value);
  for (const [name, id] of FLAGS) if ($(id).checked) params.set(name, "1");
  if ($("rf-agent").value) params.set("agent", $("rf-agent").value);
  return params;
}

// The export needs both ends of the range; without them the links are disabled.
function updateExportLinks() {
  const since = $("rf-since").value;
  const until = $("rf-until").value;
  for (const format of ["jsonl", "csv"]) {
    const link = $("export-" + format);
    if (!since || !until) {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
      continue;
    }
    link.removeAttribute("aria-disabled");
    link.href = "/api/agent/transcripts/export?" + new URLSearchParams({ since, until, format });
  }
}

function badges(conv) {
  const box = el("span", "review-item__badges");
  for (const intent of (conv.intents || []).slice(0, 4)) {
    box.append(el("span", { className: "badge intent", text: intentText(intent), title: intent }));
  }
  if ((conv.intents || []).length > 4) box.append(el("span", { className: "badge", text: "+" + (conv.intents.length - 4) }));
  const lowest = conv.lowest_confidence;
  if (lowest !== null && lowest !== undefined) {
    box.append(el("span", { className: "badge confidence", text: "最低置信度 " + percent(lowest), dataset: { low: String(Number(conv.low_confidence) > 0) } }));
  }
  if (conv.fallbacks) box.append(el("span", { className: "badge flag flag--fallback", text: REVIEW_FLAGS.fallback + " " + conv.fallbacks }));
  if (conv.negatives) box.append(el("span", { className: "badge flag flag--negative", text: REVIEW_FLAGS.negative + " " + conv.negatives }));
  if (conv.handoff) {
    const who = conv.handoff.agent ? " · " + (conv.handoff.agent.work_name || conv.handoff.agent) : "";
    box.append(el("span", { className: "badge flag flag--handoff", text: REVIEW_FLAGS.handoff + "：" + reasonText(conv.handoff.reason) + who }));
  }
  return box;
}

function itemNode(conv) {
  const open = el("button", {
    className: "review-item",
    type: "button",
    dataset: { conversationId: conv.id },
    attrs: { "aria-current": conv.id === state.openCid ? "true" : null },
    on: { click: () => select(conv.id) },
  },
  el("span", "review-item__head",
    el("time", { className: "review-item__time", text: stamp(conv.started_at), attrs: { datetime: conv.started_at } }),
    el("span", { className: "review-item__count", text: "买家 " + (Number(conv.buyer_messages) || 0) + " 句" })),
  badges(conv));
  return el("li", null, open);
}

function select(cid) {
  state.openCid = cid;
  for (const node of $("review-list").querySelectorAll(".review-item")) {
    if (node.dataset.conversationId === cid) node.setAttribute("aria-current", "true");
    else node.removeAttribute("aria-current");
  }
  openReader(cid);
}

function renderPager() {
  const { offset, total } = state;
  const last = Math.min(offset + PAGE_SIZE, total);
  $("review-page").textContent = total ? "第 " + (offset + 1) + "–" + last + " 条，共 " + total + " 条" : "";
  $("review-prev").disabled = offset <= 0;
  $("review-next").disabled = last >= total;
  $("review-pager").hidden = total <= PAGE_SIZE;
}

/** Fetch the page of conversations at `offset` for the current filters. */
export async function search(offset = 0) {
  const seq = ++state.seq;
  const params = filters();
  params.set("offset", String(offset));
  params.set("limit", String(PAGE_SIZE));
  $("review-status").textContent = "查询中…";
  const result = await api.get(TRAINER_API + "/conversations?" + params);
  if (seq !== state.seq) return; // a newer search is on its way
  if (!result.ok) {
    $("review-status").textContent = "查询失败：" + (result.code === "bad_range" ? "结束日期不能早于开始日期" : result.message);
    return;
  }
  const list = Array.isArray(result.data.conversations) ? result.data.conversations : [];
  state.offset = offset;
  state.total = Number(result.data.total) || list.length;
  $("review-list").replaceChildren(...list.map(itemNode));
  $("review-status").textContent = list.length ? "共 " + state.total + " 个会话" : "没有符合条件的会话";
  renderPager();
}

async function fillIntentFilter() {
  const data = await loadIntents();
  const select = $("rf-intent");
  const chosen = select.value;
  select.replaceChildren(el("option", { text: "全部意图", attrs: { value: "" } }),
    ...data.intents.map((i) => el("option", { text: intentName(i.name), attrs: { value: i.name } })));
  select.value = chosen;
}

async function fillAgentFilter() {
  const result = await api.get(TRAINER_API + "/agents");
  if (!result.ok) return;
  const agents = Array.isArray(result.data.agents) ? result.data.agents : [];
  $("rf-agent").replaceChildren(el("option", { text: "全部客服", attrs: { value: "" } }),
    ...agents.map((a) => el("option", { text: a.work_name, attrs: { value: a.id } })));
}

// ↑/↓ move between the conversations of the list, Home/End to the first/last.
function onListKey(event) {
  const items = [...$("review-list").querySelectorAll(".review-item")];
  const index = items.indexOf(document.activeElement);
  if (index < 0) return;
  const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: items.length - 1 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  const next = items[Math.max(0, Math.min(items.length - 1, moves[event.key]))];
  if (next) next.focus();
}

/** First showing of the page: the filter choices and the first search. */
export function showReview() {
  if (state.loaded) return;
  state.loaded = true;
  fillIntentFilter();
  fillAgentFilter();
  search(0);
}

export function initReview() {
  $("rf-since").value = daysAgo(6);
  $("rf-until").value = daysAgo(0);
  updateExportLinks();
  $("review-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    search(0);
  });
  // Every change searches at once (a newer answer wins); 查询 searches again.
  $("review-filters").addEventListener("change", (event) => {
    if (event.target.type === "date") updateExportLinks();
    if (event.target.type === "date" && event.target.value && !event.target.checkValidity()) return;
    search(0);
  });
  $("review-prev").addEventListener("click", () => search(Math.max(0, state.offset - PAGE_SIZE)));
  $("review-next").addEventListener("click", () => search(state.offset + PAGE_SIZE));
  $("review-list").addEventListener("keydown", onListKey);
}
