// Builds the `baton` package (agent/) to plain JavaScript in agent/dist: the CLI, the SDK, the
// runner a run's process starts, and the protocol schemas. Chunks shared between them sit in the
// same folder, so the CLI finds the runner next to itself. Dependencies stay external.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const agent = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../agent");

await build({
  entryPoints: {
    cli: path.join(agent, "cli/main.ts"),
    sdk: path.join(agent, "sdk/index.ts"),
    runner: path.join(agent, "runner/runner.ts"),
    "lease-watchdog": path.join(agent, "runner/lease-watchdog.ts"),
    protocol: path.join(agent, "protocol/index.ts"),
  },
  outdir: path.join(agent, "dist"),
  bundle: true,
  splitting: true,
  chunkNames: "chunk-[hash]",
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
console.log("baton package built to agent/dist");
