// The listener's time zone: the browser's IANA zone is saved on the account once (weekly
// playlists turn over at the listener's midnight); the account page changes it.
import { api } from "./api.js";

export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function knownZones() {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return [];
  }
}

export async function saveZone(me, zone) {
  const account = await api.put("/api/v1/me/time-zone", { time_zone: zone });
  me.time_zone = account.time_zone;
  localStorage.setItem(`cadenza.zone.${me.id}`, "saved");
  return account;
}

// Save the browser's zone on an account still on the default (UTC), once per browser: a zone
// the listener chose on the account page is never overwritten.
export async function rememberBrowserZone(me) {
  if (!me || me.time_zone !== "UTC" || localStorage.getItem(`cadenza.zone.${me.id}`)) return;
  const zone = browserZone();
  if (zone === "UTC") return;
  await saveZone(me, zone).catch(() => null);
}
