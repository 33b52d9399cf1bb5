// The public login page of the agent console. Self-contained (the console's modules
// need a session). On success go to /agent, or to ?next= when it is a console path.
(() => {
  "use strict";

  const form = document.getElementById("login-form");
  const username = document.getElementById("login-username");
  const password = document.getElementById("login-password");
  const submit = document.getElementById("login-submit");
  const error = document.getElementById("login-error");
  const caps = document.getElementById("login-caps");

  function target() {
    const next = new URLSearchParams(location.search).get("next") || "";
    // Only a path of the console on this site: no "//host", no backslashes, no login loop.
    const safe = /^\/agent(?:[/?#]|$)/.test(next) && !next.startsWith("//") && !next.includes("\\") &&
      !next.startsWith("/agent/login");
    return safe ? next : "/agent";
  }

  function showError(text) {
    error.textContent = text;
  }

  function messageFor(status, data) {
    if (status === 401) return "用户名或密码错误，或账号已停用";
    if (status === 429) return "尝试次数过多，请稍后再试";
    if (status === 413) return "用户名或密码过长";
    if (status === 403) return "登录请求被拒绝，请清除本站 Cookie 或关闭浏览器后重新打开登录页";
    if (status === 0) return "无法连接服务器，请检查网络后重试";
    if (status >= 500) return "服务器暂时出错，请稍后重试";
    return "登录失败" + (data && data.error ? "（" + data.error + "）" : "") + "，请重试";
  }

  async function post(body, token) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) headers["X-CSRF-Token"] = token;
    try {
      const response = await fetch("/api/agent/login", { method: "POST", credentials: "same-origin", headers, body });
      let data = null;
      try { data = await response.json(); } catch (err) { data = null; }
      return [response.status, data];
    } catch (err) {
      return [0, null];
    }
  }

  async function currentToken() {
    try {
      const response = await fetch("/api/agent/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
      const data = response.ok ? await response.json() : null;
      return data && data.csrf_token ? data.csrf_token : null;
    } catch (err) {
      return null;
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    if (!username.value.trim()) {
      showError("请输入用户名");
      username.focus();
      return;
    }
    if (!password.value) {
      showError("请输入密码");
      password.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "登录中…";
    const body = JSON.stringify({ username: username.value.trim(), password: password.value });
    let [status, data] = await post(body, null);
    if (status === 403 && data && data.error === "csrf") {
      // A session cookie is still there (logged in in another tab): the gateway wants its token.
      const token = await currentToken();
      if (token) [status, data] = await post(body, token);
    }
    if (status === 200 && data && data.agent) {
      submit.textContent = "登录成功，正在进入…";
      location.replace(target());
      return;
    }
    submit.disabled = false;
    submit.textContent = "登录";
    showError(messageFor(status, data));
    password.value = "";
    password.focus();
  });

  password.addEventListener("keyup", (event) => {
    if (typeof event.getModifierState === "function") caps.hidden = !event.getModifierState("CapsLock");
  });
  password.addEventListener("blur", () => { caps.hidden = true; });
})();
