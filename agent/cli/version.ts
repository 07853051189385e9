import { createRequire } from "node:module";

/** The package's version, read from its package.json at run time. */
export const VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
  } catch {
    return "0.0.0";
  }
})();
