import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Db } from "../../server/db/client";
import { reloadEnv } from "../../server/env";
import { createUserSession, revokeUserSession } from "../../server/auth/user-sessions";
import { openLiveEventStream } from "../../server/live/live-event-stream";
import { startApiServer } from "../helpers/api-server";
import { waitFor } from "../helpers/app-process";
import { createTestDatabase } from "../helpers/db";
import { createWorkspaceWithMembers, PASSWORD } from "../helpers/fixtures";

const { db, url: databaseUrl } = await createTestDatabase();
// The event hub reads DATABASE_URL through server/env, as in the app.
process.env.DATABASE_URL = databaseUrl;
reloadEnv();
const api = await startApiServer(db);

/** Reads a live stream as the browser's EventSource would: every frame text, and whether it ended. */
function readStream(stream: ReadableStream<Uint8Array>) {
  const state = { text: "", ended: false };
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) state.text += decoder.decode(chunk, { stream: true });
    state.ended = true;
  })();
  return state;
}

async function workspaceWithDeployment() {
  const w = await createWorkspaceWithMembers(db, ["viewer"]);
  const { key } = await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: "owner", role: "owner" });
  const res = await api.call("PUT", "/api/v1/deployments", { key, body: { flowName: "live", name: `d-${randomUUID().slice(0, 8)}`, kind: "command", command: "echo hi" } });
  const deploymentId = (res.json as { deployment: { id: string } }).deployment.id;
  const startRun = async () => {
    const run = await api.call("POST", `/api/v1/deployments/${deploymentId}/runs`, { key, body: {} });
    expect(run.status).toBe(201);
    return (run.json as { run: { id: string } }).run.id;
  };
  return { ...w, startRun };
}

async function open(slug: string, session: { userId: string; sessionId: string }) {
  const stream = readStream(await openLiveEventStream({ db: db as Db, session, slug, signal: new AbortController().signal }));
  await waitFor(async () => stream.text.includes("retry:"), { timeoutMs: 5000, what: "the stream to open" });
  return stream;
}

/** A run created after access was lost never reaches the stream, and the stream has ended. */
async function expectCutOff(stream: ReturnType<typeof readStream>, startRun: () => Promise<string>, witness: ReturnType<typeof readStream>) {
  await waitFor(async () => stream.ended, { timeoutMs: 5000, what: "the stream to end" });
  const runId = await startRun();
  // The owner's stream of the same workspace hears the run, so it was sent.
  await waitFor(async () => witness.text.includes(runId), { timeoutMs: 5000, what: "the owner to hear the run" });
  expect(stream.text).not.toContain(runId);
}

describe("an open live event stream loses access with its member or session", () => {
  it("closes when the member is removed from the workspace, and never carries the workspace's later runs", async () => {
    const w = await workspaceWithDeployment();
    const viewer = w.members.viewer;
    const witness = await open(w.ws.slug, { userId: w.owner.user.id, sessionId: w.owner.sessionId });
    const stream = await open(w.ws.slug, { userId: viewer.user.id, sessionId: viewer.sessionId });
    const before = await w.startRun();
    await waitFor(async () => stream.text.includes(before), { timeoutMs: 5000, what: "a run event while still a member" });

    await w.owner.caller.members.remove({ workspace: w.ws.slug, userId: viewer.user.id });
    await expectCutOff(stream, w.startRun, witness);
  });

  it("a role change keeps the stream of a remaining member open", async () => {
    const w = await workspaceWithDeployment();
    const viewer = w.members.viewer;
    const stream = await open(w.ws.slug, { userId: viewer.user.id, sessionId: viewer.sessionId });
    await w.owner.caller.members.changeRole({ workspace: w.ws.slug, userId: viewer.user.id, role: "developer" });
    const runId = await w.startRun();
    await waitFor(async () => stream.text.includes(runId), { timeoutMs: 5000, what: "the run event after the role change" });
    expect(stream.ended).toBe(false);
  });

  it("closes when its session signs out (the Auth.js sign-out revokes the session row)", async () => {
    const w = await workspaceWithDeployment();
    const witness = await open(w.ws.slug, { userId: w.owner.user.id, sessionId: w.owner.sessionId });
    const viewer = w.members.viewer;
    const stream = await open(w.ws.slug, { userId: viewer.user.id, sessionId: viewer.sessionId });
    await revokeUserSession(db, viewer.sessionId);
    await expectCutOff(stream, w.startRun, witness);
  });

  it("a password change closes the streams of the user's other sessions and keeps the current one", async () => {
    const w = await workspaceWithDeployment();
    const viewer = w.members.viewer;
    const current = await open(w.ws.slug, { userId: viewer.user.id, sessionId: viewer.sessionId });
    const secondSession = await createUserSession(db, viewer.user.id, {});
    const elsewhere = await open(w.ws.slug, { userId: viewer.user.id, sessionId: secondSession });
    await viewer.caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "a new password that is long" });
    await expectCutOff(elsewhere, w.startRun, current);
    expect(current.ended).toBe(false);
  });
});
