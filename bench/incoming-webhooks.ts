/**
 * npm run bench:incoming-webhooks — a signed GitHub-style call of `POST /hooks/{token}` against the
 * production server: the time to its 202 (the run is created in the request), and the time from
 * the call to an agent's long-polling claim returning that run. Prints figures; not part of `npm test`.
 */
import { createHmac } from "node:crypto";
import { createApiKey } from "../server/api-keys/manage-api-keys";
import { users } from "../server/db/schema";
import { createWorkspace } from "../server/workspaces/create-workspace";
import { percentile, startBenchEnvironment } from "./bench-env";

const CALLS = Number(process.env.BENCH_CALLS ?? 300);

const env = await startBenchEnvironment();
const { base, db } = env;
const [user] = await db.insert(users).values({ email: "bench@example.com" }).returning();
const ws = await createWorkspace(db, { userId: user.id, label: user.email }, { name: "Bench" });
const actor = { userId: user.id, label: user.email, role: "owner" as const };
const { key } = await createApiKey(db, ws.id, actor, { name: "bench", role: "owner" });
const { key: agentKey } = await createApiKey(db, ws.id, actor, { name: "agents", role: "agent" });

async function api(method: string, path: string, k: string, body?: unknown) {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${k}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const deploymentId = (await api("PUT", "/api/v1/deployments", key, { flowName: "bench", name: "on-push", kind: "command", command: "true" })).deployment.id as string;
const created = await api("POST", "/api/v1/incoming-webhooks", key, {
  name: "bench-push",
  deploymentId,
  signatureScheme: "github",
  parameterTemplate: { ref: "{{ body.ref }}", commit: "{{ body.head_commit.id }}" },
  rateLimitPerMinute: 6000,
});
const path = new URL(created.incomingWebhook.url).pathname;
const secret = created.secret as string;
const agentId = (await api("POST", "/api/v1/agents", agentKey, { name: "bench-agent", hostname: "bench", version: "0.1.0" })).id as string;

/** BENCH_VIA=api starts the runs with POST /api/v1/deployments/{id}/runs instead, for comparison. */
const VIA_API = process.env.BENCH_VIA === "api";

async function call(i: number) {
  if (VIA_API) return { runId: (await api("POST", `/api/v1/deployments/${deploymentId}/runs`, key, { parameters: {} })).run.id as string };
  const body = JSON.stringify({ ref: "refs/heads/main", head_commit: { id: `c${i}` }, padding: "x".repeat(2_000) });
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-delivery": `bench-${i}`, "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
    body,
  });
  if (res.status !== 202) throw new Error(`call ${i} → ${res.status} ${await res.text()}`);
  return (await res.json()) as { runId: string };
}

for (let i = 0; i < 20; i++) await call(-1 - i); // warm-up
await api("POST", "/api/v1/work-pools/default/claim", agentKey, { agentId, slots: 100, waitSeconds: 0 });

const toAccepted: number[] = [];
const toClaimed: number[] = [];
for (let i = 0; i < CALLS; i++) {
  const claim = api("POST", "/api/v1/work-pools/default/claim", agentKey, { agentId, slots: 1, waitSeconds: 10 });
  await new Promise((r) => setTimeout(r, 2)); // let the long poll register first, as a waiting agent would be
  const t0 = performance.now();
  const { runId } = await call(i);
  toAccepted.push(performance.now() - t0);
  const { runs } = (await claim) as { runs: { id: string }[] };
  toClaimed.push(performance.now() - t0);
  if (toClaimed[i] > 1000) console.log(`slow claim at call ${i}: ${toClaimed[i].toFixed(0)} ms (202 after ${toAccepted[i].toFixed(0)} ms)`);
  if (runs[0]?.id !== runId) throw new Error(`claim returned ${runs[0]?.id}, expected ${runId}`);
}
const fmt = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(1)} ms, p95 ${percentile(s, 95).toFixed(1)} ms, p99 ${percentile(s, 99).toFixed(1)} ms`;
};
console.log(VIA_API ? `POST /deployments/{id}/runs (for comparison), ${CALLS} calls, one at a time:` : `incoming webhooks, ${CALLS} signed calls, one at a time:`);
console.log(`  call → 202 (run created):     ${fmt(toAccepted)}`);
console.log(`  call → claimed by an agent:   ${fmt(toClaimed)}`);
await env.stop();
process.exit(0);
