/*
 * 小店助手 buyer chat widget (GET /widget.js): <script src=".../widget.js" async data-shop-name="…">.
 * Lives in an open shadow root on <div id="shop-assistant">, styled by an adopted stylesheet
 * (fine under a strict CSP); speaks the buyer WebSocket protocol of docs/API.md. All server
 * and buyer text goes in through textContent / setAttribute, never as HTML.
 */
(function () {
  "use strict";

  if (window.ShopAssistant || document.getElementById("shop-assistant")) return; // loaded twice

  var DEFAULT_COLOR = "#e4393c";
  var COLOR_RE = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i; // the spec's #hex{3,8}, CSS-valid only
  var MAX_CHARS = 1000;
  var PING_EVERY_MS = 20000;
  var DEAD_AFTER_MS = 10000; // no pong (or welcome) this long after asking: reopen
  var RETRY_MIN_MS = 500;
  var RETRY_MAX_MS = 8000;
  var CLOSE_FORBIDDEN_ORIGIN = 4403;
  // Same rule as the gateway: 5 to 20 digits, with optional +, spaces and dashes.
  var PHONE_RE = /^\+?[\d\s-]{5,40}$/;
  var SENDERS = { buyer: 1, bot: 1, agent: 1, system: 1 };
  var WHITE = [255, 255, 255];

  var T = {
    service: "在线客服",
    bot: "智能客服",
    agent: "人工客服",
    me: "我：",
    close: "关闭",
    send: "发送",
    input: "输入消息",
    placeholder: "请输入您的问题，Enter 发送",
    log: "聊天记录",
    down: "网络已断开，正在重新连接…",
    blocked: "在线客服暂不可用",
    typing: "对方正在输入",
    unread: "{n} 条未读消息",
    greeting: "您好，欢迎光临{shop}，有什么可以帮您？",
    waiting: "正在为您转接人工客服…",
    eta: "预计 {n} 秒内接入",
    soon: "客服正在赶来，请稍候",
    busy: "非常抱歉，客服暂时都在忙，现在没法接入。留下手机号，客服会尽快给您回电；您也可以继续留言。",
    human: "{name} 已接入，正在为您服务",
    back: "已转回智能客服为您服务",
    closed: "人工服务已结束，智能客服继续为您服务",
    callbackDone: "已收到您的回电请求，客服会尽快与您联系",
    cbToggle: "留下电话，客服回电",
    cbLabel: "不想等待？留个手机号，客服尽快给您回电：",
    cbPhone: "手机号码",
    cbSubmit: "请客服回电",
    cbBad: "请填写正确的手机号码（5 到 20 位数字）",
    cbOffline: "网络已断开，请稍后再提交",
    stock: { in_stock: "有货", low_stock: "库存紧张", out_of_stock: "暂时缺货" },
  };

  var CSS = `
/* The host page's CSS must not leak in: !important inside the shadow tree wins. */
:host{all:initial!important}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sa-root{all:initial;display:block;font:14px/1.55 -apple-system,BlinkMacSystemFont,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1f2328}
button,input,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer}
:focus-visible{outline:2px solid var(--sa-ink);outline-offset:2px}
.sa-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
/* launcher */
.sa-launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:grid;place-items:center;width:56px;height:56px;padding:0;border:0;border-radius:50%;background:var(--sa-bg);color:var(--sa-on);box-shadow:0 6px 20px rgba(0,0,0,.22);transition:transform .15s ease}
.sa-root[data-position=left] .sa-launcher{right:auto;left:20px}
.sa-launcher:hover{transform:scale(1.06)}
.sa-launcher:focus-visible{outline:none;box-shadow:0 0 0 3px #fff,0 0 0 6px var(--sa-ink)}
.sa-launcher svg{width:28px;height:28px}
.sa-root[data-open] .sa-ico-chat,.sa-root:not([data-open]) .sa-ico-down{display:none}
.sa-unread{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border:2px solid #fff;border-radius:11px;background:#d92d20;color:#fff;font-size:12px;font-weight:600;line-height:18px;text-align:center}
/* panel */
.sa-panel{position:fixed;right:20px;bottom:88px;z-index:2147483001;display:flex;flex-direction:column;width:370px;height:560px;max-height:calc(100vh - 108px);max-height:calc(100dvh - 108px);overflow:hidden;border-radius:14px;background:#fff;box-shadow:0 12px 40px rgba(0,0,0,.24);animation:sa-in .18s ease-out}
.sa-root[data-position=left] .sa-panel{right:auto;left:20px}
@keyframes sa-in{from{opacity:0;transform:translateY(12px)}}
.sa-header{display:flex;flex:none;align-items:center;gap:10px;padding:10px 10px 10px 16px;background:var(--sa-bg);color:var(--sa-on)}
.sa-header :focus-visible{outline-color:var(--sa-on)}
.sa-avatar{display:grid;flex:none;place-items:center;width:36px;height:36px;border-radius:50%;background:rgba(255,255,255,.25);font-weight:600}
.sa-head{flex:1;min-width:0}
.sa-title{margin:0;overflow:hidden;font-size:16px;font-weight:600;white-space:nowrap;text-overflow:ellipsis}
.sa-sub{margin:0;font-size:12px;opacity:.9}
.sa-close{display:grid;flex:none;place-items:center;width:40px;height:40px;padding:0;border:0;border-radius:8px;background:transparent;color:inherit}
.sa-close:hover{background:rgba(255,255,255,.18)}
.sa-close svg{width:22px;height:22px}
.sa-conn{flex:none;margin:0;padding:6px 12px;background:#fff4e5;color:#8a4b00;font-size:12px;text-align:center}
/* handoff status and call-back form */
.sa-handoff{flex:none;padding:8px 14px;border-bottom:1px solid #f3e3b5;background:#fff8e1;color:#5c4400;font-size:13px}
.sa-handoff[data-mode=human]{border-color:#cfe3fb;background:#e8f3ff;color:#0b4a8b}
.sa-handoff[data-mode=bot],.sa-handoff[data-mode=closed]{border-color:#eaecef;background:#f6f7f9;color:#57606a}
.sa-countdown{display:block;font-weight:600;font-variant-numeric:tabular-nums}
.sa-callback{flex:none;padding:8px 14px;border-top:1px solid #eaecef;background:#fffdf5;font-size:13px}
.sa-link{padding:0;border:0;background:none;color:#0b5cad;text-decoration:underline}
.sa-cb-label{margin:0 0 6px}
.sa-cb-row{display:flex;gap:8px}
.sa-cb-row input{flex:1;min-width:0;padding:7px 10px;border:1px solid #c9d1d9;border-radius:8px;background:#fff}
.sa-cb-row button,.sa-send{flex:none;padding:0 14px;border:0;border-radius:8px;background:var(--sa-bg);color:var(--sa-on)}
.sa-cb-row button:disabled,.sa-send:disabled{opacity:.5;cursor:default}
.sa-error{margin:4px 0 0;color:#b42318;font-size:12px}
.sa-error:empty{display:none}
/* conversation */
.sa-scroll{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:14px 12px 6px;background:#fff}
.sa-msg,.sa-greeting{display:flex;flex-direction:column;align-items:flex-start;margin:0 0 12px}
.sa-msg[data-sender=buyer]{align-items:flex-end}
.sa-msg[data-sender=system]{align-items:center}
.sa-author{margin:0 0 2px 4px;color:#57606a;font-size:12px}
.sa-msg[data-sender=agent] .sa-author{color:#0b5cad;font-weight:600}
.sa-body{max-width:85%;padding:8px 12px;border-radius:4px 14px 14px 14px;background:#f1f2f4;white-space:pre-wrap;overflow-wrap:anywhere}
.sa-msg[data-sender=agent] .sa-body{border:1px solid #cfe3fb;background:#e8f3ff}
.sa-msg[data-sender=buyer] .sa-body{border-radius:14px 4px 14px 14px;background:var(--sa-bg);color:var(--sa-on)}
.sa-msg[data-sender=system] .sa-body{max-width:92%;padding:2px 10px;background:none;color:#6e7781;font-size:12px;text-align:center}
.sa-msg[data-state=pending] .sa-body{opacity:.65}
.sa-msg[data-state=pending]::after{content:'发送中…';margin-top:2px;color:#8c959f;font-size:11px}
.sa-root[data-online=false] .sa-msg[data-state=pending]::after{content:'网络恢复后自动发送'}
.sa-quick{display:flex;flex-wrap:wrap;gap:6px;max-width:100%;margin-top:8px}
.sa-quick-reply{padding:5px 12px;border:1px solid var(--sa-ink);border-radius:999px;background:#fff;color:var(--sa-ink);font-size:13px}
.sa-quick-reply:hover{background:var(--sa-bg);color:var(--sa-on)}
.sa-card{display:flex;gap:10px;min-width:210px;margin-top:8px;padding:8px;border:1px solid #e1e4e8;border-radius:10px;background:#fff;color:#1f2328;white-space:normal}
.sa-card img{flex:none;width:64px;height:64px;border-radius:6px;object-fit:cover}
.sa-card-body{display:flex;flex:1;flex-direction:column;gap:2px;min-width:0}
.sa-card-name{font-weight:600}
.sa-card-variant{color:#57606a;font-size:12px}
.sa-card-row{display:flex;align-items:center;justify-content:space-between;gap:8px;margin-top:auto}
.sa-card-price{color:var(--sa-ink);font-weight:600}
.sa-stock{padding:0 6px;border-radius:4px;font-size:12px}
.sa-stock[data-stock=in_stock]{background:#e6f4ea;color:#1a7f37}
.sa-stock[data-stock=low_stock]{background:#fff4e5;color:#8a4b00}
.sa-stock[data-stock=out_of_stock]{background:#f1f2f4;color:#57606a}
.sa-typing{display:inline-flex;gap:4px;margin:0 0 10px;padding:11px 14px;border-radius:4px 14px 14px 14px;background:#f1f2f4}
.sa-typing span{width:6px;height:6px;border-radius:50%;background:#8c959f;animation:sa-dot 1.2s infinite ease-in-out}
.sa-typing span:nth-child(2){animation-delay:.15s}
.sa-typing span:nth-child(3){animation-delay:.3s}
@keyframes sa-dot{0%,80%,100%{opacity:.3;transform:none}40%{opacity:1;transform:translateY(-3px)}}
/* composer */
.sa-composer{display:flex;flex:none;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid #eaecef;background:#fff}
.sa-input{flex:1;min-width:0;height:40px;max-height:120px;padding:8px 12px;border:1px solid #c9d1d9;border-radius:10px;background:#fff;line-height:1.55;resize:none}
.sa-input:focus-visible{outline:none;border-color:var(--sa-ink);box-shadow:0 0 0 3px color-mix(in srgb,var(--sa-ink) 22%,transparent)}
.sa-send{height:40px}
/* phones: the panel takes the whole screen, the launcher hides behind it */
@media (max-width:480px){.sa-panel,.sa-root[data-position=left] .sa-panel{inset:0;width:100vw;height:100vh;height:100dvh;max-height:none;border-radius:0}.sa-root[data-open] .sa-launcher{display:none}.sa-input{font-size:16px}}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important}}
`;

  // ---- configuration

  var script = document.currentScript || lastWidgetScript();
  var ORIGIN = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var WS_URL = ORIGIN.replace(/^http/, "ws") + "/ws/buyer";
  var KEY = "shopAssistant:" + ORIGIN + ":";
  var config = readConfig();

  function lastWidgetScript() {
    var scripts = document.querySelectorAll("script[src]");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(?:[?#].*)?$/.test(scripts[i].src)) return scripts[i];
    }
    return null;
  }

  // window.ShopAssistantConfig first, then data-* attributes on the script tag (they win).
  function readConfig() {
    var c = {};
    var global = window.ShopAssistantConfig;
    if (global && typeof global === "object") {
      ["shopName", "primaryColor", "greeting", "position", "open"].forEach(function (k) {
        if (global[k] != null) c[k] = global[k];
      });
    }
    var data = script ? script.dataset : {};
    Object.keys(data).forEach(function (k) { c[k] = data[k]; });
    var shopName = typeof c.shopName === "string" && c.shopName.trim() ? c.shopName.trim().slice(0, 40) : "";
    var greeting = typeof c.greeting === "string" ? c.greeting.slice(0, 300)
      : T.greeting.replace("{shop}", shopName || "本店");
    return {
      shopName: shopName || T.service,
      color: COLOR_RE.test(c.primaryColor) ? c.primaryColor : DEFAULT_COLOR,
      greeting: greeting,
      position: c.position === "left" ? "left" : "right",
      open: c.open === true || c.open === "" || c.open === "true",
    };
  }

  // Text on the brand colour must pass WCAG AA (4.5:1): white or dark text, else a darker
  // shade. --sa-ink is the colour as text on white.
  function palette(hex) {
    var x = hex.length < 7 ? hex.replace(/\w/g, "$&$&") : hex;
    var rgb = [1, 3, 5].map(function (i) { return parseInt(x.substr(i, 2), 16); });
    var ink = rgb;
    for (var f = 1; f > 0 && contrast(ink, WHITE) < 4.5; f -= 0.05) {
      ink = rgb.map(function (v) { return Math.round(v * f); });
    }
    var darkText = contrast(rgb, WHITE) < 4.5 && contrast(rgb, [31, 35, 40]) >= 4.5;
    var bg = contrast(rgb, WHITE) >= 4.5 || darkText ? rgb : ink;
    return { bg: css(bg), on: darkText ? "#1f2328" : "#fff", ink: css(ink) };
  }
  function luminance(rgb) {
    var l = rgb.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function css(rgb) { return "rgb(" + rgb.join(",") + ")"; }

  // ---- storage (localStorage may be missing or full: the chat works on without it)

  function load(name) {
    try { return localStorage.getItem(KEY + name); } catch (e) { return null; }
  }
  function store(name, value) {
    try {
      if (value == null) localStorage.removeItem(KEY + name); else localStorage.setItem(KEY + name, value);
    } catch (e) { /* private mode or quota: keep going in memory */ }
  }
  function loadOutbox() {
    try {
      var list = JSON.parse(load("outbox") || "[]");
      return Array.isArray(list) ? list.filter(function (m) {
        return m && typeof m.id === "string" && typeof m.text === "string" && m.text.trim();
      }) : [];
    } catch (e) { return []; }
  }
  function saveOutbox() {
    store("outbox", outbox.length ? JSON.stringify(outbox.map(function (m) {
      return { id: m.id, text: m.text, shown: m.shown || null };
    })) : null);
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  // ---- DOM helpers

  // h("div", {class: "x", text: "…", "data-role": "y"}, [kids]): attributes only, no HTML.
  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v == null || v === false) return;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : v);
    });
    (kids || []).forEach(function (kid) { if (kid) el.append(kid); });
    return el;
  }

  function icon(cls, d) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    var path = document.createElementNS(ns, "path");
    [["viewBox", "0 0 24 24"], ["aria-hidden", "true"], ["class", cls]].forEach(function (a) { svg.setAttribute(a[0], a[1]); });
    path.setAttribute("d", d);
    path.setAttribute("fill", "currentColor");
    svg.append(path);
    return svg;
  }

  var ICON_CHAT = "M6 3h12a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3h-6.5L7 20.5V17H6a3 3 0 0 1-3-3V6a3 3 0 0 1 3-3zm1.5 4.5v2h9v-2zm0 4v2h6v-2z";
  var ICON_DOWN = "M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z";
  var ICON_CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";

  // ---- build the UI

  var host = h("div", { id: "shop-assistant" });
  var shadow = host.attachShadow({ mode: "open" });
  var colors = palette(config.color);
  host.style.setProperty("--sa-primary", config.color);
  host.style.setProperty("--sa-bg", colors.bg);
  host.style.setProperty("--sa-on", colors.on);
  host.style.setProperty("--sa-ink", colors.ink);
  var sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  shadow.adoptedStyleSheets = [sheet];

  var unreadBadge = h("span", { class: "sa-unread", "data-role": "unread", "aria-hidden": "true", hidden: true });
  var unreadText = h("span", { class: "sa-sr", id: "sa-unread-text" });
  var launcher = h("button", {
    type: "button", class: "sa-launcher", "data-role": "bubble", "aria-label": T.service,
    "aria-expanded": "false", "aria-controls": "sa-panel", "aria-describedby": "sa-unread-text",
  }, [icon("sa-ico-chat", ICON_CHAT), icon("sa-ico-down", ICON_DOWN), unreadBadge]);

  var closeButton = h("button", { type: "button", class: "sa-close", "data-role": "close", "aria-label": T.close },
    [icon("", ICON_CLOSE)]);
  var connLine = h("p", { class: "sa-conn", "data-role": "connection", role: "status", hidden: true });

  var handoffText = h("span", { class: "sa-handoff-text" });
  var countdown = h("span", { class: "sa-countdown", "data-role": "countdown" });
  // The countdown changes every second: only the status text is a live region.
  var handoffBar = h("div", { class: "sa-handoff", "data-role": "handoff", hidden: true },
    [h("span", { role: "status" }, [handoffText]), countdown]);

  var cbToggle = h("button", { type: "button", class: "sa-link", "aria-expanded": "false", "aria-controls": "sa-cb-form", text: T.cbToggle });
  var cbLabel = h("p", { class: "sa-cb-label", id: "sa-cb-label", text: T.cbLabel });
  var cbInput = h("input", {
    type: "tel", inputmode: "tel", autocomplete: "tel", maxlength: "40", "aria-label": T.cbPhone,
    "aria-describedby": "sa-cb-label", placeholder: T.cbPhone,
  });
  var cbSubmit = h("button", { type: "submit", text: T.cbSubmit });
  var cbError = h("p", { class: "sa-error", role: "alert" });
  var cbForm = h("form", { class: "sa-cb-form", id: "sa-cb-form", "data-role": "callback-form", novalidate: true, hidden: true },
    [cbLabel, h("div", { class: "sa-cb-row" }, [cbInput, cbSubmit]), cbError]);
  var callbackBox = h("div", { class: "sa-callback", hidden: true }, [cbToggle, cbForm]);

  var log = h("div", { class: "sa-log", "data-role": "log", role: "log", "aria-live": "polite", "aria-label": T.log });
  var typing = h("div", { class: "sa-typing", "data-role": "typing", role: "img", "aria-label": T.typing, hidden: true },
    [h("span"), h("span"), h("span")]);
  var greeting = config.greeting
    ? h("div", { class: "sa-greeting", "data-role": "greeting" }, [
        h("div", { class: "sa-author", text: T.bot }), h("div", { class: "sa-body", text: config.greeting })])
    : null;
  var scroller = h("div", { class: "sa-scroll" }, [greeting, log, typing]);

  var input = h("textarea", {
    class: "sa-input", "data-role": "input", "aria-label": T.input, maxlength: String(MAX_CHARS),
    rows: "1", placeholder: T.placeholder, enterkeyhint: "send",
  });
  var sendButton = h("button", { type: "submit", class: "sa-send", "data-role": "send", text: T.send });
  var composer = h("form", { class: "sa-composer", autocomplete: "off" }, [input, sendButton]);

  var panel = h("section", { class: "sa-panel", id: "sa-panel", "data-role": "panel", role: "dialog", "aria-label": T.service, hidden: true }, [
    h("header", { class: "sa-header" }, [
      h("div", { class: "sa-avatar", "aria-hidden": "true", text: Array.from(config.shopName)[0] }),
      h("div", { class: "sa-head" }, [
        h("h2", { class: "sa-title", text: config.shopName }),
        h("p", { class: "sa-sub", text: T.service }),
      ]),
      closeButton,
    ]),
    // The call-back form goes above the composer: the bot says "在下方留下手机号".
    connLine, handoffBar, scroller, callbackBox, composer,
  ]);

  var root = h("div", { class: "sa-root", "data-position": config.position, "data-online": "true" }, [unreadText, panel, launcher]);
  shadow.append(root);

  // ---- state

  var conversationId = load("conversation") || "";
  var outbox = loadOutbox(); // [{id, text, shown, gen}]: gen = the socket it was sent on
  var byId = new Map(); // message_id -> element (every server message shown once)
  var byClientId = new Map(); // client_message_id -> buyer element
  var titles = new Map(); // quick-reply payload -> title, to show what the buyer clicked
  var lastKey = 0;
  var isOpen = false;
  var unread = 0;
  var windowEndsAt = 0;
  var countdownTimer = 0;
  var callbackPending = false;

  // ---- rendering

  function workName(agent) {
    return agent && typeof agent.work_name === "string" && agent.work_name ? agent.work_name : T.agent;
  }

  function messageElement(m) {
    var el = h("div", { class: "sa-msg", "data-sender": m.sender });
    if (m.sender === "bot" || m.sender === "agent") {
      el.append(h("div", { class: "sa-author", "data-role": "author", text: m.sender === "bot" ? T.bot : m.author }));
    } else if (m.sender === "buyer") {
      el.append(h("span", { class: "sa-sr", text: T.me }));
    }
    var text = h("div", { class: "sa-text", "data-role": "text", text: m.text || "" });
    text.hidden = !m.text;
    el.append(h("div", { class: "sa-body" }, [text, productCard(m.custom && m.custom.product_card)]));
    el._buttons = m.buttons || [];
    return el;
  }

  function productCard(c) {
    if (!c || typeof c !== "object" || typeof c.name !== "string") return null;
    var src = imageUrl(c.image);
    var img = null;
    if (src) {
      img = h("img", { src: src, alt: c.name, loading: "lazy", referrerpolicy: "no-referrer" });
      img.addEventListener("error", function () { img.remove(); });
    }
    var variant = [c.colour, c.size].filter(function (s) { return typeof s === "string" && s; }).join(" / ");
    var price = typeof c.price === "number" && isFinite(c.price) ? "¥" + c.price.toFixed(2) : "";
    var stock = T.stock[c.stock_state];
    return h("div", { class: "sa-card", role: "group", "aria-label": c.name }, [img,
      h("div", { class: "sa-card-body" }, [
        h("div", { class: "sa-card-name", "data-role": "card-name", text: c.name }),
        variant ? h("div", { class: "sa-card-variant", text: variant }) : null,
        h("div", { class: "sa-card-row" }, [
          price ? h("span", { class: "sa-card-price", "data-role": "card-price", text: price }) : null,
          stock ? h("span", { class: "sa-stock", "data-role": "card-stock", "data-stock": c.stock_state, text: stock }) : null,
        ]),
      ]),
    ]);
  }

  // Only absolute http(s) URLs and root-relative paths (resolved against the gateway).
  function imageUrl(image) {
    if (typeof image !== "string" || !image) return "";
    if (/^https?:\/\//i.test(image)) return image;
    if (image.charAt(0) === "/" && image.charAt(1) !== "/") return ORIGIN + image;
    return "";
  }

  // Messages are ordered by message_id (the server's order); buyer messages not yet
  // acknowledged sort last (Infinity) in the order they were typed.
  function place(el, key) {
    el._key = key;
    if (key !== Infinity) lastKey = Math.max(lastKey, key);
    var prev = el.previousElementSibling, next = el.nextElementSibling;
    if (el.parentNode === log && (!prev || prev._key <= key) && (!next || next._key >= key)) return;
    var after = log.lastElementChild;
    while (after && (after === el || after._key > key)) after = after.previousElementSibling;
    log.insertBefore(el, after ? after.nextElementSibling : log.firstElementChild);
  }

  function validButtons(buttons) {
    return (Array.isArray(buttons) ? buttons : []).filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string" && b.payload.trim();
    }).slice(0, 10);
  }

  // Show one message from the server (live frame or history item) unless it is shown
  // already. Returns the new element, or null for a duplicate.
  function show(m) {
    var id = typeof m.id === "number" ? m.id : null;
    if (id !== null && byId.has(id)) return null;
    if (m.sender === "buyer" && m.clientId && byClientId.has(m.clientId)) {
      markSent(byClientId.get(m.clientId), id);
      return null;
    }
    m.buttons = validButtons(m.buttons);
    m.buttons.forEach(function (b) { titles.set(b.payload, b.title); });
    if (m.sender === "buyer" && titles.has(m.text)) m.text = titles.get(m.text);
    var el = messageElement(m);
    if (m.sender === "buyer") {
      el.dataset.state = "sent";
      if (m.clientId) byClientId.set(m.clientId, el);
    }
    if (id !== null) {
      el.dataset.messageId = String(id);
      byId.set(id, el);
      place(el, id);
    } else {
      place(el, lastKey + 0.001); // an unstored notice: right after what is shown
    }
    return el;
  }

  function markSent(el, id) {
    el.dataset.state = "sent";
    if (typeof id === "number") {
      el.dataset.messageId = String(id);
      byId.set(id, el);
      place(el, id);
    }
  }

  function showPending(item) {
    var el = messageElement({ sender: "buyer", text: item.shown || item.text });
    el.dataset.state = "pending";
    byClientId.set(item.id, el);
    place(el, Infinity);
    return el;
  }

  // Quick replies belong to the bot's messages since the buyer last wrote: once the buyer
  // answers (typing or clicking), older buttons go away.
  function refreshQuickReplies() {
    var current = true;
    for (var el = log.lastElementChild; el; el = el.previousElementSibling) {
      if (el.dataset.sender === "buyer") current = false;
      var want = current && el.dataset.sender === "bot" && el._buttons.length > 0;
      if (want && !el._row) el.append(el._row = quickReplies(el._buttons));
      else if (!want && el._row) { el._row.remove(); el._row = null; }
    }
  }

  function quickReplies(buttons) {
    return h("div", { class: "sa-quick", role: "group", "aria-label": "快捷回复" }, buttons.map(function (b) {
      var button = h("button", { type: "button", class: "sa-quick-reply", text: b.title });
      button.addEventListener("click", function () { send(b.payload, b.title); input.focus(); });
      return button;
    }));
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }
  function scrollToEnd() { scroller.scrollTop = scroller.scrollHeight; }

  function countUnread(n) {
    if (isOpen || !n) return;
    unread += n;
    renderUnread();
  }
  function renderUnread() {
    unreadBadge.textContent = unread > 99 ? "99+" : String(unread);
    unreadBadge.hidden = unread === 0;
    unreadText.textContent = unread ? T.unread.replace("{n}", unread) : "";
  }

  function updateTyping() {
    var stick = nearBottom();
    typing.hidden = !(ready && outbox.some(function (m) { return m.gen === gen; }));
    if (stick) scrollToEnd();
  }

  // Frames from the server that show a message: bot, agent, notice.
  function showLive(m) {
    var stick = nearBottom();
    var el = show(m);
    if (!el) return;
    refreshQuickReplies();
    countUnread(1);
    if (stick) scrollToEnd();
  }

  function fromHistory(item) {
    var custom = item.custom && typeof item.custom === "object" ? item.custom : null;
    return {
      id: item.message_id, sender: SENDERS[item.sender] ? item.sender : "system",
      text: typeof item.text === "string" ? item.text : "", buttons: item.buttons, custom: custom,
      clientId: item.client_message_id, author: workName(custom && custom.agent),
    };
  }

  // ---- handoff status

  function onHandoff(f) {
    var stick = nearBottom(); // the bar changes the log's height
    var mode = String(f.mode || "bot");
    handoffBar.dataset.mode = mode;
    handoffBar.hidden = false;
    var urgent = mode === "waiting" && (f.stage === "window_missed" || f.callback_offered === true);
    if (mode === "waiting") {
      handoffText.textContent = urgent ? T.busy : T.waiting;
    } else if (mode === "human") {
      handoffText.textContent = T.human.replace("{name}", workName(f.agent));
    } else if (mode === "closed") {
      handoffText.textContent = T.closed;
    } else {
      handoffText.textContent = callbackPending ? T.callbackDone : T.back;
    }
    // Window missed or nobody online: nobody is coming soon, so no countdown.
    windowEndsAt = mode === "waiting" && !urgent ? Date.parse(f.window_ends_at) || 0 : 0;
    tick();
    callbackBox.hidden = mode !== "waiting";
    // The honest line already says it: the label stays for screen readers only.
    cbLabel.className = urgent ? "sa-sr" : "sa-cb-label";
    if (mode === "waiting") {
      if (urgent) toggleCallback(true);
    } else {
      toggleCallback(false);
      callbackPending = false;
      cbSubmit.disabled = false;
      cbError.textContent = "";
    }
    if (stick) scrollToEnd();
  }

  // Whole seconds left on the buyer's clock; never negative.
  function tick() {
    clearTimeout(countdownTimer);
    if (!windowEndsAt) { countdown.textContent = ""; return; }
    var left = Math.ceil((windowEndsAt - Date.now()) / 1000);
    countdown.textContent = left > 0 ? T.eta.replace("{n}", left) : T.soon;
    // Wake just after the next whole second, so the number never lags behind.
    if (left > 0) countdownTimer = setTimeout(tick, ((windowEndsAt - Date.now()) % 1000 || 1000) + 20);
  }

  function resetHandoff() {
    windowEndsAt = 0;
    tick();
    handoffBar.hidden = true;
    handoffBar.removeAttribute("data-mode");
    callbackBox.hidden = true;
    toggleCallback(false);
  }

  function toggleCallback(open) {
    cbForm.hidden = !open;
    cbToggle.hidden = open;
    cbToggle.setAttribute("aria-expanded", String(open));
  }

  cbToggle.addEventListener("click", function () {
    toggleCallback(true);
    cbInput.focus();
  });

  cbForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var contact = cbInput.value.trim();
    var digits = contact.replace(/\D/g, "").length;
    if (!PHONE_RE.test(contact) || digits < 5 || digits > 20) {
      cbError.textContent = T.cbBad;
      cbInput.focus();
      return;
    }
    if (!ready) { cbError.textContent = T.cbOffline; return; }
    cbError.textContent = "";
    callbackPending = true;
    cbSubmit.disabled = true;
    // Answered with a notice and a handoff frame (mode "bot"), or an error frame.
    sendFrame({ type: "callback", contact: contact });
  });

  // ---- connection

  var ws = null;
  var gen = 0; // bumps with every socket: events of an old socket are ignored
  var ready = false; // welcome received on the current socket
  var started = false;
  var blocked = false;
  var welcomed = false;
  var retryMs = RETRY_MIN_MS;
  var retryTimer = 0, pingTimer = 0, deadTimer = 0;

  function start() {
    if (started) return;
    started = true;
    connect();
  }

  function connect() {
    if (blocked) return;
    clearTimeout(retryTimer);
    abandon();
    var mine = ++gen;
    var url = WS_URL + (conversationId ? "?conversation_id=" + encodeURIComponent(conversationId) : "");
    try {
      ws = new WebSocket(url);
    } catch (e) {
      lost(0);
      return;
    }
    expectLife(mine); // no welcome within DEAD_AFTER_MS: try again
    ws.addEventListener("message", function (event) {
      if (mine !== gen) return;
      clearTimeout(deadTimer);
      deadTimer = 0;
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame === "object") onFrame(frame);
    });
    ws.addEventListener("close", function (event) {
      if (mine === gen) lost(event.code);
    });
  }

  // Forget the current socket without waiting for its close event (a dead TCP
  // connection can take minutes to report closing).
  function abandon() {
    clearInterval(pingTimer);
    clearTimeout(deadTimer);
    deadTimer = 0;
    if (ws) {
      var old = ws;
      ws = null;
      gen++;
      try { old.close(); } catch (e) { /* already closed */ }
    }
  }

  function expectLife(mine) {
    if (deadTimer) return;
    deadTimer = setTimeout(function () {
      deadTimer = 0;
      if (mine !== gen) return;
      abandon();
      lost(0);
    }, DEAD_AFTER_MS);
  }

  function lost(code) {
    ready = false;
    clearInterval(pingTimer);
    updateTyping();
    if (code === CLOSE_FORBIDDEN_ORIGIN) {
      // This page's origin is not allowed by the gateway: retrying will not help.
      blocked = true;
      abandon();
      setConnection(T.blocked);
      sendButton.disabled = true;
      return;
    }
    setConnection(T.down);
    var delay = retryMs * (0.5 + Math.random() * 0.5); // jitter: reconnects do not come in waves
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  function setConnection(text) {
    connLine.textContent = text;
    connLine.hidden = !text;
    root.dataset.online = String(!text);
  }

  function sendFrame(frame) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function ping() {
    var mine = gen;
    if (sendFrame({ type: "ping" })) expectLife(mine);
  }

  // Network or tab back: reconnect now rather than after the backoff.
  function reconnectNow() {
    if (!started || blocked || ready) return;
    if (ws && ws.readyState === WebSocket.CONNECTING) return;
    retryMs = RETRY_MIN_MS;
    connect();
  }
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") reconnectNow();
  });

  // ---- frames

  function onFrame(f) {
    switch (f.type) {
      case "welcome": onWelcome(f); break;
      case "ack": onAck(f); break;
      case "bot":
        showLive({ id: f.message_id, sender: "bot", text: f.text, buttons: f.buttons, custom: f.custom });
        break;
      case "agent":
        showLive({ id: f.message_id, sender: "agent", text: f.text, author: workName(f.agent) });
        break;
      case "notice":
        showLive({ id: f.message_id, sender: "system", text: f.text });
        break;
      case "handoff": onHandoff(f); break;
      case "turn_end": onTurnEnd(f); break;
      case "error": onError(f); break;
      default: break; // pong, or something newer than this widget
    }
  }

  function onWelcome(f) {
    if (typeof f.conversation_id !== "string") return;
    if (conversationId && f.conversation_id !== conversationId) forgetShown();
    conversationId = f.conversation_id;
    store("conversation", conversationId);
    var firstOnPage = !welcomed;
    welcomed = true;
    ready = true;
    retryMs = RETRY_MIN_MS;
    setConnection("");
    sendButton.disabled = false;
    resetHandoff(); // a handoff frame follows when a person is involved
    var stick = firstOnPage || nearBottom();
    var added = 0;
    (Array.isArray(f.history) ? f.history : []).forEach(function (item) {
      if (!item || typeof item !== "object") return;
      var el = show(fromHistory(item));
      if (el && el.dataset.sender !== "buyer") added++;
    });
    // History from an earlier page is not news; what arrived while offline is.
    if (!firstOnPage) countUnread(added);
    refreshQuickReplies();
    flush();
    updateTyping();
    if (stick) scrollToEnd();
    clearInterval(pingTimer);
    pingTimer = setInterval(ping, PING_EVERY_MS);
  }

  // The server knew nothing of our conversation id and started a new one.
  function forgetShown() {
    Array.from(log.children).forEach(function (el) { if (el.dataset.state !== "pending") el.remove(); });
    byId.clear();
    byClientId.forEach(function (el, id) { if (el.dataset.state !== "pending") byClientId.delete(id); });
    lastKey = 0;
    resetHandoff();
  }

  function onAck(f) {
    var el = byClientId.get(f.client_message_id);
    if (el) markSent(el, f.message_id);
    refreshQuickReplies();
  }

  // The outbox keeps a message until its turn ends, not just until the ack: re-sent after
  // a drop, the server replays the stored replies the buyer may have missed.
  function onTurnEnd(f) {
    var before = outbox.length;
    outbox = outbox.filter(function (m) { return m.id !== f.client_message_id; });
    if (outbox.length !== before) saveOutbox();
    updateTyping();
  }

  function onError(f) {
    if (callbackPending) {
      callbackPending = false;
      cbSubmit.disabled = false;
      if (f.code === "invalid_field") cbError.textContent = T.cbBad;
    }
    if (f.code === "unavailable") {
      // The database failed, so a message was not stored: send the unacknowledged again.
      outbox.forEach(function (m) {
        var el = byClientId.get(m.id);
        if (el && el.dataset.state === "pending") m.gen = -1;
      });
      setTimeout(flush, 3000);
    }
  }

  // Send everything in the outbox not yet sent on this socket (same ids after a reconnect).
  function flush() {
    if (!ready) return;
    outbox.forEach(function (m) {
      if (m.gen === gen) return;
      if (sendFrame({ type: "message", text: m.text, client_message_id: m.id })) m.gen = gen;
    });
  }

  function send(text, shown) {
    if (blocked) return;
    var item = { id: uuid(), text: text, shown: shown && shown !== text ? shown : null, gen: -1 };
    outbox.push(item);
    saveOutbox();
    showPending(item);
    refreshQuickReplies();
    start();
    flush();
    updateTyping();
    scrollToEnd();
  }

  // ---- composer and panel

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(Math.max(input.scrollHeight + 2, 40), 120) + "px";
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || blocked) return;
    input.value = "";
    autosize();
    send(text.slice(0, MAX_CHARS));
    input.focus();
  });

  input.addEventListener("input", autosize);
  input.addEventListener("keydown", function (event) {
    // Enter while a Chinese input method is composing picks a candidate: it must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  var phone = matchMedia("(max-width:480px)");
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !event.isComposing) {
      event.preventDefault();
      setOpen(false, true);
    } else if (event.key === "Tab" && phone.matches) {
      // Full screen on a phone: the page behind is covered, so Tab cycles inside the panel.
      var all = Array.from(panel.querySelectorAll("button,input,textarea")).filter(function (el) {
        return !el.disabled && el.offsetParent;
      });
      var edge = event.shiftKey ? all[0] : all[all.length - 1];
      if (shadow.activeElement === edge) {
        event.preventDefault();
        (event.shiftKey ? all[all.length - 1] : all[0]).focus();
      }
    }
  });

  function setOpen(open, returnFocus) {
    isOpen = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    root.toggleAttribute("data-open", open);
    if (open) {
      unread = 0;
      renderUnread();
      start();
      scrollToEnd();
    } else if (returnFocus) {
      launcher.focus();
    }
  }

  function openWith(text) {
    setOpen(true);
    if (typeof text === "string" && text) {
      input.value = text.slice(0, MAX_CHARS);
      autosize();
    }
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  launcher.addEventListener("click", function () {
    if (isOpen) setOpen(false); else openWith();
  });
  closeButton.addEventListener("click", function () { setOpen(false, true); });

  // The shop's "咨询客服" buttons open the panel, maybe with a draft (never sent).
  window.addEventListener("shop-assistant:open", function (event) {
    openWith(event.detail && event.detail.text);
  });

  window.ShopAssistant = Object.freeze({ open: openWith, close: function () { setOpen(false); } });

  // ---- start

  function mount() {
    document.body.append(host);
    // Typed on an earlier page and never answered: shown now, sent once connected.
    outbox.forEach(showPending);
    // A returning buyer reconnects at once, to see agent messages arrive.
    if (conversationId || outbox.length) start();
    if (config.open) setOpen(true);
  }

  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
