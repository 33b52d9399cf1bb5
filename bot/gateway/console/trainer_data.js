// What the trainer's panels share: the API paths, the intents of the training data (one
// cached fetch, refreshed after a relabel adds an example) and small formatting helpers.

import { api } from "./api.js";
import { intentText } from "./labels.js";

export const TRAINER_API = "/api/agent/trainer";

/** /api/agent/trainer/<parts…> with every part URL-encoded. */
export function trainerPath(...parts) {
  return TRAINER_API + parts.map((p) => "/" + encodeURIComponent(String(p))).join("");
}

let intents = null; // {intents: [{name, examples, thin}], sentiments, thin_below, low_confidence}
let pending = null;

/** The intents of the training data (cached; `fresh` fetches them again). */
export async function loadIntents(fresh = false) {
  if (intents && !fresh) return intents;
  if (!pending) {
    pending = api.get(TRAINER_API + "/intents").then((result) => {
      pending = null;
      if (!result.ok) return intents || { intents: [], sentiments: [], thin_below: 0, low_confidence: 0, error: result.message };
      const data = result.data;
      intents = {
        intents: Array.isArray(data.intents) ? data.intents : [],
        sentiments: Array.isArray(data.sentiments) && data.sentiments.length
          ? data.sentiments : ["negative", "neutral", "positive"],
        thin_below: Number(data.thin_below) || 0,
        low_confidence: Number(data.low_confidence) || 0,
      };
      return intents;
    });
  }
  return pending;
}

/** "问尺码 · ask_size", or the bare name when it has no Chinese label. */
export function intentName(name) {
  const label = intentText(name);
  return label && label !== name ? label + " · " + name : name || "";
}

const pad = (n) => String(n).padStart(2, "0");

/** A Date as the YYYY-MM-DD of the browser's (the shop's) calendar. */
export function isoDay(date) {
  return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
}

/** Today minus `days`, as YYYY-MM-DD. */
export function daysAgo(days) {
  const date = new Date();
  date.setDate(date.getDate() - days);
  return isoDay(date);
}

/** "2026-11-23 14:03" in local time ("" for a bad date). */
export function stamp(iso) {
  const date = new Date(iso);
  if (!iso || isNaN(date)) return "";
  return isoDay(date) + " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
}

/** 0.5123 → "0.512" (metrics), "—" when missing. */
export function score(value) {
  const n = Number(value);
  return value === null || value === undefined || !Number.isFinite(n) ? "—" : n.toFixed(3);
}

/** Allowed names of a new intent (the server has the last word). */
export const INTENT_NAME = /^[a-z][a-z0-9_]{1,63}$/;
