// Bundles the custom server (server/main.ts → dist/main.js) and the standalone background
// services (server/services-main.ts → dist/services.js). Packages stay external; our own
// modules, path aliases and the `server-only` marker are resolved here, where Node could not.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const resolveOwn = {
  name: "resolve-own",
  setup(b) {
    b.onResolve({ filter: /^server-only$/ }, () => ({ path: path.join(root, "scripts/empty-module.js") }));
    b.onResolve({ filter: /^@\// }, (args) => b.resolve(`./${args.path.slice(2)}`, { resolveDir: root, kind: args.kind }));
  },
};

await build({
  entryPoints: { main: path.join(root, "server/main.ts"), services: path.join(root, "server/services-main.ts") },
  outdir: path.join(root, "dist"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  plugins: [resolveOwn],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "warning",
});
console.log("server bundled to dist/main.js and dist/services.js");
