import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, flowRuns } from "../server/db/schema";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { createWorkspaceWithMembers } from "./helpers/fixtures";
import { claim, deploy, orchestrationWorkspace, startRun } from "./helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

type ClaimedWithEnv = { id: string; attempt: number; leaseToken: string; runToken: string; env: Record<string, string>; secretEnv: string[] };

async function put(key: string, kind: "secrets" | "variables", name: string, value: unknown) {
  const res = await api.call("PUT", `/api/v1/${kind}/${name}`, { key, body: { value } });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
}

async function auditActions(workspaceId: string) {
  return (await db.select().from(auditEvents).where(eq(auditEvents.workspaceId, workspaceId)).orderBy(auditEvents.id)).map((e) => `${e.action} ${e.targetLabel}`);
}

describe("secrets and variables: roles", () => {
  it("keys: a viewer's key lists names but cannot read a value, a developer's key can; every change and read is audited without the value", async () => {
    // The same cases through tRPC (the UI) are in tests/roles.test.ts.
    const { ws, owner, members } = await createWorkspaceWithMembers(db, ["developer", "viewer"]);
    const slug = ws.slug;
    await members.developer.caller.secrets.set({ workspace: slug, name: "aws-key", value: "AKIA-role-test" });
    await members.developer.caller.variables.set({ workspace: slug, name: "bucket", value: "my-bucket" });
    // Keys: a viewer's key lists names but cannot read the value; a developer's key can.
    const { key: viewerKey } = await owner.caller.apiKeys.create({ workspace: slug, name: "v", role: "viewer" });
    const { key: devKey } = await members.developer.caller.apiKeys.create({ workspace: slug, name: "d", role: "developer" });
    expect((await api.call("GET", "/api/v1/secrets", { key: viewerKey })).json.secrets.map((s: { name: string }) => s.name)).toEqual(["aws-key"]);
    const refused = await api.call("GET", "/api/v1/secrets/aws-key/value", { key: viewerKey });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.json)).not.toContain("AKIA-role-test");
    expect((await api.call("PUT", "/api/v1/secrets/aws-key", { key: viewerKey, body: { value: "x" } })).status).toBe(403);
    const read = await api.call("GET", "/api/v1/secrets/aws-key/value", { key: devKey });
    expect(read.json).toEqual({ name: "aws-key", value: "AKIA-role-test" });
    expect(await auditActions(ws.id)).toEqual(expect.arrayContaining(["secret.created aws-key", "variable.created bucket", "secret.read aws-key"]));
    await owner.caller.secrets.set({ workspace: slug, name: "aws-key", value: "AKIA-rotated" });
    await owner.caller.secrets.remove({ workspace: slug, name: "aws-key" });
    const actions = await auditActions(ws.id);
    expect(actions).toEqual(expect.arrayContaining(["secret.changed aws-key", "secret.deleted aws-key"]));
    const details = await db.select().from(auditEvents).where(eq(auditEvents.workspaceId, ws.id));
    expect(JSON.stringify(details)).not.toContain("AKIA");
  });
});

