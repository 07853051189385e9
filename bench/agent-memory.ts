/**
 * npm run bench:agent-memory — resident memory of an idle `baton agent start` (long-polling,
 * heartbeating, no runs), read from /proc after it has settled. Prints one line.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createApiKey } from "../server/api-keys/manage-api-keys";
import { users } from "../server/db/schema";
import { createWorkspace } from "../server/workspaces/create-workspace";
import { startBenchEnvironment } from "./bench-env";

const env = await startBenchEnvironment();
const [user] = await env.db.insert(users).values({ email: "mem@example.com" }).returning();
const ws = await createWorkspace(env.db, { userId: user.id, label: user.email }, { name: "Memory" });
const { key } = await createApiKey(env.db, ws.id, { userId: user.id, label: user.email, role: "owner" }, { name: "agent", role: "agent" });
const agent = spawn(process.execPath, ["agent/bin/baton.js", "agent", "start", "--workdir", os.tmpdir()], {
  env: { ...process.env, BATON_API_URL: env.base, BATON_API_KEY: key, BATON_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "mem-")) },
  stdio: "ignore",
});
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${agent.pid}/status`, "utf8"))?.[1]) / 1024;
const samples: number[] = [];
for (let i = 0; i < 6; i++) {
  await new Promise((r) => setTimeout(r, 5_000));
  samples.push(rss());
}
console.log(`idle agent RSS after 5–30 s: ${samples.map((s) => s.toFixed(1)).join(", ")} MiB (Node ${process.version})`);
agent.kill("SIGTERM");
await new Promise((r) => agent.once("exit", r));
await env.stop();
process.exit(0);
