/**
 * An example product backend: it submits a job to the exec-api with a `callback_url` on its own
 * little HTTP server, polls the job, receives the signed callback, verifies it, and prints one
 * JSON line: `{"job": {...as polled}, "callback": {...as received}}`.
 *
 * Configuration by environment, as clients/python/examples/backend.py: ORCH_CONTROL_URL,
 * ORCH_EXEC_URL, ORCH_CLIENT_ID, ORCH_CLIENT_SECRET, ORCH_SIGNING_SECRET, ORCH_CONNECTOR,
 * ORCH_OPERATION, ORCH_PAYLOAD (JSON), ORCH_CALLBACK_HOST (127.0.0.1).
 * Run: `npm run build && node dist/examples/backend.js` in clients/typescript.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

import { accessToken, execClient, InvalidSignature, verifiedJson } from "../src/index.js";

const FINAL = new Set(["succeeded", "failed", "dead", "cancelled"]);

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const secret = need("ORCH_SIGNING_SECRET");
  let delivered: (event: unknown) => void = () => {};
  const callback = new Promise<unknown>((resolve) => (delivered = resolve));
  // Verify the raw bytes, before parsing: re-encoded JSON would not verify.
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    try {
      delivered(verifiedJson(secret, request.headers, Buffer.concat(chunks)));
      response.writeHead(204).end();
    } catch (error) {
      response.writeHead(error instanceof InvalidSignature ? 401 : 400).end();
    }
  });
  server.listen(0, process.env.ORCH_CALLBACK_HOST ?? "127.0.0.1");
  await once(server, "listening");
  const { address, port } = server.address() as AddressInfo;

  const token = await accessToken(
    need("ORCH_CONTROL_URL"),
    need("ORCH_CLIENT_ID"),
    need("ORCH_CLIENT_SECRET"),
  );
  const client = execClient(need("ORCH_EXEC_URL"), token);
  const submitted = await client.POST("/api/v1/jobs", {
    body: {
      connector: need("ORCH_CONNECTOR"),
      operation: need("ORCH_OPERATION"),
      payload: JSON.parse(process.env.ORCH_PAYLOAD ?? "{}"),
      callback_url: `http://${address}:${port}/callback`,
    },
  });
  if (!submitted.data) throw new Error(`not accepted: ${JSON.stringify(submitted.error)}`);
  const jobId = submitted.data.id;

  const deadline = Date.now() + 30_000;
  let job;
  for (;;) {
    // Poll until the job ends.
    const polled = await client.GET("/api/v1/jobs/{job_id}", { params: { path: { job_id: jobId } } });
    job = polled.data;
    if (job && FINAL.has(job.status)) break;
    if (Date.now() > deadline) throw new Error(`job ${jobId} has not ended`);
    await sleep(200);
  }
  const event = await Promise.race([
    callback,
    sleep(30_000).then(() => Promise.reject(new Error("no callback"))),
  ]);
  server.close();
  process.stdout.write(JSON.stringify({ job, callback: event }) + "\n");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
