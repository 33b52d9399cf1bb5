// The evaluation report of a training job: accuracy and macro F1 of the new model against
// the one in service, the verdict, the per-intent table and the confusion matrix (the
// server's picture, and the same numbers as a heat-map table).

import { el, percent } from "./dom.js";
import { trainerPath, intentName, score } from "./trainer_data.js";

const HEAT_STEPS = 6;

function delta(next, base) {
  const a = Number(next);
  const b = Number(base);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return el("span", { className: "delta", text: "" });
  const d = a - b;
  const kind = Math.abs(d) < 0.0005 ? "same" : d > 0 ? "up" : "down";
  const sign = d > 0 ? "+" : d < 0 ? "−" : "±";
  return el("span", { className: "delta delta--" + kind, text: sign + Math.abs(d).toFixed(3) });
}

function metric(label, next, base) {
  return el("div", { className: "metric", attrs: { role: "group", "aria-label": label } },
    el("span", { className: "metric__label", text: label }),
    el("span", { className: "metric__value", text: score(next) }),
    el("span", { className: "metric__base muted", text: "当前模型 " + score(base) }),
    delta(next, base));
}

function verdictNode(verdict) {
  const ok = Boolean(verdict && verdict.not_worse);
  const reasons = verdict && Array.isArray(verdict.reasons) ? verdict.reasons : [];
  return el("div", { className: "verdict", dataset: { ok: String(ok) }, attrs: { role: "status" } },
    el("strong", { text: ok ? "新模型不比当前模型差，可以激活。" : "新模型比当前模型差，不能激活。" }),
    reasons.length ? el("ul", null, ...reasons.map((r) => el("li", { text: String(r) }))) : null);
}

function intentsTable(intents) {
  const head = ["意图", "精确率", "召回率", "F1", "当前模型 F1", "变化", "样本数"];
  const rows = intents.map((i) => {
    const worse = Number.isFinite(Number(i.baseline_f1)) && Number(i.f1) < Number(i.baseline_f1) - 0.0005;
    return el("tr", { className: worse ? "is-worse" : "", dataset: { intent: i.name } },
      el("th", { text: intentName(i.name), attrs: { scope: "row" } }),
      el("td", { text: score(i.precision) }),
      el("td", { text: score(i.recall) }),
      el("td", { text: score(i.f1) }),
      el("td", { text: score(i.baseline_f1) }),
      el("td", null, delta(i.f1, i.baseline_f1)),
      el("td", { text: String(i.support ?? "") }));
  });
  return el("table", "sup-table report-table",
    el("caption", { text: "各意图的表现（留出集）" }),
    el("thead", null, el("tr", null, ...head.map((h) => el("th", { text: h, attrs: { scope: "col" } })))),
    el("tbody", null, ...rows));
}

/** The confusion matrix as a table whose cells are shaded by their share of the row. */
function heatTable(confusion) {
  const labels = Array.isArray(confusion.labels) ? confusion.labels : [];
  const matrix = Array.isArray(confusion.matrix) ? confusion.matrix : [];
  const rows = labels.map((label, r) => {
    const row = Array.isArray(matrix[r]) ? matrix[r] : [];
    const sum = row.reduce((a, n) => a + (Number(n) || 0), 0);
    return el("tr", null, el("th", { text: label, attrs: { scope: "row", title: intentName(label) } }),
      ...labels.map((_, c) => {
        const n = Number(row[c]) || 0;
        const step = sum && n ? Math.max(1, Math.round((HEAT_STEPS - 1) * n / sum)) : 0;
        return el("td", {
          className: "heat heat-" + step + (r === c ? " heat--diag" : ""),
          text: n ? String(n) : "",
          attrs: { title: label + " → " + labels[c] + "：" + n + (sum ? "（" + percent(n / sum) + "）" : "") },
        });
      }));
  });
  return el("table", "heat-table",
    el("caption", { text: "行：真实意图；列：预测意图" }),
    el("thead", null, el("tr", null, el("td"), ...labels.map((l) => el("th", { attrs: { scope: "col", title: l } }, el("span", { text: l }))))),
    el("tbody", null, ...rows));
}

/** The report of job `jobId` (null when the job has none yet). */
export function reportNode(report, jobId) {
  if (!report) return null;
  const next = report.new || {};
  const base = report.baseline || {};
  const intents = Array.isArray(report.intents) ? report.intents : [];
  const box = el("div", { className: "report", dataset: { job: jobId } },
    el("div", "metrics",
      metric("准确率", next.accuracy, base.accuracy),
      metric("宏平均 F1", next.macro_f1, base.macro_f1)),
    verdictNode(report.verdict));
  if (intents.length) box.append(el("div", "card report__intents", intentsTable(intents)));
  const picture = el("img", {
    className: "confusion",
    attrs: { src: trainerPath("training", jobId, "confusion.png"), alt: "新模型在留出集上的混淆矩阵", loading: "lazy" },
  });
  picture.addEventListener("error", () => { picture.hidden = true; });
  const figure = el("figure", "card report__confusion", el("figcaption", { text: "混淆矩阵" }), picture);
  if (report.confusion && Array.isArray(report.confusion.labels) && report.confusion.labels.length) {
    figure.append(el("details", null, el("summary", { text: "表格形式" }), el("div", "heat-scroll", heatTable(report.confusion))));
  }
  box.append(figure);
  return box;
}
