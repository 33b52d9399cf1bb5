// fetch wrapper for /api/agent: same-origin cookie, JSON bodies, the CSRF token on every
// POST/PUT/DELETE, and the gateway's JSON errors turned into Chinese messages.
// Calls never throw: they resolve to {ok, status, data, code, message}.

const MESSAGES = {
  taken: "已被其他客服接入",
  not_yours: "该会话不归您处理",
  full: "您的接待量已满",
  not_active: "会话已不在人工接待中",
  not_waiting: "该买家已不在排队中",
  not_found: "内容不存在或已被删除",
  too_long: "内容过长",
  empty: "内容不能为空",
  missing_text: "内容不能为空",
  invalid_field: "填写的内容格式不正确",
  invalid_json: "请求格式错误",
  not_an_object: "请求格式错误",
  invalid_utf8: "请求格式错误",
  unsupported_media_type: "请求格式错误",
  unauthorized: "登录已过期，请重新登录",
  forbidden: "您没有权限执行此操作",
  csrf: "安全校验失败，请刷新页面后重试",
  etiquette: "内容不符合服务礼仪，请修改后再保存",
  conflict: "操作冲突，请刷新后重试",
  unavailable: "服务暂时不可用，请稍后重试",
  network: "网络连接失败，请检查网络后重试",
};

let csrfToken = null;
let resolveToken;
const tokenReady = new Promise((resolve) => { resolveToken = resolve; });

/** Set the CSRF token (from GET /api/agent/me). Requests that need it wait for it. */
export function setCsrfToken(token) {
  csrfToken = token || null;
  resolveToken(csrfToken);
}

let onUnauthorized = () => {
  location.assign("/agent/login?next=" + encodeURIComponent(location.pathname + location.search));
};

/** What to do on a 401 (default: go to the login page). */
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

/** A Chinese message for a failed result. */
export function errorMessage(code, status) {
  if (code && MESSAGES[code]) return MESSAGES[code];
  if (status === 403) return MESSAGES.forbidden;
  if (status === 404) return MESSAGES.not_found;
  if (status === 429) return "操作太频繁，请稍后再试";
  if (status >= 500) return "服务器暂时出错，请稍后重试";
  return "操作失败，请稍后重试";
}

async function request(method, path, body, retried = false) {
  const headers = { Accept: "application/json" };
  const options = { method, credentials: "same-origin", headers, cache: "no-store" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body || {});
    if (csrfToken === null) {
      // Wait (briefly) for /me to bring the token; a console opened a second ago may click fast.
      await Promise.race([tokenReady, new Promise((r) => setTimeout(r, 5000))]);
    }
    if (csrfToken) headers["X-CSRF-Token"] = csrfToken;
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    return { ok: false, status: 0, data: {}, code: "network", message: MESSAGES.network };
  }
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  data = data && typeof data === "object" ? data : {};
  if (response.ok) return { ok: true, status: response.status, data, code: null, message: "" };
  const code = typeof data.error === "string" ? data.error : null;
  if (code === "csrf" && !retried) {
    // The session was renewed (a login in another tab): fetch the new token, try once more.
    const me = await request("GET", "/api/agent/me");
    if (me.ok && me.data.csrf_token) {
      csrfToken = me.data.csrf_token;
      return request(method, path, body, true);
    }
  }
  if (response.status === 401) onUnauthorized();
  return { ok: false, status: response.status, data, code, message: errorMessage(code, response.status) };
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body) => request("POST", path, body),
  put: (path, body) => request("PUT", path, body),
  del: (path) => request("DELETE", path),
};

/** /api/agent/conversations/<cid>[/<action>] */
export function convPath(cid, action) {
  return "/api/agent/conversations/" + encodeURIComponent(cid) + (action ? "/" + action : "");
}
