import path from "node:path";
import { pathToFileURL } from "node:url";
import { isFlow, type Flow } from "./flow";
import { errorMessage } from "./task";

let registered = false;

/**
 * Imports a TypeScript (or JavaScript) entrypoint `path/file.ts:exportName`, resolved against
 * `baseDir`, with tsx (no build step) and returns its flow. Used by `baton deploy` to read the
 * flow and by the runner to run it; a missing file or export is an Error that says what to do.
 */
export async function loadFlow(entrypoint: string, baseDir: string): Promise<Flow<never, unknown>> {
  const at = entrypoint.lastIndexOf(":");
  const file = path.resolve(baseDir, entrypoint.slice(0, at));
  const exportName = entrypoint.slice(at + 1);
  if (!registered) {
    const { register } = await import("tsx/esm/api");
    register();
    registered = true;
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new Error(`Could not load ${file} for entrypoint ${entrypoint} (working directory ${baseDir}): ${errorMessage(err)}`);
  }
  const target = mod[exportName];
  if (!isFlow(target)) {
    const flows = Object.entries(mod).filter(([, v]) => isFlow(v)).map(([k]) => k);
    throw new Error(`${entrypoint}: "${exportName}" is not a flow exported by ${file}.${flows.length ? ` Flows there: ${flows.join(", ")}.` : ` Export one: export const ${exportName} = flow("…", {}, async () => …)`}`);
  }
  return target as Flow<never, unknown>;
}
