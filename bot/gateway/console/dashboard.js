// The dashboard (#dashboard, the 看板 tab, supervisors only): a date range, the headline
// figures against their targets and five charts, from GET /api/agent/supervisor/report
// (definitions in bot/reports/metrics.py). The first visit asks without dates: the server
// answers its default range (the last 7 days) and the date inputs show it.
//
// Like the trainer's page, it is one more view: showing it hides every other view; when
// another view is shown (its tab, or showDesk() when a conversation opens) it steps aside.

import { $, el, duration } from "./dom.js";
import { api } from "./api.js";
import { isSupervisor } from "./store.js";
import { reasonText, intentText } from "./labels.js";
import { showDesk } from "./supervisor.js";
import { barChart } from "./charts.js";
import { FIGURES, CHARTS, REPORT_ERRORS, bucketText } from "./dashboard_labels.js";

let visible = false;
let loaded = false;
let pending = 0;

const otherViews = () => [...document.querySelectorAll(".app > [role=tabpanel]")].filter((v) => v.id !== "dashboard");
const viewTabs = () => [...$("view-tabs").querySelectorAll("[role=tab]")];

/** 0.9345 → "93.5%"; null → "—". */
export function pct(value) {
  return value === null || value === undefined ? "—" : (Math.round(value * 1000) / 10).toFixed(1) + "%";
}

/** Seconds → "12.3 秒" below a minute, else "3 分 05 秒"; null → "—". */
export function secs(value) {
  if (value === null || value === undefined) return "—";
  return value < 60 ? value.toFixed(1) + " 秒" : duration(value);
}

function stat(metric, label, value, raw, note, kind) {
  return el("div", { className: "stat" + (kind ? " stat--" + kind : ""), dataset: { metric, value: raw ?? "" } },
    el("span", { className: "stat__value", text: value }),
    el("span", { className: "stat__label", text: label }),
    note ? el("span", { className: "stat__note", text: note }) : null);
}

function headline(report) {
  const t = report.total;
  const first = t.first_response;
  const target = report.target.share;
  const share = first.share_within_target;
  const acc = t.acceptance;
  const late = share !== null && share < target;
  return [
    stat("share_within_target", FIGURES.share_within_target, pct(share), share,
      "目标 " + pct(target) + " · " + first.within_target + "/" + t.buyer_messages + " 条", late ? "red" : share === null ? "" : "green"),
    stat("containment", FIGURES.containment, pct(t.containment), t.containment, t.contained + "/" + t.conversations + " 个会话"),
    stat("handoff_rate", FIGURES.handoff_rate, pct(t.handoff_rate), t.handoff_rate, t.handoffs + " 次转人工"),
    stat("acceptance_p50", FIGURES.acceptance_p50, secs(acc.p50_s), acc.p50_s, acc.accepted + " 次已接入"),
    stat("acceptance_p90", FIGURES.acceptance_p90, secs(acc.p90_s), acc.p90_s),
    stat("acceptance_max", FIGURES.acceptance_max, secs(acc.max_s), acc.max_s),
    stat("breaches", FIGURES.breaches, String(t.breaches), t.breaches,
      "占转人工 " + pct(t.breach_share) + " · " + report.window_s + " 秒内未接入", t.breaches ? "red" : ""),
    stat("fallback_rate", FIGURES.fallback_rate, pct(t.readings.fallback_rate), t.readings.fallback_rate, t.readings.fallback + "/" + t.readings.read + " 条"),
    stat("negative_rate", FIGURES.negative_rate, pct(t.readings.negative_rate), t.readings.negative_rate, t.readings.negative + "/" + t.readings.read + " 条"),
  ];
}

const shortDate = (iso) => iso.slice(5); // "2026-11-03" → "11-03"

