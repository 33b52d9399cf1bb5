// 模型训练: 开始训练 starts a job (one at a time, bot/gateway/training_rest.py); its
// progress is polled until it ends, then its report is shown (trainer_report.js). The
// recent jobs can be picked from a list. 激活新模型 is enabled only for a finished job
// whose model is not worse, and asks in a real <dialog> before Rasa switches to it.

import { $, el, clock } from "./dom.js";
import { api } from "./api.js";
import { JOB_STATES } from "./labels.js";
import { TRAINER_API, trainerPath, stamp } from "./trainer_data.js";
import { reportNode } from "./trainer_report.js";
import { toast } from "./header.js";

const POLL_MS = 2000;
const ACTIVE = new Set(["queued", "validating", "training", "evaluating"]); // jobs.ACTIVE_STATES
const ERRORS = {
  busy: "已有训练在进行中",
  not_ready: "训练还没有完成",
  worse: "新模型比当前模型差，不能激活",
  stale: "机器人已经换过模型，请重新训练后再比较",
  model_missing: "找不到这次训练的模型文件",
  upstream: "机器人服务没有接受新模型，请稍后重试",
  confirm_required: "请先确认",
  job_error: "训练记录无法读取",
};
let job = null; // the status shown
let report = null;
let timer = 0;
let shown = false;

const failure = (result) => ERRORS[result.code] || result.message;
const active = () => Boolean(job && ACTIVE.has(job.state));
const canActivate = () => Boolean(job && job.state === "ready" && report && report.verdict && report.verdict.not_worse);

function fraction(progress) {
  const n = Number(progress);
  if (!Number.isFinite(n) || n < 0) return null;
  return n > 1 ? Math.min(1, n / 100) : n;
}

function renderStatus() {
  const running = active();
  $("training-start").disabled = running;
  $("training-progress-box").hidden = !running;
  const status = $("training-status");
  status.dataset.state = job ? job.state || "" : "";
  if (!job) {
    status.textContent = "还没有训练记录。训练用当前的训练数据，大约需要 15 分钟。";
  } else {
    const bits = [JOB_STATES[job.state] || job.state];
    if (job.started_at || job.created_at) bits.push("开始于 " + stamp(job.started_at || job.created_at));
    if (job.finished_at) bits.push("结束于 " + clock(job.finished_at));
    if (job.error) bits.push(String(job.error));
    status.textContent = bits.join(" · ");
  }
  if (running) {
    const share = fraction(job.progress);
    const bar = $("training-progress");
    if (share === null) bar.removeAttribute("value"); else bar.value = share;
    $("training-stage").textContent = (JOB_STATES[job.state] || job.state)
      + (share === null ? "" : " " + Math.round(share * 100) + "%") + (job.stage ? " · " + job.stage : "");
  }
  $("training-activate").hidden = !report;
  $("training-activate").disabled = !canActivate();
  $("activate-note").textContent = job && job.state === "activated" ? "这个模型正在使用中。" : "";
}

function renderJobs(jobs) {
  const select = $("training-jobs");
  select.replaceChildren(...jobs.map((j) => el("option", {
    text: stamp(j.started_at || j.created_at) + " · " + (JOB_STATES[j.state] || j.state),
    attrs: { value: j.id },
  })));
  $("training-jobs-field").hidden = !jobs.length;
  if (job) select.value = job.id;
}

function show(data) {
  const fresh = data.job || job;
  const changed = !job || fresh.id !== job.id;
  job = fresh;
  if (changed || data.report || !report) {
    report = data.report || null;
    $("training-report").replaceChildren(...[reportNode(report, job.id)].filter(Boolean));
  }
  renderStatus();
}

/** Read job `id` (and its report), and keep polling while it runs. */
async function follow(id) {
  clearTimeout(timer);
  const result = await api.get(trainerPath("training", id));
  if (!result.ok) {
    if (result.status !== 401) $("training-status").textContent = "读取训练状态失败：" + failure(result);
    if (result.status >= 500 || result.status === 0) timer = setTimeout(() => follow(id), POLL_MS * 3);
    return;
  }
  show(result.data);
  if (active()) timer = setTimeout(() => follow(id), POLL_MS);
  else refreshJobs(false); // its state in the list changed too
}

/** The recent jobs; `pick`: show the newest (the running one first). */
async function refreshJobs(pick) {
  const result = await api.get(TRAINER_API + "/training");
  if (!result.ok) return;
  const jobs = Array.isArray(result.data.jobs) ? result.data.jobs : [];
  if (pick && jobs.length) {
    const running = jobs.find((j) => ACTIVE.has(j.state));
    await follow((running || jobs[0]).id);
  }
  renderJobs(jobs);
  if (!jobs.length) renderStatus();
}

async function start() {
  $("training-start").disabled = true;
  const result = await api.post(TRAINER_API + "/training", {});
  if (!result.ok) {
    toast("开始训练失败：" + failure(result), result.code === "busy" ? "warn" : "error");
    if (result.code === "busy") await refreshJobs(true);
    renderStatus();
    return;
  }
  report = null;
  show({ job: result.data.job, report: null });
  refreshJobs(false);
  timer = setTimeout(() => follow(job.id), POLL_MS);
}

async function activate(event) {
  event.preventDefault();
  $("activate-confirm").disabled = true;
  const result = await api.post(trainerPath("training", job.id, "activate"), { confirm: true });
  $("activate-confirm").disabled = false;
  if (!result.ok) {
    $("activate-error").textContent = "激活失败：" + failure(result);
    return;
  }
  $("activate-dialog").close();
  toast("新模型已激活");
  show({ job: result.data.job, report });
  refreshJobs(false);
}

function openActivate() {
  if (!canActivate()) return;
  const next = report.new || {};
  $("activate-summary").textContent = "训练于 " + stamp(job.started_at || job.created_at) + "：准确率 "
    + Number(next.accuracy ?? 0).toFixed(3) + "，宏平均 F1 " + Number(next.macro_f1 ?? 0).toFixed(3) + "。";
  $("activate-error").textContent = "";
  $("activate-dialog").showModal();
  $("activate-cancel").focus();
}

/** First showing of the panel: the newest job (a running one first) comes back. */
export function showTraining() {
  if (shown) return;
  shown = true;
  refreshJobs(true);
}

export function initTraining() {
  $("training-start").addEventListener("click", start);
  $("training-jobs").addEventListener("change", (event) => follow(event.target.value));
  $("training-activate").addEventListener("click", openActivate);
  $("activate-form").addEventListener("submit", activate);
  $("activate-cancel").addEventListener("click", () => $("activate-dialog").close());
  renderStatus();
}
