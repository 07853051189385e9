import { describe, expect, it } from "vitest";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { claim, deploy, orchestrationWorkspace, startRun } from "./helpers/orchestration";
import { pythonEnv, runPython } from "./helpers/python";

const { db } = await createTestDatabase();
const api = await startApiServer(db);
const w = await orchestrationWorkspace(db, api);
for (const [kind, name, value] of [
  ["secrets", "py-declared", "declared-value"],
  ["secrets", "py-other", "other-value"],
  ["variables", "py-var", { regions: ["eu-west-1"] }],
] as const) {
  expect((await api.call("PUT", `/api/v1/${kind}/${name}`, { key: w.key, body: { value } })).status).toBe(200);
}

const read = (secret: string, variable: string, extra: Record<string, string>) => runPython(["read_config.py", secret, variable], { env: pythonEnv({ BATON_API_URL: api.base, ...extra }) });

describe("the Python SDK reads secrets and variables (Secret.load(name).get(), Variable.get(name))", () => {
  it("with a run token: only what the run's deployment declares; anything else is a LookupError", { timeout: 60_000 }, async () => {
    const d = await deploy(api, w.key, { env: { V: "{{ variables.py-var }}" }, secrets: ["py-declared"] });
    await startRun(api, w.key, d.id);
    const [run] = await claim(api, w.agentKey, w.agentId);
    const token = { BATON_RUN_TOKEN: run.runToken, BATON_RUN_ID: run.id };
    const ok = await read("py-declared", "py-var", token);
    expect(ok.stdout.split("\n"), ok.stderr).toEqual(["SECRET declared-value", 'VARIABLE {"regions": ["eu-west-1"]}', "DEFAULT fallback", ""]);
    const denied = await read("py-other", "py-var", token);
    expect(denied.stdout).toContain("SECRET-ERROR LookupError Secret.load(\"py-other\"): not found, or not declared by this run's deployment");
    expect(denied.stdout).not.toContain("other-value");
  });

  it("with a person's key: an owner reads any secret, a viewer none", { timeout: 60_000 }, async () => {
    const owner = await read("py-other", "py-var", { BATON_API_KEY: w.key });
    expect(owner.stdout, owner.stderr).toContain("SECRET other-value");
    const { key: viewerKey } = await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: "py-viewer", role: "viewer" });
    const viewer = await read("py-other", "py-var", { BATON_API_KEY: viewerKey });
    expect(viewer.stdout).toContain("SECRET-ERROR ApiError An API key with the viewer role cannot read a secret's value");
    expect(viewer.stdout).toContain('VARIABLE {"regions": ["eu-west-1"]}');
  });
});
