import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError } from "./errors";
import { print } from "./output";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs with the CLI's errors: an unknown flag names the command's help. */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message.replace(/\. To specify a positional.*$/s, "")}\n\nUsage: ${usage}`, 2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    print(`Usage: ${usage}`);
    process.exit(0);
  }
  return parsed;
}

/** `k=v` pairs: a value that parses as JSON (numbers, booleans, arrays, objects, "quoted") is taken as such, otherwise as text. */
export function parseParams(pairs: string[] | undefined, json?: string, flags = { pair: "--param", json: "--params-json" }): Record<string, unknown> {
  let params: Record<string, unknown> = {};
  if (json) {
    try {
      params = JSON.parse(json);
    } catch (err) {
      throw new CliError(`${flags.json} is not valid JSON (${(err as Error).message}). Example: ${flags.json} '{"epochs": 10}'`, 2);
    }
    if (!params || typeof params !== "object" || Array.isArray(params)) throw new CliError(`${flags.json} must be a JSON object, e.g. '{"epochs": 10}'`, 2);
  }
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`${flags.pair} ${pair}: use name=value, e.g. ${flags.pair} epochs=10`, 2);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* plain text */
    }
    params[pair.slice(0, eq)] = value;
  }
  return params;
}

export function positiveInt(name: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be a whole number of at least ${min}, not "${raw}"`, 2);
  return n;
}
