// Downloads are kept sealed: each chunk AES-GCM under the device's key (released by the server
// with the licence, imported here as a key no script can read back), with its own random IV
// and the track and chunk number as associated data, so chunks cannot be swapped around.

export async function importDeviceKey(base64url) {
  const raw = Uint8Array.from(atob(base64url.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

function label(trackId, index) {
  return new TextEncoder().encode(`cadenza.${trackId}.${index}`);
}

export async function seal(key, trackId, index, plain) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: label(trackId, index) }, key, plain);
  return { iv, data };
}

export async function open(key, trackId, index, sealed) {
  return crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv, additionalData: label(trackId, index) }, key, sealed.data);
}

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

// A licence as the server signed it (`PAYLOAD.SIGNATURE`, base64url; Ed25519 over the context
// and the payload): its fields, or null when it does not verify (rewritten, or none).
const LICENCE_CONTEXT = new TextEncoder().encode("cadenza offline licence\0");
const unbase64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=")), (c) => c.charCodeAt(0));

export async function verifiedLicence(signed, publicKey) {
  if (!signed || !publicKey) return null;
  try {
    const [payload, signature] = signed.split(".").map(unbase64);
    const key = await crypto.subtle.importKey("raw", unbase64(publicKey), { name: "Ed25519" }, false, ["verify"]);
    const message = new Uint8Array(LICENCE_CONTEXT.length + payload.length);
    message.set(LICENCE_CONTEXT);
    message.set(payload, LICENCE_CONTEXT.length);
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message))) return null;
    return JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return null;
  }
}
