import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { startAppForFile, waitFor } from "../helpers/app-process";
import { signInToApp } from "../helpers/app-sign-in";
import { createTestDatabase } from "../helpers/db";
import { createWorkspaceWithMembers } from "../helpers/fixtures";

// Finding 9 through the real browser path: the built app, Auth.js sign-out over HTTP, an SSE stream.
const { db, url: databaseUrl } = await createTestDatabase();
const { base } = await startAppForFile({ DATABASE_URL: databaseUrl });

/** The browser's stream: its raw text and whether the server ended it. */
async function openStream(slug: string, cookie: string) {
  const res = await fetch(`${base}/api/w/${slug}/events`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const state = { text: "", ended: false };
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) state.text += decoder.decode(chunk, { stream: true });
    } catch {
      // a reset counts as ended too
    }
    state.ended = true;
  })();
  return state;
}

/** Signs out as the app's Sign out button does: Auth.js' POST /api/auth/signout with its CSRF token. */
async function signOut(sessionCookie: string) {
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers: { cookie: sessionCookie } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = [sessionCookie, ...csrf.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
  const res = await fetch(`${base}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken, callbackUrl: base }),
  });
  expect(res.status).toBeLessThan(400);
}

async function startRun(key: string) {
  const dep = await fetch(`${base}/api/v1/deployments`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ flowName: "live", name: `d-${randomUUID().slice(0, 8)}`, kind: "command", command: "echo hi" }),
  });
  const { deployment } = (await dep.json()) as { deployment: { id: string } };
  const run = await fetch(`${base}/api/v1/deployments/${deployment.id}/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: "{}",
  });
  return ((await run.json()) as { run: { id: string } }).run.id;
}

describe("a browser's live stream after sign-out", () => {
  it("ends when its session signs out through Auth.js, and carries none of the workspace's later events", { timeout: 60_000 }, async () => {
    const w = await createWorkspaceWithMembers(db, ["viewer"]);
    const { key } = await w.owner.caller.apiKeys.create({ workspace: w.ws.slug, name: "owner", role: "owner" });
    const viewerCookie = await signInToApp(base, w.members.viewer.user.email);
    const viewer = await openStream(w.ws.slug, viewerCookie);
    const owner = await openStream(w.ws.slug, await signInToApp(base, w.owner.user.email));

    const before = await startRun(key);
    await waitFor(async () => viewer.text.includes(before), { timeoutMs: 10_000, what: "the first run on the viewer's stream" });

    await signOut(viewerCookie);
    await waitFor(async () => viewer.ended, { timeoutMs: 10_000, what: "the signed-out stream to end" });
    const after = await startRun(key);
    await waitFor(async () => owner.text.includes(after), { timeoutMs: 10_000, what: "the later run on the owner's stream" });
    expect(viewer.text).not.toContain(after);
    // The old cookie opens nothing any more.
    expect((await fetch(`${base}/api/w/${w.ws.slug}/events`, { headers: { cookie: viewerCookie } })).status).toBe(401);
  });
});
