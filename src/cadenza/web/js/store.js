// Who is signed in and what their plan allows, shared by every page.
import { api, signedIn } from "./api.js";

export const store = { me: null, plan: null };
const watchers = new Set();

export function watch(fn) {
  watchers.add(fn);
}

export async function loadMe() {
  if (!signedIn()) {
    store.me = store.plan = null;
  } else {
    try {
      [store.me, store.plan] = await Promise.all([api.get("/api/v1/me"), api.get("/api/v1/me/plan")]);
    } catch (error) {
      if (error.status !== 401) throw error;
      store.me = store.plan = null;
    }
  }
  watchers.forEach((fn) => fn(store));
  return store;
}

// Someone else set the store (an offline start, from what was known): pages redraw.
export function notifyWatchers() {
  watchers.forEach((fn) => fn(store));
}

export function hasRole(role) {
  return Boolean(store.me?.roles?.includes(role));
}

export function onDemand() {
  return Boolean(store.plan?.features?.on_demand);
}

export const PLAN_NAMES = {
  free: "Free",
  plus: "Plus",
  premium_individual: "Premium Individual",
  premium_duo: "Premium Duo",
  premium_family: "Premium Family",
  premium_student: "Premium Student",
};
