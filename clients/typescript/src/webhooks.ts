/**
 * Verify the Standard Webhooks signature of what Orchestrator sends a product backend: a job's
 * callback, or a forwarded inbound webhook (https://www.standardwebhooks.com/).
 *
 * The signed bytes are `${webhook-id}.${webhook-timestamp}.` followed by the body exactly as
 * received; the key is the base64-decoded workspace signing secret after its `whsec_` prefix
 * (control-api `GET /api/v1/signing-secrets`); `webhook-signature` holds one or more
 * `v1,<base64 HMAC-SHA256>` separated by spaces (one per secret during a rotation).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** How far (seconds) the signed timestamp may be from now, either way: older is a replay. */
export const TOLERANCE_S = 300;

/** The message is not signed by the secret, or was signed too long ago. */
export class InvalidSignature extends Error {}

export type Headers = Record<string, string | string[] | undefined> | globalThis.Headers;

function header(headers: Headers, name: string): string {
  if (headers instanceof globalThis.Headers) return headers.get(name) ?? "";
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return (Array.isArray(value) ? value[0] : value) ?? "";
  }
  return "";
}

function key(secret: string): Buffer {
  const encoded = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new Error("a signing secret is whsec_ followed by base64");
  }
  return Buffer.from(encoded, "base64");
}

export interface VerifyOptions {
  /** Unix seconds; the clock by default. */
  now?: number;
  toleranceS?: number;
}

/**
 * Whether `body` (the raw bytes received, not re-encoded JSON) carries a `v1` signature by
 * `secret` made within the tolerance of now. Header names in any case (Node's or fetch's).
 */
export function verify(
  secret: string,
  headers: Headers,
  body: string | Uint8Array,
  { now = Date.now() / 1000, toleranceS = TOLERANCE_S }: VerifyOptions = {},
): boolean {
  const id = header(headers, "webhook-id");
  const stamp = header(headers, "webhook-timestamp");
  if (!id || !/^\d+$/.test(stamp)) return false;
  if (Math.abs(now - Number(stamp)) > toleranceS) return false;
  const expected = createHmac("sha256", key(secret))
    .update(`${id}.${stamp}.`)
    .update(body)
    .digest();
  for (const candidate of header(headers, "webhook-signature").split(" ")) {
    const comma = candidate.indexOf(",");
    if (comma < 0 || candidate.slice(0, comma) !== "v1") continue;
    const presented = Buffer.from(candidate.slice(comma + 1), "base64");
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) return true;
  }
  return false;
}

/**
 * The JSON `body` once its signature is verified; throws `InvalidSignature`.
 * Deduplicate on `webhook-id`: a retried delivery carries the same one.
 */
export function verifiedJson<T = unknown>(
  secret: string,
  headers: Headers,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): T {
  if (!verify(secret, headers, body, options)) {
    throw new InvalidSignature("the webhook signature does not verify");
  }
  return JSON.parse(typeof body === "string" ? body : Buffer.from(body).toString("utf8")) as T;
}
