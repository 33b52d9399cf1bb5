// Ending a conversation: #handback (转回机器人) and #close-conv (结束会话, asks for a note
// in #close-dialog).

import { $ } from "./dom.js";
import { api, convPath } from "./api.js";
import { currentConv, closeTab } from "./conversation.js";
import { applyHandoff } from "./queue.js";
import { toast } from "./header.js";

async function end(action, body, doneText) {
  const conv = currentConv();
  if (!conv) return false;
  $("handback").disabled = true;
  $("close-conv").disabled = true;
  const result = await api.post(convPath(conv.cid, action), body);
  if (!result.ok) {
    if (result.status !== 401) toast(doneText + "失败：" + result.message, "error");
    if (currentConv() === conv) {
      $("handback").disabled = false;
      $("close-conv").disabled = false;
    }
    return false;
  }
  applyHandoff(action === "handback" ? "handed_back" : "closed", result.data.handoff);
  conv.draft = ""; // the conversation is over: its draft goes with it
  closeTab(conv.cid);
  toast(doneText + "成功" + (result.data.handoff ? "（#" + result.data.handoff.id + "）" : ""));
  return true;
}

function openCloseDialog() {
  const dialog = $("close-dialog");
  $("close-note").value = "";
  $("close-error").textContent = "";
  dialog.showModal();
  $("close-note").focus();
}

export function initActions() {
  $("handback").addEventListener("click", () => end("handback", {}, "转回机器人"));
  $("close-conv").addEventListener("click", openCloseDialog);
  $("close-cancel").addEventListener("click", () => $("close-dialog").close());
  $("close-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const note = $("close-note").value.trim();
    if (note.length > 2000) {
      $("close-error").textContent = "备注不能超过 2000 字";
      return;
    }
    $("close-confirm").disabled = true;
    const done = await end("close", note ? { note } : {}, "结束会话");
    $("close-confirm").disabled = false;
    if (done) $("close-dialog").close();
    else $("close-error").textContent = "结束会话失败，请重试";
  });
}
