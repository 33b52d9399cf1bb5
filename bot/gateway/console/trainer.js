// The trainer's page (#trainer, the 训练 tab for trainers and supervisors): three panels —
// 会话复查 (trainer_review + trainer_reader + trainer_relabel), 数据健康 (trainer_health)
// and 模型训练 (trainer_training + trainer_report) — and the 导出记录 links.
//
// The page is one more view next to the desk and the supervisor view: showing it hides
// every other view; when another view is shown (its tab, or a module calling showDesk()),
// the page hides itself.

import { $ } from "./dom.js";
import { isSupervisor, isTrainer } from "./store.js";
import { initReview, showReview } from "./trainer_review.js";
import { initReader } from "./trainer_reader.js";
import { initHealth, showHealth } from "./trainer_health.js";
import { initTraining, showTraining } from "./trainer_training.js";

const PANELS = { review: showReview, health: showHealth, training: showTraining };
let visible = false;

const otherViews = () => [...document.querySelectorAll(".app > [role=tabpanel]")].filter((v) => v.id !== "trainer");
const viewTabs = () => [...$("view-tabs").querySelectorAll("[role=tab]")];

function showPage() {
  visible = true;
  for (const view of otherViews()) view.hidden = true;
  $("trainer").hidden = false;
  for (const tab of viewTabs()) tab.setAttribute("aria-selected", String(tab.id === "tab-trainer"));
  showPanel(currentPanel());
}

function hidePage() {
  if (!visible) return;
  visible = false;
  $("trainer").hidden = true;
  $("tab-trainer").setAttribute("aria-selected", "false");
}

function currentPanel() {
  const tab = document.querySelector("#trainer-tabs [aria-selected=true]");
  return tab ? tab.dataset.panel : "review";
}

function showPanel(name) {
  for (const tab of $("trainer-tabs").querySelectorAll("[role=tab]")) {
    const selected = tab.dataset.panel === name;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  (PANELS[name] || showReview)();
}

// ←/→ (and Home/End) move between the panel tabs, as in any tab list.
function onTabKey(event) {
  const tabs = [...$("trainer-tabs").querySelectorAll("[role=tab]")];
  const index = tabs.indexOf(document.activeElement);
  const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
  if (index < 0 || !(event.key in moves)) return;
  event.preventDefault();
  const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
  next.focus();
  showPanel(next.dataset.panel);
}

/** Called once the role is known (after enableSupervisor): trainers and supervisors. */
export function enableTrainer() {
  const allowed = isTrainer() || isSupervisor();
  $("tab-trainer").hidden = !allowed;
  if (allowed) $("view-tabs").hidden = false;
  if (isTrainer()) $("tab-supervisor").hidden = true;
  if (!allowed) hidePage();
}

export function initTrainer() {
  $("tab-trainer").addEventListener("click", showPage);
  for (const tab of viewTabs()) {
    if (tab.id !== "tab-trainer") tab.addEventListener("click", hidePage);
  }
  // Another view shown by code (say showDesk() when a conversation opens): step aside.
  const watcher = new MutationObserver(() => {
    if (visible && otherViews().some((v) => !v.hidden)) hidePage();
  });
  for (const view of otherViews()) watcher.observe(view, { attributes: true, attributeFilter: ["hidden"] });
  for (const tab of $("trainer-tabs").querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => showPanel(tab.dataset.panel));
  }
  $("trainer-tabs").addEventListener("keydown", onTabKey);
  initReview();
  initReader();
  initHealth();
  initTraining();
}
