// `npm start`: builds Baton when needed, then runs the production server, passing signals on.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureBuild, root } from "./ensure-build.mjs";

ensureBuild();
const child = spawn(process.execPath, ["--enable-source-maps", path.join(root, "dist/main.js")], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production" },
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
