// Small DOM and formatting helpers. Data is only ever inserted as text (textContent /
// createElement / setAttribute): never innerHTML, so a buyer's "<img onerror=…>" stays text.

/**
 * Create an element. `props`: a class string, or an object of
 * {className, text, attrs: {name: value}, dataset: {key: value}, hidden, type, on: {event: fn}}.
 */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  if (typeof props === "string") {
    node.className = props;
  } else if (props) {
    if (props.className) node.className = props.className;
    if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
    if (props.type) node.type = props.type;
    if (props.hidden) node.hidden = true;
    if (props.title) node.title = props.title;
    for (const [name, value] of Object.entries(props.attrs || {})) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
    }
    for (const [key, value] of Object.entries(props.dataset || {})) {
      if (value !== undefined && value !== null) node.dataset[key] = String(value);
    }
    for (const [event, fn] of Object.entries(props.on || {})) node.addEventListener(event, fn);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A real <button type="button">. */
export function button(label, className, onClick, attrs) {
  return el("button", { className, text: label, type: "button", attrs, on: onClick ? { click: onClick } : {} });
}

export const $ = (id) => document.getElementById(id);

/** "14:03:27" in local time, "" for a bad date. */
export function clock(iso) {
  const date = iso ? new Date(iso) : new Date();
  return isNaN(date) ? "" : date.toLocaleTimeString("zh-CN", { hour12: false });
}

/** "11-20 14:03" for dates that are not today, else the clock. */
export function when(iso) {
  const date = new Date(iso);
  if (isNaN(date)) return "";
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return clock(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
}

/** 0.934 → "93%". */
export function percent(value) {
  const n = Number(value);
  return Number.isFinite(n) ? Math.round(n * 100) + "%" : "";
}

/** 199 → "¥199.00". */
export function yuan(value) {
  const n = Number(value);
  return Number.isFinite(n) ? "¥" + n.toFixed(2) : String(value ?? "");
}

/** Seconds → "45 秒" / "3 分 05 秒" / "1 小时 02 分". */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  if (s < 60) return s + " 秒";
  if (s < 3600) return Math.floor(s / 60) + " 分 " + String(s % 60).padStart(2, "0") + " 秒";
  return Math.floor(s / 3600) + " 小时 " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + " 分";
}

/** A <dl> of [label, value] pairs; empty values are skipped. Returns null when empty. */
export function factList(pairs, className = "facts") {
  const list = el("dl", className);
  for (const [label, value] of pairs) {
    if (value === undefined || value === null || value === "") continue;
    list.append(el("dt", { text: label }), el("dd", null, value));
  }
  return list.childElementCount ? list : null;
}
