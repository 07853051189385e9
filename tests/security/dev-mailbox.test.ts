import http from "node:http";
import net from "node:net";
import os from "node:os";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestPasswordReset } from "../../server/accounts/password-reset";
import { emailMessages } from "../../server/db/schema";
import { startApp, waitFor, waitHealthy, type AppProcess } from "../helpers/app-process";
import { signInToApp } from "../helpers/app-sign-in";
import { createTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/fixtures";
import { freePort } from "../helpers/free-port";

const { db, url: databaseUrl } = await createTestDatabase();
/** This machine's address on its network: how another machine (or a rebound DNS name) reaches it. */
const lanAddress = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal)?.address;

let laptop: AppProcess; // `npm start` on a laptop: mailbox on, HOST unset
let exposed: AppProcess; // mailbox on, but HOST=0.0.0.0 chosen explicitly
let alice: { email: string; mailId: string };
let bob: { email: string; mailId: string };

async function resetMailOf(): Promise<{ email: string; mailId: string }> {
  const { user } = await createUser(db);
  await requestPasswordReset(db, user.email, "10.0.0.1");
  // The reset answers before it looks the address up and mails it (the same time for any address).
  const mail = await waitFor(async () => (await db.select({ id: emailMessages.id }).from(emailMessages).where(eq(emailMessages.to, user.email)))[0], { timeoutMs: 10_000, what: "the reset mail" });
  return { email: user.email, mailId: mail.id };
}

/** A GET with the Host header we choose, as a page on a rebound DNS name would send it. */
function get(address: string, port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: address, port, path, headers, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

beforeAll(async () => {
  if (!lanAddress) throw new Error("this test needs a non-loopback IPv4 address on the machine");
  const [laptopPort, exposedPort] = [await freePort(), await freePort()];
  laptop = startApp({ DATABASE_URL: databaseUrl, BATON_DEV_MAILBOX: "1", HOST: "", BATON_PUBLIC_URL: `http://localhost:${laptopPort}` }, laptopPort);
  exposed = startApp({ DATABASE_URL: databaseUrl, BATON_DEV_MAILBOX: "1", HOST: "0.0.0.0", BATON_PUBLIC_URL: `http://${lanAddress}:${exposedPort}` }, exposedPort);
  await Promise.all([waitHealthy(laptop), waitHealthy(exposed)]);
  alice = await resetMailOf();
  bob = await resetMailOf();
}, 120_000);
afterAll(async () => {
  for (const app of [laptop, exposed]) app?.child.kill("SIGTERM");
  await Promise.all([laptop?.exited, exposed?.exited]);
});

describe("the dev mailbox", () => {
  it("with HOST unset, listens on loopback only: the machine's network address is refused", async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: lanAddress, port: laptop.port }, () => {
        socket.destroy();
        resolve("connected");
      });
      socket.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
    });
    expect(outcome).toBe("ECONNREFUSED");
  });

  it("refuses a Host header that is neither localhost nor the public URL's (DNS rebinding)", async () => {
    const res = await get("127.0.0.1", laptop.port, "/dev/mailbox", { host: `rebound.evil.example:${laptop.port}` });
    expect(res.status).toBe(421);
    expect(res.body).not.toContain(alice.email);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "misdirected_request" } });
  });

  it("shows a signed-in person only the mail addressed to them", async () => {
    const base = `http://localhost:${laptop.port}`;
    const cookie = await signInToApp(base, alice.email);
    const list = await (await fetch(`${base}/dev/mailbox`, { headers: { cookie } })).text();
    expect(list).toContain(alice.email);
    expect(list).not.toContain(bob.email);
    expect((await fetch(`${base}/dev/mailbox/${alice.mailId}`, { headers: { cookie } })).status).toBe(200);
    const others = await fetch(`${base}/dev/mailbox/${bob.mailId}`, { headers: { cookie } });
    expect(others.status).toBe(404);
    expect(await others.text()).not.toContain("reset-password?token=");
  });

  it("shows every mail to someone not signed in on the machine itself (reading a reset mail on a laptop)", async () => {
    const list = await get("127.0.0.1", laptop.port, "/dev/mailbox", { host: `localhost:${laptop.port}` });
    expect(list.status).toBe(200);
    expect(list.body).toContain(alice.email);
    expect(list.body).toContain(bob.email);
    const mail = await get("127.0.0.1", laptop.port, `/dev/mailbox/${bob.mailId}`, { host: `localhost:${laptop.port}` });
    expect(mail.body).toContain("reset-password?token=");
  });

  it("shows no mail to someone not signed in who comes over the network, whatever Host they send", async () => {
    for (const host of [`${lanAddress}:${exposed.port}`, `localhost:${exposed.port}`]) {
      const list = await get(lanAddress!, exposed.port, "/dev/mailbox", { host });
      expect(list.status).toBe(200);
      expect(list.body).toContain("Sign in to read your mail.");
      expect(list.body).not.toContain(alice.email);
      const mail = await get(lanAddress!, exposed.port, `/dev/mailbox/${alice.mailId}`, { host });
      expect(mail.status).toBe(404);
      expect(mail.body).not.toContain("reset-password?token=");
    }
  });
});
