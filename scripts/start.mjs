// `npm start`: builds Baton when needed, then runs the production server, passing signals on.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureBuild, root } from "./ensure-build.mjs";

ensureBuild();
const env = { ...process.env, NODE_ENV: "production" };
// On a laptop (embedded Postgres, no mail provider) sign-up must work: keep mail readable at
// /dev/mailbox. A real deployment (DATABASE_URL or RESEND_API_KEY set) decides for itself.
if (!env.RESEND_API_KEY && !env.DATABASE_URL && env.BATON_DEV_MAILBOX === undefined) {
  env.BATON_DEV_MAILBOX = "1";
  console.log(`[baton] no RESEND_API_KEY: mail is kept at http://localhost:${env.PORT || 3000}/dev/mailbox`);
}
const child = spawn(process.execPath, ["--enable-source-maps", path.join(root, "dist/main.js")], {
  cwd: root,
  stdio: "inherit",
  env,
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
