// The deployment page's code editor (tRPC deployments.setSource): roles, validation, the
// credentials secret, the audit log, and what the API and the claim then see.
import { describe, expect, it } from "vitest";
import { startApiServer } from "./helpers/api-server";
import { createTestDatabase } from "./helpers/db";
import { addMember, createUser } from "./helpers/fixtures";
import { deploy, orchestrationWorkspace } from "./helpers/orchestration";

const { db } = await createTestDatabase();
const api = await startApiServer(db);

describe("setting a deployment's code source from the deployment page", () => {
  it("developers set a git source and setup step; runners cannot; a missing credentials secret is refused, naming it", async () => {
    const w = await orchestrationWorkspace(db, api);
    const members = { dev: await createUser(db), runner: await createUser(db) };
    await addMember(db, w.ws.id, w.owner.user.id, members.dev.user, "developer");
    await addMember(db, w.ws.id, w.owner.user.id, members.runner.user, "runner");
    const d = await deploy(api, w.key);
    const git = { kind: "git" as const, url: "https://git.example.com/acme/jobs.git", ref: "main", path: "taxi", credentials: "{{ secrets.git-token }}" };
    const input = { workspace: w.ws.slug, deploymentId: d.id, source: git, setup: { run: "npm ci", cacheKey: ["package-lock.json"] } };
    await expect(members.runner.caller.deployments.setSource(input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(members.dev.caller.deployments.setSource(input)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining('secret "git-token"') });
    await expect(members.dev.caller.deployments.setSource({ ...input, source: { ...git, credentials: "ghp_plaintext" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await api.call("PUT", "/api/v1/secrets/git-token", { key: w.key, body: { value: "t0ken" } })).status).toBe(200);
    expect(await members.dev.caller.deployments.setSource(input)).toMatchObject({ source: git, setup: { run: "npm ci", cacheKey: ["package-lock.json"] } });
    expect((await api.call("GET", `/api/v1/deployments/${d.id}`, { key: w.key })).json).toMatchObject({ source: git });
    const { items } = await w.owner.caller.audit.list({ workspace: w.ws.slug });
    expect(items.find((e) => e.action === "deployment.updated")?.details).toEqual({ changed: ["source", "setup"] });

    // A folder on a host: only that host's agents claim it; null goes back to the agent's --workdir.
    const local = await members.dev.caller.deployments.setSource({ ...input, source: { kind: "local", path: "/srv/jobs", host: "gpu-box" }, setup: null });
    expect(local).toMatchObject({ source: { kind: "local", path: "/srv/jobs", host: "gpu-box" }, setup: null });
    await expect(members.dev.caller.deployments.setSource({ ...input, source: { kind: "local", path: "relative/dir", host: "x" }, setup: null })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await members.dev.caller.deployments.setSource({ ...input, source: null, setup: null })).toMatchObject({ source: null, setup: null });
  });
});
