// One transcript line (.msg[data-sender]) with its badges: intent + confidence and
// sentiment on buyer lines, etiquette flags on agent lines, buttons and product cards on bot lines.

import { el, clock, percent, yuan } from "./dom.js";
import { SENDERS, intentText, sentimentLabel } from "./labels.js";

const STOCK = { in_stock: "有货", low_stock: "库存紧张", out_of_stock: "暂时缺货" };

function author(item) {
  if (item.sender !== "agent") return SENDERS[item.sender] || "系统";
  const agent = (item.custom && item.custom.agent) || item.agent;
  return agent && agent.work_name ? agent.work_name : "客服";
}

/** Intent and sentiment badges of a buyer line (null when the bot did not parse it). */
export function nluBadges(nlu) {
  if (!nlu) return null;
  const box = el("div", { className: "msg__badges", attrs: { "aria-label": "机器人识别结果" } });
  if (nlu.intent && nlu.intent.name) {
    box.append(el("span", {
      className: "badge intent",
      text: "意图 " + intentText(nlu.intent.name) + " " + percent(nlu.intent.confidence),
      attrs: { title: "意图：" + nlu.intent.name },
    }));
  }
  if (nlu.sentiment && nlu.sentiment.label) {
    box.append(el("span", {
      className: "badge sentiment",
      text: "情绪 " + sentimentLabel(nlu.sentiment.label) + " " + percent(nlu.sentiment.confidence),
      dataset: { label: nlu.sentiment.label },
    }));
  }
  return box.childElementCount ? box : null;
}

/** The etiquette rules an agent line broke (recorded for review). */
export function etiquetteNote(violations) {
  if (!Array.isArray(violations) || !violations.length) return null;
  const names = violations.map((v) => v.name || v.rule_id).filter(Boolean);
  return el("p", {
    className: "msg__etiquette",
    text: "礼仪提醒：" + [...new Set(names)].join("、"),
    attrs: { title: violations.map((v) => v.message).filter(Boolean).join("\n") },
  });
}

function productCard(card) {
  if (!card || typeof card !== "object") return null;
  const stock = STOCK[card.stock_state] || "";
  const spec = [card.colour, card.size].filter(Boolean).join(" ");
  return el("div", { className: "msg__card", attrs: { "aria-label": "商品卡片" } },
    el("strong", { text: card.name || "商品" }),
    spec ? el("span", { text: spec }) : null,
    card.price !== undefined && card.price !== null ? el("span", { className: "price", text: yuan(card.price) }) : null,
    stock ? el("span", { className: "stock", text: stock, dataset: { state: card.stock_state } }) : null);
}

export function messageNode(item, options = {}) {
  const sender = SENDERS[item.sender] ? item.sender : "system";
  const node = el("li", {
    className: "msg msg--" + sender,
    dataset: { sender, messageId: item.message_id },
  });
  const mine = options.isMine && sender === "agent" && options.isMine(item);
  node.append(el("div", "msg__meta",
    el("span", { className: "msg__author", text: author(item) + (mine ? "（我）" : "") }),
    el("time", { className: "msg__time", text: clock(item.created_at), attrs: { datetime: item.created_at } })));
  node.append(el("div", { className: "msg__text", text: item.text || "" }));
  const card = item.custom && item.custom.product_card;
  if (card) node.append(productCard(card));
  const titles = (item.buttons || []).map((b) => b && b.title).filter(Boolean);
  if (titles.length) {
    node.append(el("div", "msg__buttons", "快捷按钮：",
      ...titles.map((t) => el("span", { className: "chip", text: t }))));
  }
  if (sender === "buyer") {
    const badges = nluBadges(item.nlu);
    if (badges) node.append(badges);
  }
  if (sender === "agent") {
    const note = etiquetteNote(item.etiquette);
    if (note) node.append(note);
  }
  return node;
}

/** Add what a later fetch knows about a line already shown (NLU badges, etiquette flags). */
export function enrich(node, item) {
  if (item.sender === "buyer" && item.nlu && !node.querySelector(".msg__badges")) {
    const badges = nluBadges(item.nlu);
    if (badges) node.append(badges);
  }
  if (item.sender === "agent" && item.etiquette && item.etiquette.length && !node.querySelector(".msg__etiquette")) {
    node.append(etiquetteNote(item.etiquette));
  }
  const time = node.querySelector(".msg__time");
  if (time && item.created_at && !time.getAttribute("datetime")) {
    time.textContent = clock(item.created_at);
    time.setAttribute("datetime", item.created_at);
  }
}
