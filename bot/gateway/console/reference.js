// "店铺信息": the promotions, shipping and returns rules the bot answers from
// (GET /api/agent/shop), so that agents quote the same facts.

import { $, el, button, yuan } from "./dom.js";
import { api } from "./api.js";

const text = (v) => (v === undefined || v === null ? "" : String(v));
const list = (items) => (items.length ? el("ul", "ref__list", ...items.map((i) => el("li", { text: i }))) : null);

function rows(pairs) {
  const dl = el("dl", "facts");
  for (const [label, value] of pairs) {
    if (value === undefined || value === null || value === "") continue;
    dl.append(el("dt", { text: label }), el("dd", null, value));
  }
  return dl.childElementCount ? dl : null;
}

function promotions(p) {
  const coupons = (p.coupons || []).map((c) => [c.name, c.label].filter(Boolean).join("：") + (c.how ? "（" + c.how + "）" : ""));
  const member = p.member_discount ? [text(p.member_discount.label), p.member_discount.how ? "（" + p.member_discount.how + "）" : ""].join("") : "";
  const b = p.bargaining;
  const bargaining = b
    ? (Number(b.max_extra_off) > 0
      ? "最多再优惠 " + yuan(b.max_extra_off) + (b.min_spend ? "，需满 " + yuan(b.min_spend) : "") + (b.how ? "；" + b.how : "")
      : "价格已是最低，不再议价")
    : "";
  return rows([
    ["满减", list((p.threshold_discounts || []).map((d) => text(d.label)))],
    ["优惠券", list(coupons)],
    ["会员价", member],
    ["叠加规则", text(p.stackable)],
    ["活动截止", text(p.ends)],
    ["价保", text(p.price_protection)],
    ["议价", bargaining],
  ]);
}

function shipping(s) {
  const carriers = (s.carriers || []).map((c) => c.name + (Number(c.extra_fee) > 0 ? "（加 " + yuan(c.extra_fee) + "）" : ""));
  const regions = s.regions || {};
  const groups = (regions.groups || []).map((g) =>
    g.name + "：" + text(g.days) + " 天" + (Number(g.extra_fee) > 0 ? "，加收 " + yuan(g.extra_fee) : "") +
    (g.free_shipping === false ? "，不包邮" : "") + (g.provinces ? "（" + g.provinces.join("、") + "）" : ""));
  if (regions.default) groups.push("其他地区：" + text(regions.default.days) + " 天");
  const none = (regions.no_delivery || []).map((n) => n.name + "：" + text(n.reason));
  return rows([
    ["发货地", text(s.warehouse)],
    ["包邮", s.free_shipping_min_spend !== undefined ? "满 " + yuan(s.free_shipping_min_spend) + " 包邮" : ""],
    ["基础运费", s.base_fee !== undefined ? yuan(s.base_fee) : ""],
    ["发货时间", text(s.dispatch)],
    ["默认快递", text(s.default_carrier)],
    ["可选快递", list(carriers)],
    ["指定快递", text(s.carrier_request)],
    ["时效", list(groups)],
    ["不发货地区", list(none)],
  ]);
}

function returns(r) {
  const postage = r.postage || {};
  return rows([
    ["七天无理由", r.no_reason_days !== undefined ? r.no_reason_days + " 天（签收起算）" : ""],
    ["退换条件", text(r.conditions)],
    ["不支持", text(r.excluded)],
    ["质量问题", r.quality_days !== undefined ? r.quality_days + " 天内店铺承担来回运费" : ""],
    ["所需凭证", text(r.quality_evidence)],
    ["运费", list([postage.no_reason, postage.quality].filter(Boolean))],
    ["运费险", text(r.freight_insurance)],
    ["办理步骤", (r.steps || []).length ? el("ol", "ref__list", ...r.steps.map((s) => el("li", { text: s }))) : null],
    ["退款时效", r.refund_days !== undefined ? r.refund_days + " 个工作日（仓库收货后）" : ""],
    ["退款去向", text(r.refund_to)],
    ["换货", text(r.exchange)],
  ]);
}

function shop(s) {
  return rows([
    ["店铺", text(s.shop_name)],
    ["服务时间", text(s.service_hours)],
    ["回电承诺", text(s.callback_promise)],
    ["人工接入", text(s.handoff_wait)],
  ]);
}

function section(title, body, open) {
  const details = el("details", "ref");
  details.open = Boolean(open);
  details.append(el("summary", { text: title }), body || el("p", { className: "muted", text: "暂无信息" }));
  return details;
}

async function load() {
  const box = $("shop-info-body");
  box.replaceChildren(el("p", { className: "muted", text: "加载中…" }));
  const result = await api.get("/api/agent/shop");
  if (!result.ok) {
    if (result.status === 401) return;
    box.replaceChildren(
      el("p", { className: "error", text: "店铺信息加载失败：" + result.message }),
      button("重试", "small", load));
    return;
  }
  const d = result.data;
  box.replaceChildren(
    section("优惠活动", promotions(d.promotions || {}), true),
    section("物流运费", shipping(d.shipping || {})),
    section("退换货", returns(d.returns || {})),
    section("店铺", shop(d.shop || {})));
}

export function initReference() {
  load();
}
