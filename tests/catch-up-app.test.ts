import { describe, expect, it } from "vitest";
import { waitFor } from "./helpers/app-process";
import { startCliEnvironment } from "./helpers/cli";

// The built app with its background services on: no test drives the catch-up step here.
const env = await startCliEnvironment();

type Run = { id: string; state: { type: string; name: string; message: string | null }; scheduledTime: string };

describe("catch-up in the running app", () => {
  it("skips the older missed runs of a schedule with no agent by itself, and leaves the newest due one waiting", { timeout: 90_000 }, async () => {
    const deployed = await env.cli(["deploy", "--command", "true", "--name", "every-2s", "--interval", "2", "--json"]);
    expect(deployed.stderr).toBe("");
    const d = JSON.parse(deployed.stdout)[0].deployment as { id: string; catchUp: string };
    expect(d.catchUp).toBe("latest");

    const runs = async () => ((await env.api("GET", `/flow-runs?deployment=${d.id}&limit=200`)) as { runs: Run[] }).runs;
    // Long enough for several passes of the loop (every 5 s) over slots every 2 s.
    const skipped = await waitFor(async () => {
      const all = await runs();
      const s = all.filter((r) => r.state.name === "Skipped");
      return s.length >= 2 && all.some((r) => Date.parse(r.scheduledTime) < Date.now() - 14_000) && s;
    }, { what: "two Skipped runs and a slot 14 s old" });
    for (const r of skipped) {
      expect(r.state.type).toBe("CANCELLED");
      expect(r.state.message).toMatch(/^Skipped: a newer run of this schedule \(due \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC\) is due; catch-up policy latest$/);
    }
    // Whatever else is due is the newest slot, or slots that fell due since the last pass: none is
    // left waiting long (12 s: two passes of the loop and a newer slot, with room for a busy machine).
    const now = Date.now();
    const waiting = (await runs()).filter((r) => r.state.type === "SCHEDULED" && Date.parse(r.scheduledTime) < now - 12_000);
    expect(waiting).toEqual([]);
  });
});
