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
  };

  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var statusLine = document.getElementById("status");

  var socket = null;
  var retryMs = 1000;
  // Sent but not yet acknowledged: resent after a reconnect (the server ignores duplicates).
  var outbox = new Map();
  // A quick reply sends its payload; the buyer should keep seeing the button's title.
  var titleByPayload = new Map();

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

  function addMessage(sender, text, buttons) {
    var item = document.createElement("li");
    item.className = "message message--" + sender;
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
      addMessage(message.sender, shown, message.buttons);
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

  function onFrame(frame) {
    switch (frame.type) {
      case "welcome":
        saveConversationId(frame.conversation_id);
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
      case "error":
        // Buyer-facing notices arrive as "bot" frames; the code is for developers.
        console.warn("gateway error", frame.code, frame.reason);
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

  input.addEventListener("keydown", function (event) {
    // Enter while a Chinese input method is composing picks a candidate; it must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  connect();
})();
