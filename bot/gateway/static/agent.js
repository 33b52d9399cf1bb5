// 客服工作台: the agents' console of the shop assistant gateway.
// Every text from the server is inserted with textContent / createElement, never innerHTML.
(() => {
  "use strict";

  const PING_MS = 15000;
  const MAX_RETRY_MS = 30000;
  const FLASH_MS = 6000;
  const TITLE = document.title;
  const REASONS = {
    request_human: "买家要求人工",
    threat: "买家扬言投诉/差评",
    complaint: "投诉",
    strong_negative: "情绪强烈不满",
    frustration: "多次表达不满",
    repeated_fallback: "机器人多次没听懂",
    repeated_question: "同一问题反复询问",
    assistant_unavailable: "智能客服故障",
  };
  const SENTIMENTS = { negative: "负面", neutral: "中性", positive: "正面" };
  const STAGES = { assigned: "已分配", offered_to_all: "已通知全员", window_missed: "超时未接" };
  const OUTCOMES = {
    handed_back: "已转回机器人", closed: "会话已结束", callback: "买家已留回电号码,已转回机器人",
  };
  const SLOT_NAMES = {
    product: "商品", colour: "颜色", size: "尺码", order_id: "订单号", region: "地区",
    carrier: "快递", height: "身高", weight: "体重", age: "年龄", foot_length: "脚长",
    pending_topic: "待办话题",
  };
  const SENDERS = { buyer: "买家", bot: "机器人", agent: "客服", system: "系统" };
  const ERRORS = {
    taken: "已被其他客服接入",
    not_yours: "该会话不归您处理",
    full: "您的接待量已满",
    not_active: "会话已不在人工接待中",
    not_waiting: "会话不在排队中",
    not_found: "会话不存在",
    too_long: "内容过长",
    empty: "内容不能为空",
    unauthorized: "请先登录",
    forbidden: "跨站请求被拒绝",
    network: "网络连接失败",
  };
  const FLASHES = {
    new: "新的转人工请求",
    offered_to_all: "有买家等待较久,已通知全员",
    window_missed: "有买家等待超时,已为其登记回电",
    callback_requested: "买家已留下回电号码,会话已转回机器人",
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    loginView: $("login-view"), loginForm: $("login-form"), loginSubmit: $("login-submit"),
    username: $("login-username"), password: $("login-password"), loginError: $("login-error"),
    deskView: $("desk-view"), me: $("me"), presence: $("presence"), conn: $("conn"),
    logout: $("logout"), flash: $("flash"),
    waitingList: $("waiting-list"), waitingCount: $("waiting-count"), waitingEmpty: $("waiting-empty"),
    activeList: $("active-list"), activeCount: $("active-count"), activeEmpty: $("active-empty"),
    conv: $("conv"), placeholder: $("conv-placeholder"), convTitle: $("conv-title"),
    convDismiss: $("conv-dismiss"), convState: $("conv-state"), convMeta: $("conv-meta"),
    convSlots: $("conv-slots"), transcript: $("transcript"), convError: $("conv-error"),
    composer: $("composer"), reply: $("reply"), send: $("send"),
    handback: $("handback"), closeNote: $("close-note"), close: $("close"),
  };


  const state = {
    me: null,
    loggedIn: false,
    handoffs: new Map(), // handoff id → {view, at: when it arrived (for the countdown)}
    errors: new Map(), // handoff id → the last refusal shown on its card
    unread: new Map(), // conversation id → buyer messages not seen yet
    open: null, // {cid, handoff, shown: Set of message ids}
    socket: null,
    retryMs: 1000,
    pingTimer: 0,
    reconnectTimer: 0,
    flashTimer: 0,
  };

  // --- helpers ---

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(label, className, onClick) {
    const node = el("button", className, label);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  const isMe = (agent) => Boolean(state.me && agent && agent.id === state.me.id);
  const isSupervisor = () => Boolean(state.me && state.me.role === "supervisor");
  const canHandle = (view) => isMe(view.accepted_by) || isSupervisor();
  const agentName = (agent) => (agent ? agent.work_name + (isMe(agent) ? "(我)" : "") : "");
  const reasonText = (reason) => REASONS[reason] || reason || "未知原因";
  const timeText = (iso) => {
    const date = iso ? new Date(iso) : new Date();
    return isNaN(date) ? "" : date.toLocaleTimeString("zh-CN", { hour12: false });
  };

  function sentimentText(sentiment) {
    if (!sentiment || !sentiment.label) return "";
    const label = SENTIMENTS[sentiment.label] || sentiment.label;
    const confidence = Number(sentiment.confidence);
    return isNaN(confidence) ? label : label + " " + Math.round(confidence * 100) + "%";
  }

  function slotsText(slots) {
    return Object.keys(slots || {})
      .map((name) => (SLOT_NAMES[name] || name) + ":" + slots[name])
      .join(" · ");
  }

  function errorText(result) {
    const code = result.data.error;
    const label = ERRORS[code] || "操作失败";
    return result.data.reason ? label + "(" + result.data.reason + ")" : label;
  }

  function showFlash(text, isError) {
    ui.flash.textContent = text;
    ui.flash.className = isError ? "flash flash--error" : "flash";
    ui.flash.hidden = false;
    clearTimeout(state.flashTimer);
    state.flashTimer = setTimeout(() => { ui.flash.hidden = true; }, FLASH_MS);
  }

  async function api(method, path, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body || {});
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (err) {
      return { ok: false, status: 0, data: { error: "network" } };
    }
    let data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    const result = { ok: response.ok, status: response.status, data: data || {} };
    if (result.status === 401 && state.loggedIn) showLogin("登录已过期,请重新登录");
    return result;
  }

  // --- login ---

  function showLogin(message) {
    state.loggedIn = false;
    disconnect();
    state.me = null;
    state.handoffs.clear();
    state.errors.clear();
    state.unread.clear();
    closeConversation();
    ui.deskView.hidden = true;
    ui.loginView.hidden = false;
    ui.loginError.textContent = message || "";
    ui.password.value = "";
    ui.username.focus();
  }

  function showDesk(agent, presence) {
    state.me = agent;
    state.loggedIn = true;
    ui.loginView.hidden = true;
    ui.deskView.hidden = false;
    ui.presence.value = presence === "away" ? "away" : "online";
    renderMe();
    renderLists();
    connect();
  }

  function renderMe() {
    const name = state.me.work_name;
    ui.me.textContent = isSupervisor() && name.indexOf("主管") < 0 ? name + "(主管)" : name;
  }

  ui.loginForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    ui.loginSubmit.disabled = true;
    ui.loginError.textContent = "";
    const result = await api("POST", "/api/agent/login", {
      username: ui.username.value, password: ui.password.value,
    });
    ui.loginSubmit.disabled = false;
    if (!result.ok || !result.data.agent) {
      ui.loginError.textContent = result.status === 401 ? "用户名或密码错误" : errorText(result);
      return;
    }
    ui.password.value = "";
    showDesk(result.data.agent, "online");
  });

  ui.logout.addEventListener("click", async () => {
    await api("POST", "/api/agent/logout");
    showLogin("您已退出登录");
  });

  // --- the socket ---

  function connect() {
    if (!state.loggedIn) return;
    clearTimeout(state.reconnectTimer);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + location.host + "/ws/agent");
    state.socket = socket;
    setConn("连接中…", "");
    socket.addEventListener("open", () => {
      clearInterval(state.pingTimer);
      state.pingTimer = setInterval(() => send({ type: "ping" }), PING_MS);
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (err) { return; }
      if (frame && typeof frame === "object") onFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      if (state.socket !== socket) return; // closed on purpose (logout)
      state.socket = null;
      clearInterval(state.pingTimer);
      if (event.code === 4401) {
        showLogin("登录已过期,请重新登录");
        return;
      }
      setConn("连接已断开,正在重连…", "bad");
      state.reconnectTimer = setTimeout(connect, state.retryMs);
      state.retryMs = Math.min(state.retryMs * 2, MAX_RETRY_MS);
    });
  }

  function disconnect() {
    clearTimeout(state.reconnectTimer);
    clearInterval(state.pingTimer);
    const socket = state.socket;
    state.socket = null;
    if (socket) socket.close(1000);
  }

  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(frame));
    }
  }

  function setConn(text, kind) {
    ui.conn.textContent = text;
    ui.conn.className = kind ? "conn conn--" + kind : "conn";
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "hello":
        state.retryMs = 1000;
        setConn("已连接", "ok");
        if (frame.agent) { state.me = frame.agent; renderMe(); }
        state.handoffs.clear();
        (frame.waiting || []).concat(frame.active || []).forEach(keep);
        renderLists();
        send({ type: "presence", status: ui.presence.value });
        if (state.open) openConversation(state.open.cid); // catch up on what was missed
        break;
      case "handoff":
        onHandoff(frame.event, frame.handoff);
        break;
      case "message":
        onMessage(frame);
        break;
      case "presence":
        if (frame.status === "online" || frame.status === "away") ui.presence.value = frame.status;
        break;
      case "error":
        console.warn("gateway error", frame.code, frame.reason);
        break;
      default:
        break; // pong
    }
  }

  ui.presence.addEventListener("change", () => send({ type: "presence", status: ui.presence.value }));

  // --- the queue ---

  function keep(view) {
    if (!view || typeof view.id !== "number") return;
    if (view.state === "ended") {
      state.handoffs.delete(view.id);
      state.errors.delete(view.id);
    } else {
      state.handoffs.set(view.id, { view, at: Date.now() });
    }
  }

  function onHandoff(event, view) {
    if (!view || typeof view.id !== "number") return;
    keep(view);
    if (FLASHES[event]) showFlash(FLASHES[event] + "(#" + view.id + ")");
    if (event === "assigned" && isMe(view.assigned_agent)) showFlash("有买家分配给您(#" + view.id + ")");
    renderLists();
    if (state.open && state.open.handoff && state.open.handoff.id === view.id) {
      state.open.handoff = view;
      renderConversationState();
    }
  }

  function renderLists() {
    const views = Array.from(state.handoffs.values(), (entry) => entry.view);
    const byAge = (a, b) => Date.parse(a.triggered_at) - Date.parse(b.triggered_at);
    const waiting = views.filter((v) => v.state === "waiting").sort(byAge);
    const active = views.filter((v) => v.state === "active").sort(byAge);
    ui.waitingList.replaceChildren(...waiting.map(waitingCard));
    ui.activeList.replaceChildren(...active.map(activeCard));
    ui.waitingCount.textContent = String(waiting.length);
    ui.activeCount.textContent = String(active.length);
    ui.waitingEmpty.hidden = waiting.length > 0;
    ui.activeEmpty.hidden = active.length > 0;
    document.title = (waiting.length ? "(" + waiting.length + ") " : "") + TITLE;
    tick();
  }

  function cardHead(view) {
    const head = el("div", "card__head");
    head.append(el("strong", "", "#" + view.id + " " + reasonText(view.reason)));
    const unread = state.unread.get(view.conversation_id);
    if (unread) head.append(el("span", "badge", unread + " 条新消息"));
    return head;
  }

  function cardFacts(view, lines) {
    const facts = el("ul", "card__facts");
    lines.filter((line) => line[1]).forEach((line) => {
      const item = el("li");
      item.append(el("span", "card__label", line[0] + ":"), document.createTextNode(line[1]));
      facts.append(item);
    });
    return facts;
  }

  function waitingCard(view) {
    const item = el("li", "card");
    const head = cardHead(view);
    const countdown = el("span", "countdown");
    countdown.dataset.countdown = String(view.id);
    head.append(countdown);
    const position = view.position ? " · 第" + view.position + "位" : "";
    item.append(head, cardFacts(view, [
      ["情绪", sentimentText(view.sentiment)],
      ["意图", view.intent],
      ["信息", slotsText(view.slots)],
      ["分配", agentName(view.assigned_agent) || "待分配"],
      ["阶段", (STAGES[view.stage] || view.stage) + position],
    ]));
    const actions = el("div", "card__actions");
    actions.append(button("接入", "primary", () => act(view.id, "accept")));
    if (isMe(view.assigned_agent)) actions.append(button("拒绝", "", () => act(view.id, "decline")));
    item.append(actions);
    if (state.errors.has(view.id)) item.append(el("p", "error", state.errors.get(view.id)));
    return item;
  }

  function activeCard(view) {
    const item = el("li", "card card--active");
    if (state.open && state.open.handoff && state.open.handoff.id === view.id) {
      item.classList.add("card--open");
    }
    const head = cardHead(view);
    item.append(head, cardFacts(view, [
      ["接待", agentName(view.accepted_by)],
      ["情绪", sentimentText(view.sentiment)],
    ]));
    if (canHandle(view)) {
      const actions = el("div", "card__actions");
      actions.append(button("打开会话", "", () => openConversation(view.conversation_id)));
      item.append(actions);
    }
    return item;
  }

  // The countdown runs on the server's seconds_left, so a wrong clock here does not matter.
  function tick() {
    const now = Date.now();
    ui.waitingList.querySelectorAll("[data-countdown]").forEach((node) => {
      const entry = state.handoffs.get(Number(node.dataset.countdown));
      if (!entry) return;
      const view = entry.view;
      const elapsed = (now - entry.at) / 1000;
      const waited = view.seconds_waiting + elapsed;
      const left = view.seconds_left - elapsed;
      const start = Date.parse(view.triggered_at);
      const amberAt = (Date.parse(view.offer_all_at) - start) / 1000 || 15;
      const redAt = (Date.parse(view.window_ends_at) - start) / 1000 || 30;
      node.textContent = "已等 " + Math.floor(waited) + " 秒 · " +
        (left > 0 ? "剩 " + Math.ceil(left) + " 秒" : "已超时");
      node.className = "countdown" +
        (waited >= redAt ? " countdown--red" : waited >= amberAt ? " countdown--amber" : "");
    });
  }

  async function act(id, action) {
    state.errors.delete(id);
    const result = await api("POST", "/api/agent/handoffs/" + id + "/" + action);
    if (!result.ok) {
      if (result.status === 401) return;
      state.errors.set(id, errorText(result));
      showFlash("#" + id + " " + errorText(result), true);
      renderLists();
      return;
    }
    onHandoff(null, result.data.handoff);
    if (action === "accept" && result.data.handoff) openConversation(result.data.handoff.conversation_id);
  }

  // --- the conversation ---

  function convPath(cid, action) {
    return "/api/agent/conversations/" + encodeURIComponent(cid) + (action ? "/" + action : "");
  }

  async function openConversation(cid) {
    const result = await api("GET", convPath(cid));
    if (!result.ok) {
      if (result.status !== 401) showFlash(errorText(result), true);
      return;
    }
    const data = result.data;
    const same = state.open && state.open.cid === cid;
    state.open = { cid, handoff: data.handoff, shown: new Set() };
    state.unread.delete(cid);
    ui.conv.hidden = false;
    ui.placeholder.hidden = true;
    if (!same) {
      ui.convError.textContent = "";
      ui.reply.value = "";
      ui.closeNote.value = "";
    }
    const handoff = data.handoff || {};
    ui.convTitle.textContent = "会话 #" + (handoff.id || "-") + " · " + reasonText(handoff.reason);
    ui.convMeta.textContent = [
      sentimentText(handoff.sentiment) && "情绪:" + sentimentText(handoff.sentiment),
      handoff.intent && "意图:" + handoff.intent,
      handoff.triggered_at && "转人工于 " + timeText(handoff.triggered_at),
    ].filter(Boolean).join(" · ");
    renderSlots(data.slots || {});
    ui.transcript.replaceChildren();
    (data.transcript || []).forEach(appendLine);
    renderConversationState();
    renderLists();
    if (!ui.reply.disabled) ui.reply.focus();
  }

  function renderSlots(slots) {
    const names = Object.keys(slots);
    ui.convSlots.replaceChildren();
    names.forEach((name) => {
      ui.convSlots.append(el("dt", "", SLOT_NAMES[name] || name), el("dd", "", slots[name]));
    });
    ui.convSlots.hidden = names.length === 0;
  }

  function renderConversationState() {
    const handoff = state.open.handoff;
    const usable = Boolean(handoff && handoff.state === "active" && canHandle(handoff));
    [ui.reply, ui.send, ui.handback, ui.closeNote, ui.close].forEach((c) => { c.disabled = !usable; });
    let text = "机器人接待中";
    if (handoff && handoff.state === "active") {
      text = "人工接待中" + (handoff.accepted_by ? "(" + handoff.accepted_by.work_name + ")" : "");
    } else if (handoff && handoff.state === "waiting") {
      text = "排队中,尚未接入";
    } else if (handoff && handoff.state === "ended") {
      text = OUTCOMES[handoff.outcome] || "会话已结束";
    }
    ui.convState.textContent = text;
    ui.convState.className = "conv__state" + (usable ? " conv__state--live" : "");
  }

  function appendLine(item) {
    if (!state.open) return;
    if (item.message_id !== null && item.message_id !== undefined) {
      if (state.open.shown.has(item.message_id)) return;
      state.open.shown.add(item.message_id);
    }
    const sender = SENDERS[item.sender] ? item.sender : "system";
    const agent = (item.custom && item.custom.agent) || item.agent;
    let label = SENDERS[sender];
    if (sender === "agent" && agent && agent.work_name) label += "(" + agent.work_name + ")";
    const line = el("li", "line line--" + sender);
    line.append(el("div", "line__meta", label + " " + timeText(item.created_at)));
    line.append(el("div", "line__text", item.text || ""));
    const buttons = (item.buttons || []).map((b) => b.title).filter(Boolean);
    if (buttons.length) line.append(el("div", "line__buttons", "按钮:" + buttons.join(" / ")));
    ui.transcript.append(line);
    ui.transcript.scrollTop = ui.transcript.scrollHeight;
  }

  function onMessage(frame) {
    if (state.open && state.open.cid === frame.conversation_id) {
      appendLine(frame);
    } else if (frame.sender === "buyer") {
      state.unread.set(frame.conversation_id, (state.unread.get(frame.conversation_id) || 0) + 1);
      renderLists();
    }
  }

  function closeConversation() {
    state.open = null;
    ui.conv.hidden = true;
    ui.placeholder.hidden = false;
    ui.transcript.replaceChildren();
  }

  async function sendReply() {
    const open = state.open;
    const text = ui.reply.value.trim();
    if (!open || !text || ui.send.disabled) return;
    ui.send.disabled = true;
    ui.convError.textContent = "";
    const result = await api("POST", convPath(open.cid, "messages"), { text });
    if (state.open !== open) return;
    renderConversationState();
    if (!result.ok) {
      ui.convError.textContent = errorText(result);
      return;
    }
    ui.reply.value = "";
    if (result.data.message) appendLine(result.data.message);
    ui.reply.focus();
  }

  async function endConversation(action, body, doneText) {
    const open = state.open;
    if (!open) return;
    ui.convError.textContent = "";
    const result = await api("POST", convPath(open.cid, action), body);
    if (state.open !== open) return;
    if (!result.ok) {
      ui.convError.textContent = errorText(result);
      return;
    }
    onHandoff(null, result.data.handoff);
    closeConversation();
    renderLists();
    showFlash(doneText);
  }

  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
  });

  ui.reply.addEventListener("keydown", (event) => {
    // Enter while a Chinese input method is composing picks a candidate; it must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      sendReply();
    }
  });

  ui.convDismiss.addEventListener("click", () => {
    closeConversation();
    renderLists();
  });
  ui.handback.addEventListener("click", () => endConversation("handback", {}, "已转回机器人"));
  ui.close.addEventListener("click", () => {
    endConversation("close", { note: ui.closeNote.value }, "会话已结束");
  });

  // --- start ---

  async function start() {
    const result = await api("GET", "/api/agent/me");
    if (result.ok && result.data.agent) {
      showDesk(result.data.agent, result.data.presence);
    } else {
      showLogin(result.status === 0 ? "无法连接服务器,请稍后刷新" : "");
    }
  }

  setInterval(tick, 1000);
  start();
})();
