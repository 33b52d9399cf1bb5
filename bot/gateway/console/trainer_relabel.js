// 重新标注: the small form under a buyer line. Pick an intent (or type a new one) and
// optionally a sentiment; 检查 asks the server what writing it would cause (conflict,
// near-duplicate, thin intent, new intent, no rule); 确认 writes the example into
// data/nlu and shows the files written. 确认 is only enabled for what was just checked.

import { el, button, percent } from "./dom.js";
import { api } from "./api.js";
import { sentimentLabel, warningText, intentText } from "./labels.js";
import { TRAINER_API, loadIntents, intentName, INTENT_NAME } from "./trainer_data.js";

const NEW_INTENT = "__new__";
const SEVERITY = { conflict: "high", duplicate: "high", near_duplicate: "medium", thin_intent: "medium", no_rule: "medium", new_intent: "info" };
const ERRORS = {
  bad_intent: "意图名称不合法：只能用小写英文字母、数字和下划线，并以字母开头",
  bad_label: "情绪只能是负面、中性或正面",
  bad_text: "这句话不能作为训练样例（为空或过长）",
  bad_annotation: "实体标注格式不正确",
  bad_file: "训练数据文件有问题，请先在数据健康里检查",
  write_failed: "写入训练数据失败，请稍后重试",
  not_found: "这条买家消息已不存在（可能已过保留期被删除）",
};
let counter = 0;

const quote = (text) => "「" + text + "」";
const intentLabel = (name) => (name ? intentText(name) + (intentText(name) !== name ? "（" + name + "）" : "") : "");

/** One warning as a sentence (the kinds the server sends, anything else generically). */
function warningDetail(w) {
  const sim = w.similarity !== undefined && w.similarity !== null ? "，相似度 " + percent(w.similarity) : "";
  switch (w.kind) {
    case "duplicate":
      return (w.other_text ? quote(w.other_text) : "这句话") + " 已是 " + intentLabel(w.other_intent || w.intent) + " 的样例";
    case "conflict":
      return (w.other_text ? quote(w.other_text) : "相同的话") + " 已标为 " + intentLabel(w.other_intent) + sim;
    case "near_duplicate":
      return "与 " + quote(w.other_text || "") + "（" + intentLabel(w.other_intent || w.intent) + "）很相似" + sim;
    case "thin_intent":
      return intentLabel(w.intent) + " 的样例偏少" + (w.count !== undefined && w.count !== null ? "（加上这句共 " + w.count + " 条）" : "") + "，建议多补充几条";
    case "new_intent":
      return "将新建意图 " + (w.intent || "") + "，需要在 domain.yml 和规则里加上它的回答";
    case "no_rule":
      return intentLabel(w.intent) + " 还没有规则或故事，训练后机器人不知道怎么回答";
    default:
      return [w.text && quote(w.text), w.other_text && quote(w.other_text), intentLabel(w.other_intent)].filter(Boolean).join(" · ");
  }
}

/** The list of warnings of a check (or "没有发现问题"). */
export function warningList(warnings) {
  if (!warnings.length) return el("p", { className: "relabel__ok", text: "检查通过：没有发现冲突或重复。" });
  return el("ul", { className: "relabel__warnings", attrs: { "aria-label": "检查结果" } },
    ...warnings.map((w) => el("li", { className: "warning", dataset: { kind: w.kind || "", severity: SEVERITY[w.kind] || "medium" } },
      el("strong", { text: warningText(w.kind) }), " ", el("span", { text: warningDetail(w) }))));
}

function field(id, label, control) {
  return el("div", "relabel__field", el("label", { text: label, attrs: { for: id } }), control);
}

function intentSelect(id, data, current) {
  const select = el("select", { attrs: { id } });
  for (const intent of data.intents) {
    const text = intentName(intent.name) + " (" + (Number(intent.examples) || 0) + ")" + (intent.thin ? " · 样例少" : "");
    select.append(el("option", { text, attrs: { value: intent.name } }));
  }
  select.append(el("option", { text: "新意图…", attrs: { value: NEW_INTENT } }));
  select.value = data.intents.some((i) => i.name === current) ? current : (data.intents[0] ? data.intents[0].name : NEW_INTENT);
  return select;
}

function sentimentSelect(id, data) {
  return el("select", { attrs: { id } },
    el("option", { text: "不修改", attrs: { value: "" } }),
    ...data.sentiments.map((s) => el("option", { text: sentimentLabel(s), attrs: { value: s } })));
}

function failure(result) {
  const reason = typeof result.data.reason === "string" ? result.data.reason : "";
  return ERRORS[result.code] || (result.status === 422 ? "无法写入：" + (reason || result.message) : result.message);
}