function charts(report) {
  const t = report.total;
  const messages = t.buyer_messages;
  const buckets = report.buckets.map((name) => {
    const count = t.first_response.buckets[name];
    const late = report.buckets.indexOf(name) >= 4; // over 30 s, or never answered
    return { key: name, label: bucketText(name), value: count, text: String(count), kind: late ? "late" : "ok", extra: [messages ? pct(count / messages) : "—"] };
  });
  const days = report.days.map((day) => {
    const share = day.first_response.share_within_target;
    return { key: day.date, label: day.date, short: shortDate(day.date), value: share === null ? null : Math.round(share * 1000) / 10, text: pct(share), kind: share !== null && share < report.target.share ? "late" : "ok", extra: [String(day.buyer_messages)] };
  });
  const reasons = Object.entries(t.handoffs_by_reason).map(([reason, n]) => ({ key: reason, label: reasonText(reason), value: n, text: String(n), extra: [pct(t.handoffs ? n / t.handoffs : null)] }));
  const intents = t.top_intents.map((i) => ({ key: i.intent, label: intentText(i.intent), value: i.count, text: String(i.count), extra: [pct(i.share)] }));
  const flags = t.etiquette.map((a) => ({ key: String(a.agent_id), label: a.work_name, value: a.flags, text: String(a.flags), kind: "warn", extra: [Object.entries(a.rules).map(([rule, n]) => rule + "×" + n).join("、")] }));
  return [
    barChart({ id: "first_response", title: CHARTS.first_response, items: messages ? buckets : [], headings: ["用时", "消息数", "占比"], empty: "所选日期内没有买家消息", note: "绿色：30 秒内回复；橙色：超过 30 秒或未回复" }),
    barChart({ id: "daily_share", title: CHARTS.daily_share, items: days, max: 100, target: { value: report.target.share * 100, label: "目标 " + pct(report.target.share) }, headings: ["日期", "30 秒内回复率", "买家消息"], note: "橙色：低于目标；没有买家消息的日子不画柱" }),
    barChart({ id: "reasons", title: CHARTS.reasons, items: reasons, horizontal: true, headings: ["原因", "次数", "占比"], empty: "所选日期内没有转人工" }),
    barChart({ id: "intents", title: CHARTS.intents, items: intents, horizontal: true, headings: ["意图", "消息数", "占已识别消息"], empty: "所选日期内没有识别结果" }),
    barChart({ id: "etiquette", title: CHARTS.etiquette, items: flags, horizontal: true, headings: ["客服", "提醒次数", "触发的规则"], empty: "所选日期内没有礼仪提醒" }),
  ];
}

function render(report) {
  $("dash-since").value = report.since;
  $("dash-until").value = report.until;
  $("dash-stats").replaceChildren(...headline(report));
  $("dash-charts").replaceChildren(...charts(report));
  const days = report.days.length;
  $("dash-status").textContent = report.since + " 至 " + report.until + "（" + days + " 天，" + report.timezone + "）";
  $("dashboard").dataset.loaded = report.since + "/" + report.until;
}

async function load(since, until) {
  const query = since || until ? "?since=" + encodeURIComponent(since || "") + "&until=" + encodeURIComponent(until || "") : "";
  const ticket = ++pending;
  $("dash-error").textContent = "";
  $("dash-status").textContent = "加载中…";
  const result = await api.get("/api/agent/supervisor/report" + query);
  if (ticket !== pending) return; // a newer request was made meanwhile
  if (!result.ok) {
    $("dash-status").textContent = "";
    if (result.status !== 401) $("dash-error").textContent = REPORT_ERRORS[result.code] || "读取看板失败：" + result.message;
    return;
  }
  loaded = true;
  render(result.data);
}

function showDashboard() {
  showDesk(); // resets the supervisor view (its refresh timer) before this one takes over
  visible = true;
  for (const view of otherViews()) view.hidden = true;
  $("dashboard").hidden = false;
  for (const tab of viewTabs()) tab.setAttribute("aria-selected", String(tab.id === "tab-dashboard"));
  if (!loaded) load();
}

function hideDashboard() {
  if (!visible) return;
  visible = false;
  $("dashboard").hidden = true;
  $("tab-dashboard").setAttribute("aria-selected", "false");
}

/** Called once the role is known: only supervisors see the 看板 tab. */
export function enableDashboard() {
  const allowed = isSupervisor();
  $("tab-dashboard").hidden = !allowed;
  if (!allowed) hideDashboard();
}

export function initDashboard() {
  $("tab-dashboard").addEventListener("click", showDashboard);
  for (const tab of viewTabs()) {
    if (tab.id !== "tab-dashboard") tab.addEventListener("click", hideDashboard);
  }
  $("dash-range").addEventListener("submit", (event) => {
    event.preventDefault();
    const since = $("dash-since").value;
    const until = $("dash-until").value;
    if (since && until && since > until) {
      $("dash-error").textContent = REPORT_ERRORS.bad_range;
      return;
    }
    load(since, until);
  });
  // Another view shown by code (showDesk() when a conversation opens): step aside.
  const watcher = new MutationObserver(() => {
    if (visible && otherViews().some((v) => !v.hidden)) hideDashboard();
  });
  for (const view of otherViews()) watcher.observe(view, { attributes: true, attributeFilter: ["hidden"] });
}
