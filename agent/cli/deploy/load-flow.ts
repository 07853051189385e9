import path from "node:path";
import { pathToFileURL } from "node:url";
import { isFlow, type Flow } from "../../sdk/flow";
import { errorMessage } from "../../sdk/task";
import { CliError } from "../errors";

let registered = false;

/** Imports a TypeScript (or JavaScript) entrypoint `path/file.ts:exportName` and returns its flow. */
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
    throw new CliError(`Could not load ${file} for entrypoint ${entrypoint}: ${errorMessage(err)}`);
  }
  const target = mod[exportName];
  if (!isFlow(target)) {
    const flows = Object.entries(mod).filter(([, v]) => isFlow(v)).map(([k]) => k);
    throw new CliError(`${entrypoint}: "${exportName}" is not a flow exported by ${file}.${flows.length ? ` Flows there: ${flows.join(", ")}.` : " Export one: export const train = flow(\"train\", {}, async () => …)"}`);
  }
  return target as Flow<never, unknown>;
}
