import { afterAll, describe, expect, it } from "vitest";
import { startLeaderLoops } from "../server/services/leader-loop";
import { waitFor } from "./helpers/app-process";
import { createTestDatabase } from "./helpers/db";

const { db, url } = await createTestDatabase();

describe("leader loops", () => {
  it("a loop with wakeOn runs at once on NOTIFY, long before its interval, and on one instance only", async () => {
    const runs = { a: 0, b: 0 };
    const loop = (who: "a" | "b") => ({ name: "woken", lockKey: 990_001, intervalMs: 60_000, wakeOn: "test_wake", task: async () => void runs[who]++ });
    const a = startLeaderLoops(url, [loop("a")]);
    const b = startLeaderLoops(url, [loop("b")]);
    afterAll(async () => {
      await a.stop();
      await b.stop();
    });
    // The first tick runs on whichever instance takes the lock; the interval is a minute away.
    await waitFor(async () => runs.a + runs.b === 1, { timeoutMs: 10_000, what: "the first run" });
    const leader = a.isLeader(990_001) ? "a" : "b";
    for (let i = 2; i <= 4; i++) {
      const sent = Date.now();
      await db.$client.query("select pg_notify('test_wake', '')");
      await waitFor(async () => runs[leader] === i, { timeoutMs: 5_000, what: `run ${i} after a NOTIFY` });
      expect(Date.now() - sent).toBeLessThan(2_000);
    }
    expect(runs[leader === "a" ? "b" : "a"]).toBe(0);
  });
});
