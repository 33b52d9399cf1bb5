// Small bar charts drawn as SVG elements (document.createElementNS, text only), each in a
// <figure> with its title, an aria-label summarising every value, and the same numbers in
// a <table> for screen readers and for copying (「查看数据」).
//
// barChart({id, title, items: [{key, label, value, text, kind}], max, target, horizontal,
//           empty, headings, note})
//   items: one bar each; value null draws no bar (the table says 无数据);
//   text: the value as shown; max: the top of the scale (default the largest value);
//   target: {value, label} draws a dashed line across the bars (the 95 % goal);
//   kind: ok | late | warn colours a bar; headings: the table's; note: a line under the title.

import { el } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 560;
const BAR_AREA = { top: 18, bottom: 34, left: 8, right: 8 };
const ROW = 26; // height of one horizontal bar's row
const LABEL_WIDTH = 128; // room for a horizontal bar's label

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  if (text !== undefined) node.textContent = String(text);
  return node;
}

const round = (n) => Math.round(n * 10) / 10;

function bar(item, x, y, width, height) {
  const rect = svg("rect", {
    class: "chart__bar" + (item.kind ? " chart__bar--" + item.kind : ""),
    x: round(x), y: round(y), width: round(Math.max(width, 0)), height: round(Math.max(height, 0)),
    "data-key": item.key, "data-value": item.value, rx: 2,
  });
  rect.append(svg("title", {}, item.label + "：" + item.text));
  return rect;
}

function verticalBars(root, items, max, target) {
  const height = 220;
  const plot = height - BAR_AREA.top - BAR_AREA.bottom;
  const slot = (WIDTH - BAR_AREA.left - BAR_AREA.right) / Math.max(items.length, 1);
  const width = Math.min(slot * 0.7, 56);
  const yOf = (value) => BAR_AREA.top + plot - (plot * value) / max;
  root.setAttribute("viewBox", `0 0 ${WIDTH} ${height}`);
  root.append(svg("line", { class: "chart__axis", x1: 0, x2: WIDTH, y1: yOf(0), y2: yOf(0) }));
  items.forEach((item, i) => {
    const cx = BAR_AREA.left + slot * (i + 0.5);
    if (item.value !== null && item.value !== undefined) {
      root.append(bar(item, cx - width / 2, yOf(item.value), width, yOf(0) - yOf(item.value)));
      root.append(svg("text", { class: "chart__value", x: round(cx), y: round(yOf(item.value) - 4), "text-anchor": "middle" }, item.text));
    }
    root.append(svg("text", { class: "chart__label", x: round(cx), y: height - 14, "text-anchor": "middle" }, item.short || item.label));
  });
  if (target) {
    const y = round(yOf(target.value));
    root.append(svg("line", { class: "chart__target", x1: 0, x2: WIDTH, y1: y, y2: y }));
    root.append(svg("text", { class: "chart__target-label", x: WIDTH - 4, y: y - 4, "text-anchor": "end" }, target.label));
  }
}

function horizontalBars(root, items, max) {
  const height = BAR_AREA.top + items.length * ROW + 4;
  const plot = WIDTH - LABEL_WIDTH - 64;
  root.setAttribute("viewBox", `0 0 ${WIDTH} ${height}`);
  items.forEach((item, i) => {
    const y = BAR_AREA.top + i * ROW;
    const width = item.value ? (plot * item.value) / max : 0;
    root.append(svg("text", { class: "chart__label", x: LABEL_WIDTH - 8, y: y + ROW / 2 + 1, "text-anchor": "end", "dominant-baseline": "middle" }, item.label));
    root.append(bar(item, LABEL_WIDTH, y + 4, width, ROW - 8));
    root.append(svg("text", { class: "chart__value", x: round(LABEL_WIDTH + width + 6), y: y + ROW / 2 + 1, "dominant-baseline": "middle" }, item.text));
  });
}

function dataTable(title, items, headings) {
  const rows = items.map((item) => el("tr", null,
    el("th", { text: item.label, attrs: { scope: "row" } }),
    el("td", { text: item.value === null || item.value === undefined ? "无数据" : item.text }),
    ...(item.extra || []).map((text) => el("td", { text }))));
  return el("details", "chart__data",
    el("summary", { text: "查看数据" }),
    el("table", "sup-table",
      el("caption", { className: "visually-hidden", text: title }),
      el("thead", null, el("tr", null, ...headings.map((h) => el("th", { text: h, attrs: { scope: "col" } })))),
      el("tbody", null, ...rows)));
}

/** A bar chart in a <figure class="card chart" data-chart=id>. */
export function barChart({ id, title, items, max, target, horizontal, empty, headings, note }) {
  const figure = el("figure", { className: "card chart", dataset: { chart: id } });
  figure.append(el("figcaption", null, el("h3", { text: title }), note ? el("p", { className: "chart__note muted", text: note }) : null));
  if (!items.length) {
    figure.append(el("p", { className: "muted", text: empty || "暂无数据" }));
    return figure;
  }
  const values = items.map((item) => item.value).filter((v) => v !== null && v !== undefined);
  const top = Math.max(max || 0, ...values, target ? target.value : 0) || 1;
  const summary = items.map((item) => item.label + " " + (item.value === null || item.value === undefined ? "无数据" : item.text)).join("，");
  const root = svg("svg", { class: "chart__svg", role: "img", "aria-label": title + "：" + summary, preserveAspectRatio: "xMidYMid meet" });
  root.append(svg("title", {}, title));
  if (horizontal) horizontalBars(root, items, top);
  else verticalBars(root, items, top, target);
  figure.append(root, dataTable(title, items, headings || ["项目", "数值"]));
  return figure;
}
