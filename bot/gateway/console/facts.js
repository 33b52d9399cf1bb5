// The side panel's "会话信息": why the buyer was handed over, what the bot understood
// (slots) and the facts of the order the buyer talks about.

import { $, el, factList, when, yuan } from "./dom.js";
import { reasonText, intentText, slotText, sentimentLabel, STAGES } from "./labels.js";
import { on } from "./store.js";
import { currentConv } from "./conversation.js";

function handoffFacts(conv) {
  const h = conv.handoff;
  if (!h) return factList([["状态", "机器人接待中"]]);
  const sentiment = h.sentiment
    ? sentimentLabel(h.sentiment.label) + " " + Math.round(Number(h.sentiment.confidence || 0) * 100) + "%"
    : "";
  return factList([
    ["转人工原因", reasonText(h.reason)],
    ["买家情绪", sentiment],
    ["意图", h.intent ? intentText(h.intent) : ""],
    ["转人工时间", when(h.triggered_at)],
    ["阶段", h.state === "waiting" ? STAGES[h.stage] || h.stage : ""],
    ["接待客服", h.accepted_by ? h.accepted_by.work_name : ""],
    ["接入时间", h.accepted_at ? when(h.accepted_at) : ""],
  ]);
}

function slotFacts(conv) {
  const slots = (conv.data && conv.data.slots) || (conv.handoff && conv.handoff.slots) || {};
  const pairs = Object.entries(slots)
    .filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length))
    .map(([name, v]) => [slotText(name), Array.isArray(v) ? v.join("、") : typeof v === "object" ? JSON.stringify(v) : String(v)]);
  return factList(pairs) || el("p", { className: "muted", text: "机器人还没有识别到商品、尺码或订单信息。" });
}

function orderFacts(conv) {
  const order = conv.data && conv.data.order;
  if (!order) return el("p", { className: "muted", text: "买家没有提到有效的订单号。" });
  const box = el("div", "order");
  box.append(factList([
    ["订单号", order.id],
    ["状态", order.status],
    ["金额", order.total !== undefined && order.total !== null ? yuan(order.total) : ""],
    ["收货地区", order.region],
    ["快递", order.carrier],
    ["运单号", order.tracking_no],
    ["付款", order.paid_at],
    ["发货", order.shipped_at],
    ["签收", order.delivered_at],
  ]));
  const items = Array.isArray(order.items) ? order.items : [];
  if (items.length) {
    box.append(el("h4", { text: "商品" }), el("ul", "order__items", ...items.map((it) => el("li", {
      text: [it.name || it.product_id, [it.colour, it.size].filter(Boolean).join(" "), "×" + (it.qty ?? 1)]
        .filter(Boolean).join(" · "),
    }))));
  }
  const tracking = Array.isArray(order.tracking) ? order.tracking : [];
  if (tracking.length) {
    box.append(el("h4", { text: "物流轨迹" }), el("ol", "order__tracking", ...tracking.slice().reverse().map((t) =>
      el("li", null, el("time", { text: t.time || "" }), el("span", { text: t.event || "" })))));
  }
  return box;
}

function render() {
  const conv = currentConv();
  const section = $("conv-info");
  section.hidden = !conv;
  if (!conv) return;
  $("conv-facts").replaceChildren(handoffFacts(conv) || "");
  $("conv-slots").replaceChildren(slotFacts(conv));
  $("order-facts").replaceChildren(conv.data ? orderFacts(conv) : el("p", { className: "muted", text: "加载中…" }));
}

export function initFacts() {
  on("conv:select", render);
  on("conv:data", (conv) => { if (conv === currentConv()) render(); });
  on("handoff", ({ view }) => {
    const conv = currentConv();
    if (conv && conv.cid === view.conversation_id) render();
  });
  render();
}
