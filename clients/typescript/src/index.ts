/**
 * Orchestrator's clients for product backends: typed `openapi-fetch` clients of the exec-api
 * and the control-api, whose types are generated from the OpenAPI documents (`make clients`;
 * src/generated/ is not edited by hand), and the verifier of signed callbacks and forwards.
 */
import createClient, { type Client } from "openapi-fetch";

import type { paths as ControlPaths } from "./generated/control-api.js";
import type { paths as ExecPaths } from "./generated/exec-api.js";

export type { components as ControlComponents, paths as ControlPaths } from "./generated/control-api.js";
export type { components as ExecComponents, paths as ExecPaths } from "./generated/exec-api.js";
export { InvalidSignature, TOLERANCE_S, verifiedJson, verify } from "./webhooks.js";

export type ExecClient = Client<ExecPaths>;
export type ControlClient = Client<ControlPaths>;

/** An access token for a service identity (or an operator): `POST /oauth/token` on the
 * control-api, client-credentials grant. */
export async function accessToken(
  controlUrl: string,
  clientId: string,
  clientSecret: string,
): Promise<string> {
  const response = await fetch(`${controlUrl.replace(/\/$/, "")}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  if (!response.ok) throw new Error(`token request answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A client of the exec-api (what product backends call). */
export function execClient(execUrl: string, token: string): ExecClient {
  return createClient<ExecPaths>({ baseUrl: execUrl, headers: { Authorization: `Bearer ${token}` } });
}

/** A client of the control-api (what operators call). */
export function controlClient(controlUrl: string, token: string): ControlClient {
  return createClient<ControlPaths>({
    baseUrl: controlUrl,
    headers: { Authorization: `Bearer ${token}` },
  });
}
