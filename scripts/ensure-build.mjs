// Builds Baton (next build + server bundle) when the build is missing or older than the sources.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const built = path.join(root, "dist/main.js");
const sources = ["app", "server", "emails", "agent/protocol", "drizzle", "next.config.ts", "package.json", "postcss.config.mjs"];

function newestMtime(p) {
  const full = path.join(root, p);
  if (!fs.existsSync(full)) return 0;
  const st = fs.statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of fs.readdirSync(full)) max = Math.max(max, newestMtime(path.join(p, entry)));
  return max;
}

export function ensureBuild() {
  const stale =
    !fs.existsSync(built) || !fs.existsSync(path.join(root, ".next/BUILD_ID")) || sources.some((s) => newestMtime(s) > fs.statSync(built).mtimeMs);
  if (!stale) return;
  console.log("[baton] building (the first start takes a minute or two)…");
  const r = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuild();
