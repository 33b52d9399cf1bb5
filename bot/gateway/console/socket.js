// The console's WebSocket /ws/agent: ping every 15 s (the heartbeat that keeps the agent
// available), reconnect with backoff, and 4401 → the login page.

import { emit } from "./store.js";

const PING_MS = 15000;
const PONG_TIMEOUT_MS = 10000;
const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;

let socket = null;
let retryMs = MIN_RETRY_MS;
let pingTimer = 0;
let pongTimer = 0;
let retryTimer = 0;
let stopped = false;

function setConn(state) {
  emit("conn", state); // "connecting" | "open" | "down"
}

export function connect() {
  stopped = false;
  clearTimeout(retryTimer);
  if (socket && socket.readyState <= WebSocket.OPEN) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(scheme + "//" + location.host + "/ws/agent");
  socket = ws;
  setConn("connecting");

  ws.addEventListener("open", () => {
    clearInterval(pingTimer);
    pingTimer = setInterval(ping, PING_MS);
  });

  ws.addEventListener("message", (event) => {
    clearTimeout(pongTimer); // anything from the server proves the socket is alive
    let frame;
    try { frame = JSON.parse(event.data); } catch (err) { return; }
    if (!frame || typeof frame !== "object") return;
    if (frame.type === "hello") {
      retryMs = MIN_RETRY_MS;
      setConn("open");
    }
    emit("frame:" + frame.type, frame);
  });

  ws.addEventListener("close", (event) => {
    if (socket !== ws) return; // replaced or closed on purpose
    socket = null;
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    if (event.code === 4401) {
      stopped = true;
      location.assign("/agent/login?next=" + encodeURIComponent(location.pathname));
      return;
    }
    if (stopped) return;
    setConn("down");
    const jitter = Math.random() * 0.3 * retryMs;
    retryTimer = setTimeout(connect, retryMs + jitter);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  });
}

function ping() {
  if (!send({ type: "ping" })) return;
  clearTimeout(pongTimer);
  pongTimer = setTimeout(() => {
    // No answer: the connection is dead even if the browser has not noticed yet.
    if (socket) socket.close(4000, "no pong");
  }, PONG_TIMEOUT_MS);
}

/** Send a frame; false when the socket is not open. */
export function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

export function disconnect() {
  stopped = true;
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  clearTimeout(pongTimer);
  const ws = socket;
  socket = null;
  if (ws) ws.close(1000);
}

// Back online after a network drop: try at once instead of waiting for the backoff.
window.addEventListener("online", () => {
  if (!stopped && !socket) { retryMs = MIN_RETRY_MS; connect(); }
});
