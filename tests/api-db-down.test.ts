import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { afterAll, describe, expect, it } from "vitest";
import { createApiApp } from "../server/api/app";
import { createDb } from "../server/db/client";
import { startEmbeddedPostgres } from "../server/db/embedded-postgres";
import { runMigrations } from "../server/db/migrate";
import { freePort } from "./helpers/free-port";
import { createWorkspaceWithMembers } from "./helpers/fixtures";

/**
 * Postgres stops while agents claim and report: the API answers 503 with Retry-After (never 500
 * or a hang), and works again once Postgres is back, without restarting anything.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-down-"));
fs.chmodSync(dir, 0o755);
const pgPort = await freePort();
let server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: pgPort, database: "down" });
await runMigrations(server.url);
const db = createDb(server.url, 5);
const app = http.createServer(getRequestListener(createApiApp(() => db).fetch, { overrideGlobalObjects: false }));
await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
afterAll(async () => {
  app.close();
  await db.$client.end().catch(() => undefined);
  await server.stop().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function post(pathname: string, key: string, body: unknown) {
  const started = Date.now();
  const res = await fetch(base + pathname, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), json: await res.json(), ms: Date.now() - started };
}

describe("the API while Postgres is down", () => {
  it("answers 503 with Retry-After for claims and state reports, then recovers by itself", { timeout: 90_000 }, async () => {
    const { ws, owner } = await createWorkspaceWithMembers(db);
    const { key } = await owner.caller.apiKeys.create({ workspace: ws.slug, name: "agent", role: "owner" });
    const agent = await post("/api/v1/agents", key, { name: "survivor" });
    expect(agent.status).toBe(200);
    const claimBody = { agentId: agent.json.id, slots: 4 };
    const reportBody = { reports: [{ runId: crypto.randomUUID(), attempt: 1, leaseToken: crypto.randomUUID(), transitionId: crypto.randomUUID(), state: { type: "RUNNING" } }] };
    expect((await post("/api/v1/work-pools/default/claim", key, claimBody)).status).toBe(200);

    await server.stop();
    for (let i = 0; i < 3; i++) {
      for (const [p, body] of [["/api/v1/work-pools/default/claim", claimBody], ["/api/v1/flow-runs/states", reportBody]] as const) {
        const res = await post(p, key, body);
        expect(res.status, JSON.stringify(res.json)).toBe(503);
        expect(res.retryAfter).toBe("5");
        expect(res.json.error.code).toBe("unavailable");
        expect(res.ms).toBeLessThan(5_000);
      }
    }

    server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: pgPort, database: "down" });
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await post("/api/v1/work-pools/default/claim", key, claimBody)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    const after = await post("/api/v1/flow-runs/states", key, reportBody);
    expect(after.status).toBe(200);
    expect(after.json.results[0].status).toBe("NOT_FOUND");
  });
});