describe("secrets and variables: bad input", () => {
  it("refuses bad names, values over 64 KiB, reference typos and references to names that do not exist", async () => {
    const w = await orchestrationWorkspace(db, api);
    for (const name of ["AWS", "has space", "x".repeat(65), "dot.name"]) {
      const res = await api.call("PUT", `/api/v1/secrets/${encodeURIComponent(name)}`, { key: w.key, body: { value: "v" } });
      expect(res.status, name).toBe(422);
      expect(JSON.stringify(res.json)).toContain("lowercase letters");
    }
    const big = await api.call("PUT", "/api/v1/secrets/big", { key: w.key, body: { value: "x".repeat(64 * 1024 + 1) } });
    expect(big.status).toBe(422);
    expect(JSON.stringify(big.json)).toContain("at most 64 KiB");
    // A refused value is not echoed back in the error.
    expect(JSON.stringify(big.json)).not.toContain("xxxxxxxx");
    const tooLong = (await w.owner.caller.secrets.set({ workspace: w.ws.slug, name: "big", value: "y".repeat(64 * 1024 + 1) }).catch((e: unknown) => e)) as Error & { code: string };
    expect(tooLong.code).toBe("BAD_REQUEST");
    expect(JSON.stringify({ ...tooLong, message: tooLong.message })).not.toContain("yyyyyyyy");
    expect((await api.call("PUT", "/api/v1/secrets/empty", { key: w.key, body: { value: "" } })).status).toBe(422);
    expect((await api.call("PUT", "/api/v1/variables/big", { key: w.key, body: { value: ["x".repeat(64 * 1024)] } })).status).toBe(422);
    expect((await api.call("PUT", "/api/v1/variables/nothing", { key: w.key, body: { value: null } })).status).toBe(422);
    // A string that looks like JSON stays a string.
    expect((await put(w.key, "variables", "numeric-text", "0.75")).value).toBe("0.75");
    expect((await api.call("GET", "/api/v1/variables/numeric-text", { key: w.key })).json.value).toBe("0.75");
    await expect(w.owner.caller.secrets.set({ workspace: w.ws.slug, name: "Bad", value: "v" })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    for (const typo of ["{{ secret.aws-key }}", "{{ secrets.AWS }}", "prefix {{ secrets.aws-key }}", "{{ variables.bucket }", "{{secrets}}"]) {
      const res = await api.call("PUT", "/api/v1/deployments", { key: w.key, body: { flowName: "f", name: "typo", kind: "command", command: "true", env: { KEY: typo } } });
      expect(res.status, typo).toBe(422);
      expect(JSON.stringify(res.json), typo).toContain("is not a reference");
    }
    const baton = await api.call("PUT", "/api/v1/deployments", { key: w.key, body: { flowName: "f", name: "own", kind: "command", command: "true", env: { BATON_API_URL: "x" } } });
    expect(baton.status).toBe(422);

    const missing = await api.call("PUT", "/api/v1/deployments", {
      key: w.key,
      body: { flowName: "f", name: "missing", kind: "command", command: "true", env: { A: "{{ secrets.aws-key }}", B: "{{ variables.bucket }}" }, secrets: ["extra"] },
    });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toContain('secret "aws-key", secret "extra", variable "bucket", which do not exist');
  });
});

describe("a deployment's env at claim time", () => {
  it("carries literals, variables (non-strings as JSON) and secrets, names the secret keys, and sees a changed secret on the next claim", async () => {
    const w = await orchestrationWorkspace(db, api);
    await put(w.key, "secrets", "db-password", "first-password");
    await put(w.key, "variables", "bucket", "s3://data");
    await put(w.key, "variables", "regions", ["eu-west-1", "us-east-1"]);
    await put(w.key, "variables", "threshold", 0.75);
    const d = await deploy(api, w.key, {
      env: { MODE: "prod", PASSWORD: "{{ secrets.db-password }}", BUCKET: "{{variables.bucket}}", REGIONS: "{{ variables.regions }}", THRESHOLD: "{{ variables.threshold }}" },
    });
    expect((await api.call("GET", `/api/v1/deployments/${d.id}`, { key: w.key })).json.env).toMatchObject({ PASSWORD: "{{ secrets.db-password }}" });

    await startRun(api, w.key, d.id);
    const [first] = (await claim(api, w.agentKey, w.agentId)) as ClaimedWithEnv[];
    expect(first.env).toEqual({ MODE: "prod", PASSWORD: "first-password", BUCKET: "s3://data", REGIONS: '["eu-west-1","us-east-1"]', THRESHOLD: "0.75" });
    expect(first.secretEnv).toEqual(["PASSWORD"]);
    // Never stored with the run.
    const [row] = await db.select().from(flowRuns).where(eq(flowRuns.id, first.id));
    expect(JSON.stringify(row)).not.toContain("first-password");

    await put(w.key, "secrets", "db-password", "second-password");
    await startRun(api, w.key, d.id);
    const [second] = (await claim(api, w.agentKey, w.agentId)) as ClaimedWithEnv[];
    expect(second.env.PASSWORD).toBe("second-password");
    const reads = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, w.ws.id), eq(auditEvents.action, "secret.read")));
    expect(reads.map((r) => r.details?.runId).sort()).toEqual([first.id, second.id].sort());
  });

  it("a deployment without env claims with an empty env", async () => {
    const w = await orchestrationWorkspace(db, api);
    const d = await deploy(api, w.key);
    await startRun(api, w.key, d.id);
    const [run] = (await claim(api, w.agentKey, w.agentId)) as ClaimedWithEnv[];
    expect(run.env).toEqual({});
    expect(run.secretEnv).toEqual([]);
  });

  it("a secret deleted since deploy fails the run before it starts, naming secret and deployment, with no retry used", async () => {
    const w = await orchestrationWorkspace(db, api);
    await put(w.key, "secrets", "gone-soon", "v");
    const d = await deploy(api, w.key, { flowName: "etl", name: "nightly", retries: 3, env: { TOKEN: "{{ secrets.gone-soon }}" } });
    expect((await api.call("DELETE", "/api/v1/secrets/gone-soon", { key: w.key })).status).toBe(204);
    const run = await startRun(api, w.key, d.id);
    expect(await claim(api, w.agentKey, w.agentId)).toEqual([]);
    const got = await api.call("GET", `/api/v1/flow-runs/${run.id}`, { key: w.key });
    expect(got.json.state).toMatchObject({ type: "FAILED", name: "Failed" });
    expect(got.json.state.message).toContain('The secret "gone-soon" that deployment etl/nightly uses in env TOKEN no longer exists');
    const [row] = await db.select().from(flowRuns).where(eq(flowRuns.id, run.id));
    expect(row.autoRetries).toBe(0);
    expect(await claim(api, w.agentKey, w.agentId)).toEqual([]);
  });
});

