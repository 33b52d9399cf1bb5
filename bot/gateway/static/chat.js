// Buyer chat page for the shop assistant gateway.
// Every text from the server or the buyer is inserted with textContent, never innerHTML.
(function () {
  "use strict";

  var STORAGE_KEY = "xiaodian.conversation_id";
  var MAX_RETRY_MS = 15000;
  var TEXT = {
    connecting: "正在连接…",
    online: "客服在线,欢迎咨询",
    reconnecting: "网络连接中断,正在为您重新连接…",
    waiting: "正在为您转接人工客服…",
    human: "{name}已接入",
    humanUnnamed: "人工客服已接入",
    bot: "已转回智能客服",
    closed: "人工服务已结束,已转回智能客服",
    callbackHint: "不想等待?留下手机号,客服稍后给您回电:",
    callbackBusy: "客服暂时都在忙,您可以留下手机号,我们尽快给您回电:",
    badPhone: "请填写正确的手机号(5到20位数字)",
    offline: "网络连接中断,请稍后再提交",
  };
  // The same check as the gateway's: digits with optional +, spaces and dashes.
  var PHONE_PATTERN = /^\+?[\d\s-]{5,30}$/;

  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var statusLine = document.getElementById("status");
  var handoffLine = document.getElementById("handoff");
  var callbackForm = document.getElementById("callback");
  var callbackLabel = document.getElementById("callback-label");
  var callbackInput = document.getElementById("callback-phone");
  var callbackButton = document.getElementById("callback-send");
  var callbackError = document.getElementById("callback-error");

  var socket = null;
  var retryMs = 1000;
  // Sent but not yet acknowledged: resent after a reconnect (the server ignores duplicates).
  var outbox = new Map();
  // A quick reply sends its payload; the buyer should keep seeing the button's title.
  var titleByPayload = new Map();
  // Who is talking with the buyer: "bot", "waiting" (for a person) or "human".
  var handoffMode = "bot";
  var callbackPending = false;

  function loadConversationId() {
    try { return window.localStorage.getItem(STORAGE_KEY) || ""; } catch (e) { return ""; }
  }

  function saveConversationId(id) {
    try { window.localStorage.setItem(STORAGE_KEY, id); } catch (e) { /* private mode */ }
  }

  function newClientMessageId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function scrollToEnd() { list.scrollTop = list.scrollHeight; }

  function addMessage(sender, text, buttons, agentName) {
    var item = document.createElement("li");
    item.className = "message message--" + sender;
    if (sender === "agent") {
      var name = document.createElement("div");
      name.className = "message__name";
      name.textContent = agentName || "人工客服";
      item.appendChild(name);
    }
    var bubble = document.createElement("div");
    bubble.className = "message__bubble";
    bubble.textContent = text || "";
    item.appendChild(bubble);
    if (buttons && buttons.length) { item.appendChild(quickReplies(buttons)); }
    list.appendChild(item);
    scrollToEnd();
    return item;
  }

  function quickReplies(buttons) {
    var row = document.createElement("div");
    row.className = "message__buttons";
    buttons.forEach(function (button) {
      titleByPayload.set(button.payload, button.title);
      var element = document.createElement("button");
      element.type = "button";
      element.className = "quick-reply";
      element.textContent = button.title;
      element.addEventListener("click", function () {
        row.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        sendMessage(button.payload, button.title);
      });
      row.appendChild(element);
    });
    return row;
  }

  function showHistory(history) {
    list.replaceChildren();
    titleByPayload.clear();
    history.forEach(function (message) {
      var shown = message.text;
      if (message.sender === "buyer" && titleByPayload.has(message.text)) {
        shown = titleByPayload.get(message.text);
      }
      var agent = message.custom && message.custom.agent;
      addMessage(message.sender, shown, message.buttons, agent && agent.work_name);
      if (message.client_message_id) { outbox.delete(message.client_message_id); }
    });
  }

  function sendFrame(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); }
  }

  function sendMessage(text, shownText) {
    if (!text.trim()) {
      // Nothing to show or store; the server still answers with a polite prompt.
      sendFrame({ type: "message", text: text });
      return;
    }
    var id = newClientMessageId();
    var element = addMessage("buyer", shownText || text);
    element.classList.add("message--pending");
    outbox.set(id, { text: text, shownText: shownText, element: element });
    sendFrame({ type: "message", text: text, client_message_id: id });
  }

  function resendOutbox() {
    outbox.forEach(function (entry, id) {
      entry.element = addMessage("buyer", entry.shownText || entry.text);
      entry.element.classList.add("message--pending");
      sendFrame({ type: "message", text: entry.text, client_message_id: id });
    });
  }

  function workName(agent) {
    return agent && typeof agent.work_name === "string" ? agent.work_name : "";
  }

  // The buyer may leave a phone number while waiting for a person (the gateway accepts it
  // until an agent picks up); the hint gets more pressing once the wait is long.
  function showCallbackForm(urgent) {
    callbackLabel.textContent = urgent ? TEXT.callbackBusy : TEXT.callbackHint;
    callbackForm.classList.toggle("callback--urgent", Boolean(urgent));
    if (callbackForm.hidden) {
      callbackForm.hidden = false;
      callbackError.textContent = "";
      callbackButton.disabled = false;
      scrollToEnd();
    }
  }

  function hideCallbackForm() {
    if (callbackPending) { callbackInput.value = ""; }
    callbackForm.hidden = true;
    callbackPending = false;
    callbackButton.disabled = false;
  }

  function showHandoff(frame) {
    handoffMode = frame.mode;
    var text = "";
    if (frame.mode === "waiting") {
      text = TEXT.waiting;
    } else if (frame.mode === "human") {
      var name = workName(frame.agent);
      // Work names usually start with 客服 already (客服008): do not say it twice.
      if (name && name.indexOf("客服") !== 0) { name = "客服" + name; }
      text = name ? TEXT.human.replace("{name}", name) : TEXT.humanUnnamed;
    } else if (frame.mode === "closed") {
      text = TEXT.closed;
    } else {
      text = TEXT.bot;
    }
    handoffLine.textContent = text;
    handoffLine.className = "chat__handoff chat__handoff--" + (frame.mode || "bot");
    handoffLine.hidden = false;
    if (frame.mode === "waiting") {
      showCallbackForm(frame.callback_offered || frame.stage === "window_missed");
    } else {
      hideCallbackForm();
    }
  }

  function resetHandoff() {
    handoffMode = "bot";
    handoffLine.hidden = true;
    hideCallbackForm();
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "welcome":
        saveConversationId(frame.conversation_id);
        // A handoff still open is announced by the next frame.
        resetHandoff();
        showHistory(frame.history || []);
        resendOutbox();
        break;
      case "ack":
        var entry = outbox.get(frame.client_message_id);
        if (entry) { entry.element.classList.remove("message--pending"); }
        outbox.delete(frame.client_message_id);
        break;
      case "bot":
        addMessage("bot", frame.text, frame.buttons);
        break;
      case "agent":
        addMessage("agent", frame.text, null, workName(frame.agent));
        break;
      case "notice":
        addMessage("system", frame.text);
        if (handoffMode === "waiting") { showCallbackForm(true); }
        break;
      case "handoff":
        showHandoff(frame);
        break;
      case "error":
        // Buyer-facing notices arrive as "bot" frames; the code is for developers.
        console.warn("gateway error", frame.code, frame.reason);
        if (callbackPending) {
          callbackPending = false;
          callbackButton.disabled = false;
        }
        break;
      default:
        break;
    }
  }

  function connect() {
    statusLine.textContent = TEXT.connecting;
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    var url = scheme + "//" + window.location.host + "/ws/buyer";
    var conversationId = loadConversationId();
    if (conversationId) { url += "?conversation_id=" + encodeURIComponent(conversationId); }
    socket = new WebSocket(url);
    socket.addEventListener("open", function () {
      retryMs = 1000;
      statusLine.textContent = TEXT.online;
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    });
    socket.addEventListener("close", function () {
      statusLine.textContent = TEXT.reconnecting;
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    input.focus();
    sendMessage(text);
  });

  callbackForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var contact = callbackInput.value.trim();
    var digits = contact.replace(/\D/g, "").length;
    if (!PHONE_PATTERN.test(contact) || digits < 5 || digits > 20) {
      callbackError.textContent = TEXT.badPhone;
      return;
    }
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      callbackError.textContent = TEXT.offline;
      return;
    }
    callbackError.textContent = "";
    callbackPending = true;
    callbackButton.disabled = true;
    // The gateway answers with a notice and a handoff frame (mode "bot"), or an error.
    sendFrame({ type: "callback", contact: contact });
  });

  input.addEventListener("keydown", function (event) {
    // Enter while a Chinese input method is composing picks a candidate; it must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  connect();
})();
