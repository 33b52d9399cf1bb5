// The transcript reader of the trainer's page: every line with its sender's styling, the
// bot's reading of each buyer line (intent + confidence, sentiment, 未识别, entities),
// handoff events as small system lines, and 重新标注 on each buyer line.

import { $, el, button, clock } from "./dom.js";
import { api } from "./api.js";
import {
  eventText, intentText, reasonText, sentimentLabel, READING_SOURCES, REVIEW_FLAGS, TICKET_REASONS, REQUEUE_REASONS,
} from "./labels.js";
import { messageNode } from "./transcript.js";
import { store } from "./store.js";
import { trainerPath, stamp, loadIntents } from "./trainer_data.js";
import { relabelForm } from "./trainer_relabel.js";

let seq = 0;
let openForm = null; // {form, line}

/** The reader's line item in the shape transcript.js draws. */
function asItem(entry) {
  const reading = entry.reading;
  const nlu = reading ? {
    intent: reading.intent ? { name: reading.intent, confidence: reading.confidence } : null,
    sentiment: reading.sentiment || null,
  } : null;
  return {
    message_id: entry.id,
    sender: entry.sender,
    text: entry.text,
    created_at: entry.at,
    agent: entry.agent ? { work_name: entry.agent } : null,
    nlu,
  };
}

// The server's REVIEW_LOW_CONFIDENCE (from /trainer/intents), set when a reader opens.
let lowConfidence = 0;

function readingExtras(reading) {
  const box = el("div", "reader__reading");
  if (!reading) {
    box.append(el("span", { className: "badge", text: "尚无识别结果" }));
    return box;
  }
  const conf = Number(reading.confidence);
  if (reading.intent && Number.isFinite(conf) && conf < lowConfidence) {
    box.append(el("span", { className: "badge flag flag--low", text: REVIEW_FLAGS.low_confidence }));
  }
  if (reading.fallback) box.append(el("span", { className: "badge flag flag--fallback", text: REVIEW_FLAGS.fallback }));
  for (const e of reading.entities || []) {
    box.append(el("span", { className: "chip", text: e.entity + "：" + e.value }));
  }
  if (reading.source && READING_SOURCES[reading.source]) {
    box.append(el("span", { className: "reader__source muted", text: READING_SOURCES[reading.source] }));
  }
  return box;
}

/** "已重新标注为 问尺码 · 负面（训练师01 11-23 14:03）" */
export function relabelNote(relabel) {
  const parts = [intentText(relabel.intent) || relabel.intent];
  if (relabel.sentiment) parts.push(sentimentLabel(relabel.sentiment));
  const who = [relabel.by && (relabel.by.work_name || relabel.by), stamp(relabel.at)].filter(Boolean).join(" ");
  return el("p", {
    className: "reader__relabel",
    text: "已重新标注为 " + parts.join(" · ") + (who ? "（" + who + "）" : ""),
    attrs: { title: relabel.intent },
  });
}

function closeForm() {
  if (!openForm) return;
  const { form, opener } = openForm;
  openForm = null;
  form.remove();
  opener.setAttribute("aria-expanded", "false");
  opener.focus();
}

function toggleForm(entry, line, opener) {
  const same = openForm && openForm.line === line;
  closeForm();
  if (same) return;
  const form = relabelForm(entry, {
    onCancel: closeForm,
    onSaved: (saved) => {
      const relabel = { by: store.me && store.me.work_name, at: new Date().toISOString(), ...saved };
      const old = line.querySelector(".reader__relabel");
      const note = relabelNote(relabel);
      if (old) old.replaceWith(note); else opener.before(note);
    },
  });
  opener.after(form);
  opener.setAttribute("aria-expanded", "true");
  openForm = { form, line, opener };
}

function buyerLine(entry) {
  const line = messageNode(asItem(entry));
  line.classList.add("reader__line");
  line.append(readingExtras(entry.reading));
  if (entry.relabel) line.append(relabelNote(entry.relabel));
  const opener = button("重新标注", "small relabel-open", () => toggleForm(entry, line, opener), {
    "aria-expanded": "false",
    "aria-label": "重新标注：" + (entry.text || "").slice(0, 30),
  });
  line.append(opener);
  return line;
}

// What an event's detail says, in Chinese (bot/handoff: requested, ticket, requeued, closed).
function detailBits(entry) {
  const detail = entry.detail && typeof entry.detail === "object" ? entry.detail : {};
  const bits = [];
  if (detail.reason) {
    const reason = String(detail.reason);
    bits.push(entry.event === "ticket" ? TICKET_REASONS[reason] || reason : reasonText(reason));
  }
  if (detail.why) bits.push(REQUEUE_REASONS[detail.why] || String(detail.why));
  if (detail.ticket_id !== undefined && detail.ticket_id !== null) bits.push("工单 #" + detail.ticket_id);
  if (detail.note) bits.push("备注：" + String(detail.note));
  return bits;
}

function eventLine(entry) {
  const bits = [eventText(entry.event)];
  if (entry.agent) bits.push(entry.agent.work_name || entry.agent);
  bits.push(...detailBits(entry));
  return el("li", { className: "msg msg--system msg--event", dataset: { event: entry.event || "" } },
    el("div", { className: "msg__text" },
      el("time", { text: clock(entry.at), attrs: { datetime: entry.at } }), " ", bits.join(" · ")));
}

function render(data) {
  const entries = Array.isArray(data.entries) ? data.entries : [];
  const buyer = entries.filter((e) => e.kind === "message" && e.sender === "buyer").length;
  $("reader-title").textContent = "会话 " + (data.tag || String(data.id || "").slice(0, 8));
  $("reader-title").title = data.id || "";
  $("reader-meta").textContent = stamp(data.started_at) + " 开始 · 共 " + entries.length + " 条 · 买家 " + buyer + " 句";
  $("reader-log").replaceChildren(...entries.map((e) => {
    if (e.kind === "event") return eventLine(e);
    return e.sender === "buyer" ? buyerLine(e) : messageNode(asItem(e));
  }));
}

/** Show conversation `cid` in the reader. */
export async function openReader(cid) {
  const mine = ++seq;
  openForm = null;
  $("reader-empty").hidden = true;
  $("reader-body").hidden = false;
  $("reader-meta").textContent = "加载中…";
  const [result, known] = await Promise.all([api.get(trainerPath("conversations", cid)), loadIntents()]);
  if (mine !== seq) return;
  lowConfidence = known.low_confidence;
  if (!result.ok) {
    $("reader-log").replaceChildren();
    $("reader-meta").textContent = "加载会话失败：" + result.message;
    return;
  }
  render(result.data);
  $("reader-log").scrollTop = 0;
}

export function initReader() {
  $("reader-log").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && openForm) {
      event.preventDefault();
      closeForm();
    }
  });
}