/** One open form: its controls, and the body the last successful check was for. */
class RelabelForm {
  constructor(entry, { onSaved, onCancel }) {
    const n = ++counter;
    this.ids = { intent: "rl-intent-" + n, name: "rl-name-" + n, sentiment: "rl-sentiment-" + n };
    this.entry = entry;
    this.onSaved = onSaved;
    this.onCancel = onCancel;
    this.checked = null;
    this.form = el("form", { className: "relabel", attrs: { "aria-label": "重新标注这句话", novalidate: "" } },
      el("p", { className: "muted", text: "加载意图…" }));
    this.result = el("div", { className: "relabel__result", attrs: { role: "status", "aria-live": "polite" } });
    this.error = el("p", { className: "error", attrs: { role: "alert" } });
    this.checkButton = el("button", { className: "small", type: "submit", text: "检查" });
    this.confirmButton = button("确认写入", "primary small relabel-confirm", () => this.confirm());
    this.confirmButton.disabled = true;
    this.form.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    });
    loadIntents().then((data) => this.build(data));
  }

  build(data) {
    const { entry, ids } = this;
    const current = (entry.relabel && entry.relabel.intent) || (entry.reading && entry.reading.intent) || "";
    this.intent = intentSelect(ids.intent, data, current);
    this.name = el("input", { attrs: { id: ids.name, placeholder: "例如 ask_gift_wrap", autocomplete: "off", maxlength: "64", spellcheck: "false" } });
    this.nameField = field(ids.name, "新意图名称（小写英文、数字、下划线）", this.name);
    this.nameField.hidden = this.intent.value !== NEW_INTENT;
    this.sentiment = sentimentSelect(ids.sentiment, data);
    this.form.replaceChildren(
      el("div", "relabel__fields", field(ids.intent, "意图", this.intent), this.nameField, field(ids.sentiment, "情绪", this.sentiment)),
      this.result, this.error,
      el("div", "relabel__actions", this.checkButton, this.confirmButton, button("取消", "ghost small", () => this.onCancel())));
    this.form.addEventListener("input", () => this.changed());
    this.form.addEventListener("change", () => this.changed());
    this.intent.addEventListener("change", () => { if (this.intent.value === NEW_INTENT) this.name.focus(); });
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.check(); });
    if (this.form.isConnected) this.intent.focus();
  }

  body() {
    const intent = this.intent.value === NEW_INTENT ? this.name.value.trim() : this.intent.value;
    return { message_id: this.entry.id, intent, ...(this.sentiment.value ? { sentiment: this.sentiment.value } : {}) };
  }

  changed() {
    this.nameField.hidden = this.intent.value !== NEW_INTENT;
    if (this.checked) this.result.replaceChildren(el("p", { className: "muted", text: "已修改，请重新检查。" }));
    this.checked = null;
    this.confirmButton.disabled = true;
    this.error.textContent = "";
  }

  async check() {
    const wanted = this.body();
    if (!INTENT_NAME.test(wanted.intent)) {
      this.error.textContent = ERRORS.bad_intent;
      this.name.focus();
      return;
    }
    this.checkButton.disabled = true;
    const answer = await api.post(TRAINER_API + "/relabel/check", wanted);
    this.checkButton.disabled = false;
    if (!answer.ok) { this.error.textContent = failure(answer); return; }
    const warnings = Array.isArray(answer.data.warnings) ? answer.data.warnings : [];
    const text = answer.data.text ?? this.entry.text ?? "";
    this.result.replaceChildren(
      el("p", { className: "relabel__text", text: "将写入样例：" + quote(text) + " → " + intentLabel(wanted.intent) }),
      warningList(warnings));
    this.checked = JSON.stringify(wanted);
    this.confirmButton.disabled = false;
    this.confirmButton.focus();
  }

  async confirm() {
    const wanted = this.body();
    if (this.checked !== JSON.stringify(wanted)) return;
    this.confirmButton.disabled = true;
    this.checkButton.disabled = true;
    const answer = await api.post(TRAINER_API + "/relabel", wanted);
    this.checkButton.disabled = false;
    if (!answer.ok) {
      this.error.textContent = failure(answer);
      this.confirmButton.disabled = false;
      return;
    }
    const files = Array.isArray(answer.data.files) ? answer.data.files : [];
    const written = "已写入 " + (files.join("、") || "训练数据") + (answer.data.new_intent ? "，新意图已加入 domain.yml" : "");
    const done = el("p", { className: "relabel__done", text: written, attrs: { tabindex: "-1" } });
    this.form.replaceChildren(done, el("div", "relabel__actions", button("关闭", "small", () => this.onCancel())));
    done.focus();
    this.onSaved(answer.data.relabel || { intent: wanted.intent, sentiment: wanted.sentiment || null }, files);
    loadIntents(true); // the counts (and maybe the list) changed
  }
}

/**
 * The form for buyer line `entry`; `onSaved(relabel, files)` after a write, `onCancel()`
 * to close it. Esc in the form also cancels.
 */
export function relabelForm(entry, callbacks) {
  return new RelabelForm(entry, callbacks).form;
}