describe("a secret sealed under another key", () => {
  it("fails the run before it starts, saying the key changed, and the claim still answers", async () => {
    const w = await orchestrationWorkspace(db, api);
    await put(w.key, "secrets", "old-key", "v");
    const d = await deploy(api, w.key, { flowName: "etl", name: "rekeyed", env: { TOKEN: "{{ secrets.old-key }}" } });
    // What a value sealed under a previous BATON_ENCRYPTION_KEY looks like to this server: it does not authenticate.
    await db.$client.query("update secrets set sealed_value = 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA' where workspace_id = $1", [w.ws.id]);
    const run = await startRun(api, w.key, d.id);
    expect(await claim(api, w.agentKey, w.agentId)).toEqual([]);
    const got = await api.call("GET", `/api/v1/flow-runs/${run.id}`, { key: w.key });
    expect(got.json.state.type).toBe("FAILED");
    expect(got.json.state.message).toContain("cannot be decrypted: BATON_ENCRYPTION_KEY has changed");
  });
});

describe("reads from code", () => {
  it("a run token reads only what its deployment declares (404 otherwise); each run's read is audited once", async () => {
    const w = await orchestrationWorkspace(db, api);
    await put(w.key, "secrets", "a-only", "value-for-a");
    await put(w.key, "secrets", "b-only", "value-for-b");
    await put(w.key, "variables", "shared", { n: 1 });
    const a = await deploy(api, w.key, { env: { A: "{{ secrets.a-only }}", S: "{{ variables.shared }}" } });
    await deploy(api, w.key, { secrets: ["b-only"] });
    await startRun(api, w.key, a.id);
    const [run] = (await claim(api, w.agentKey, w.agentId)) as ClaimedWithEnv[];
    const mine = await api.call("GET", "/api/v1/secrets/a-only/value", { key: run.runToken });
    expect(mine.json).toEqual({ name: "a-only", value: "value-for-a" });
    await api.call("GET", "/api/v1/secrets/a-only/value", { key: run.runToken });
    const other = await api.call("GET", "/api/v1/secrets/b-only/value", { key: run.runToken });
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.json)).not.toContain("value-for-b");
    expect((await api.call("GET", "/api/v1/variables/shared", { key: run.runToken })).json.value).toEqual({ n: 1 });
    // The run token is not a key: it cannot list or describe what it was not given.
    expect((await api.call("GET", "/api/v1/secrets", { key: run.runToken })).status).toBe(401);
    const reads = await db.select().from(auditEvents).where(and(eq(auditEvents.workspaceId, w.ws.id), eq(auditEvents.action, "secret.read")));
    expect(reads.map((r) => r.targetLabel)).toEqual(["a-only"]);
    // An owner's key reads any secret (ad-hoc runs, scripts).
    expect((await api.call("GET", "/api/v1/secrets/b-only/value", { key: w.key })).json.value).toBe("value-for-b");
  });
});
