// Shared state of the console and a tiny event bus between the modules.

const bus = new EventTarget();

export const store = {
  me: null, // {id, work_name, role}
  presence: null, // what the agent chose (online | away), once known; the server may say idle
  maxChats: null,
  handoffs: new Map(), // handoff id → {view, at: Date.now() when the view arrived}
  openCid: null, // the conversation shown in the pane
  lastText: new Map(), // conversation id → the last line seen (for the lists)
};

export function on(type, fn) {
  bus.addEventListener(type, (event) => fn(event.detail));
}

export function emit(type, detail) {
  bus.dispatchEvent(new CustomEvent(type, { detail }));
}

export const role = () => (store.me ? store.me.role : null);
export const isSupervisor = () => role() === "supervisor";
export const isTrainer = () => role() === "trainer";
export const isMe = (agent) => Boolean(store.me && agent && agent.id === store.me.id);

/** May the current user write into / hand back / close this conversation's handoff? */
export function canAct(view) {
  if (!view || view.state !== "active" || isTrainer()) return false;
  return isMe(view.accepted_by) || isSupervisor();
}

/** May the current user try to accept this waiting handoff? */
export function canAccept(view) {
  if (!view || view.state !== "waiting" || isTrainer() || !store.me) return false;
  if (isSupervisor()) return true;
  return view.stage !== "assigned" || !view.assigned_agent || isMe(view.assigned_agent);
}

/** Keep or drop a handoff view; returns the stored entry (null when dropped). */
export function upsertHandoff(view) {
  if (!view || typeof view.id !== "number") return null;
  if (view.state === "ended") {
    store.handoffs.delete(view.id);
    return null;
  }
  const entry = { view, at: Date.now() };
  store.handoffs.set(view.id, entry);
  return entry;
}

export function handoffFor(cid) {
  for (const { view } of store.handoffs.values()) {
    if (view.conversation_id === cid) return view;
  }
  return null;
}

const byAge = (a, b) => Date.parse(a.triggered_at) - Date.parse(b.triggered_at);

export function waitingViews() {
  return [...store.handoffs.values()].map((e) => e.view).filter((v) => v.state === "waiting").sort(byAge);
}

export function activeViews() {
  return [...store.handoffs.values()].map((e) => e.view).filter((v) => v.state === "active").sort(byAge);
}

/** Conversations held or offered, like the server's `load`. */
export function myLoad() {
  let load = 0;
  for (const { view } of store.handoffs.values()) {
    if (view.state === "active" && isMe(view.accepted_by)) load += 1;
    else if (view.state === "waiting" && isMe(view.assigned_agent)) load += 1;
  }
  return load;
}
