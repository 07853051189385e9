import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { reloadEnv } from "../server/env";
import { AppError } from "../server/errors";
import { postOutbound } from "../server/security/outbound-post";
import { start, type Reply } from "./helpers/recording-server";

const receiver = await start((req): Reply =>
  req.path === "/moved" ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } } : { status: 429, headers: { "retry-after": "7" }, body: { ok: false, why: "slow down" } },
);
afterAll(() => receiver.close());

const initialAllow = process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
function allowPrivate(on: boolean) {
  if (on) process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = "1";
  else delete process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
  reloadEnv();
}
afterEach(() => {
  if (initialAllow === undefined) delete process.env.BATON_ALLOW_PRIVATE_WEBHOOKS;
  else process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = initialAllow;
  reloadEnv();
});

const port = new URL(receiver.url).port;

describe("postOutbound: how alerts reach Slack and webhooks", () => {
  it("checks the address it connects to: a name resolving to a private address is refused at the connection, and nothing arrives", async () => {
    allowPrivate(false);
    const before = receiver.requests.length;
    // `localhost` passes no earlier check here: the refusal comes from the connection's own lookup,
    // the one a DNS-rebinding name could not answer differently from.
    const err = await postOutbound(new URL(`http://localhost:${port}/hook`), "{}", {}, 5_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as Error).message).toMatch(/"localhost" now resolves to (127\.0\.0\.1|::1), a private, loopback or link-local address: not sent/);
    expect(receiver.requests.length).toBe(before);
  });

  it("sends the body and headers, and returns the status, the start of the answer and Retry-After", async () => {
    allowPrivate(true);
    const res = await postOutbound(new URL(`${receiver.url}/hook`), JSON.stringify({ text: "Run failed" }), { "content-type": "application/json", "baton-delivery": "d-1" }, 5_000);
    expect(res).toEqual({ status: 429, text: JSON.stringify({ ok: false, why: "slow down" }), retryAfter: "7" });
    const got = await receiver.waitForRequest((r) => r.path === "/hook");
    expect(got.body).toEqual({ text: "Run failed" });
    expect(got.headers["baton-delivery"]).toBe("d-1");
  });

  it("does not follow redirects", async () => {
    allowPrivate(true);
    const res = await postOutbound(new URL(`${receiver.url}/moved`), "{}", {}, 5_000);
    expect(res.status).toBe(302);
    expect(receiver.requests.some((r) => r.path === "/elsewhere")).toBe(false);
  });

  it("gives up after the timeout when the receiver never answers", async () => {
    allowPrivate(true);
    const silent = http.createServer(() => undefined).listen(0, "127.0.0.1");
    await new Promise((r) => silent.once("listening", r));
    try {
      const started = Date.now();
      const err = await postOutbound(new URL(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`), "{}", {}, 300).catch((e: unknown) => e);
      expect((err as Error).name).toBe("TimeoutError");
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
