import { readFileSync } from "node:fs";
import { renderVariable, secretListSchema, secretSchema, variableListSchema, variableSchema } from "../../protocol/secrets";
import { parse } from "../args";
import { connect } from "../connect";
import { CliError } from "../errors";
import { ago, print, printError, printJson, printTable } from "../output";

const SECRET_USAGE = "baton secret set NAME [--from-file PATH] (the value on stdin) | ls [--json] | rm NAME";
const VARIABLE_USAGE = "baton variable set NAME VALUE [--json] | get NAME [--json] | ls [--json] | rm NAME";

const usedBy = (u: { flowName: string; name: string }[]) => u.map((d) => `${d.flowName}/${d.name}`).join(", ") || "-";

/**
 * `baton secret set|ls|rm`. The value never comes as an argument (it would land in the shell's
 * history and in `ps`): it is read from stdin or a file, and nothing prints it back.
 */
export async function secret(argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub === "set") {
    const { values, positionals } = parse(rest, { "from-file": { type: "string" }, json: { type: "boolean" } }, SECRET_USAGE);
    if (positionals.length !== 1) {
      throw new CliError(`Usage: ${SECRET_USAGE}\n\nThe value is never an argument: pipe it in (\`printf %s "$TOKEN" | baton secret set ${positionals[0] ?? "NAME"}\`) or use --from-file.`, 2);
    }
    const value = values["from-file"] !== undefined ? readValueFile(values["from-file"]) : await readStdin();
    if (!value) throw new CliError("The secret's value is empty: pipe it on stdin or point --from-file at a file that holds it.", 2);
    const s = secretSchema.parse(await connect().client.request("PUT", `/secrets/${encodeURIComponent(positionals[0])}`, { body: { value } }));
    if (values.json) return printJson(s);
    return print(`Secret "${s.name}" saved (sealed; it is never shown again). Use it in a deployment's env as {{ secrets.${s.name} }}.`);
  }
  if (sub === "ls" || sub === "list") {
    const { values } = parse(rest, { json: { type: "boolean" } }, SECRET_USAGE);
    const { secrets } = secretListSchema.parse(await connect().client.request("GET", "/secrets"));
    if (values.json) return printJson(secrets);
    return printTable(
      secrets.map((s) => ({ name: s.name, set: `${s.updatedBy}, ${ago(s.updatedAt)}`, used: usedBy(s.usedBy) })),
      [["name", "Name"], ["set", "Last set by"], ["used", "Used by"]],
      "No secrets. Add one with `printf %s \"$VALUE\" | baton secret set NAME`.",
    );
  }
  if (sub === "rm" || sub === "remove") {
    const { positionals } = parse(rest, {}, SECRET_USAGE);
    if (positionals.length !== 1) throw new CliError(`Usage: ${SECRET_USAGE}`, 2);
    await connect().client.request("DELETE", `/secrets/${encodeURIComponent(positionals[0])}`);
    return print(`Deleted secret "${positionals[0]}". Deployments that use it fail their next run until it exists again.`);
  }
  throw new CliError(`Usage: ${SECRET_USAGE}`, 2);
}

/** `baton variable set|get|ls|rm`: VALUE is text, or JSON with --json. */
export async function variable(argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub === "set") {
    const { values, positionals } = parse(rest, { json: { type: "boolean" } }, VARIABLE_USAGE);
    if (positionals.length !== 2) throw new CliError(`Usage: ${VARIABLE_USAGE}`, 2);
    const [name, raw] = positionals;
    let value: unknown = raw;
    if (values.json) {
      try {
        value = JSON.parse(raw);
      } catch (err) {
        throw new CliError(`--json: ${JSON.stringify(raw)} is not JSON (${(err as Error).message}). Example: baton variable set regions '["eu-west-1"]' --json`, 2);
      }
    }
    const v = variableSchema.parse(await connect().client.request("PUT", `/variables/${encodeURIComponent(name)}`, { body: { value } }));
    return print(`Variable "${v.name}" = ${JSON.stringify(v.value)}. Use it in a deployment's env as {{ variables.${v.name} }}.`);
  }
  if (sub === "get") {
    const { values, positionals } = parse(rest, { json: { type: "boolean" } }, VARIABLE_USAGE);
    if (positionals.length !== 1) throw new CliError(`Usage: ${VARIABLE_USAGE}`, 2);
    const v = variableSchema.parse(await connect().client.request("GET", `/variables/${encodeURIComponent(positionals[0])}`));
    return values.json ? printJson(v.value) : print(renderVariable(v.value));
  }
  if (sub === "ls" || sub === "list") {
    const { values } = parse(rest, { json: { type: "boolean" } }, VARIABLE_USAGE);
    const { variables } = variableListSchema.parse(await connect().client.request("GET", "/variables"));
    if (values.json) return printJson(variables);
    return printTable(
      variables.map((v) => ({ name: v.name, value: JSON.stringify(v.value).slice(0, 60), used: usedBy(v.usedBy) })),
      [["name", "Name"], ["value", "Value"], ["used", "Used by"]],
      "No variables. Add one with `baton variable set NAME VALUE`.",
    );
  }
  if (sub === "rm" || sub === "remove") {
    const { positionals } = parse(rest, {}, VARIABLE_USAGE);
    if (positionals.length !== 1) throw new CliError(`Usage: ${VARIABLE_USAGE}`, 2);
    await connect().client.request("DELETE", `/variables/${encodeURIComponent(positionals[0])}`);
    return print(`Deleted variable "${positionals[0]}". Deployments that use it fail their next run until it exists again.`);
  }
  throw new CliError(`Usage: ${VARIABLE_USAGE}`, 2);
}

function readValueFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new CliError(`Could not read --from-file ${path}: ${(err as Error).message}`, 2);
  }
}

/** All of stdin; one trailing newline (what `echo` adds) is dropped. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) printError("Type or paste the value, then press Ctrl-D (it is not echoed back by Baton):");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}
