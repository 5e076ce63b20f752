// The callback verifier of the TypeScript client, on the Standard Webhooks test vector.
import assert from "node:assert/strict";
import { test } from "node:test";

import { InvalidSignature, verifiedJson, verify } from "../src/webhooks.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const at = { now: TIMESTAMP };

function headers(signature = SIGNATURE, id = ID): Record<string, string> {
  return { "webhook-id": id, "webhook-timestamp": String(TIMESTAMP), "webhook-signature": signature };
}

test("the published vector verifies, as text, bytes or fetch Headers", () => {
  assert.ok(verify(SECRET, headers(), BODY, at));
  assert.ok(verify(SECRET, headers(), new TextEncoder().encode(BODY), at));
  assert.ok(verify(SECRET, new Headers(headers()), BODY, at));
  const upper = Object.fromEntries(Object.entries(headers()).map(([k, v]) => [k.toUpperCase(), v]));
  assert.deepEqual(verifiedJson(SECRET, upper, BODY, at), { test: 2432232314 });
});

test("another body, id or secret does not verify", () => {
  assert.ok(!verify(SECRET, headers(), BODY.replace("4}", "5}"), at));
  assert.ok(!verify(SECRET, headers(SIGNATURE, "msg_other"), BODY, at));
  const other = "whsec_" + Buffer.alloc(32, "k").toString("base64");
  assert.ok(!verify(other, headers(), BODY, at));
  assert.throws(() => verifiedJson(other, headers(), BODY, at), InvalidSignature);
});

test("one good signature among several verifies, as during a rotation", () => {
  assert.ok(verify(SECRET, headers(`v1,bm9wZQ== v2,x ${SIGNATURE}`), BODY, at));
  assert.ok(!verify(SECRET, headers("v1,bm9wZQ== v2,x"), BODY, at));
  assert.ok(!verify(SECRET, headers(SIGNATURE.replace("v1,", "v2,")), BODY, at));
});

test("a stale or future timestamp is refused as a replay", () => {
  assert.ok(verify(SECRET, headers(), BODY, { now: TIMESTAMP + 300 }));
  assert.ok(!verify(SECRET, headers(), BODY, { now: TIMESTAMP + 301 }));
  assert.ok(!verify(SECRET, headers(), BODY, { now: TIMESTAMP - 301 }));
  assert.ok(!verify(SECRET, headers(), BODY)); // the clock: years later
});

test("missing headers do not verify and a malformed secret is an error", () => {
  assert.ok(!verify(SECRET, {}, BODY, at));
  assert.ok(!verify(SECRET, { ...headers(), "webhook-timestamp": "soon" }, BODY, at));
  assert.throws(() => verify("whsec_not base64!", headers(), BODY, at), /whsec_/);
});
