import { concurrencyLimitListSchema, concurrencyLimitSchema, type ConcurrencyLimitView } from "../../protocol/concurrency-limits";
import type { ApiClient } from "../../client/api-client";
import { parse, positiveInt } from "../args";
import { connect } from "../connect";
import { CliError } from "../errors";
import { print, printJson, printTable } from "../output";

const USAGE = "baton concurrency ls [--json] | set TAG LIMIT [--json] | rm TAG";

/** `baton concurrency ls|set|rm`: limits by tag, across every pool of the workspace. */
export async function concurrency(argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub === "ls" || sub === "list") {
    const { values } = parse(rest, { json: { type: "boolean" } }, USAGE);
    const limits = await listLimits(connect().client);
    if (values.json) return printJson(limits);
    return printTable(
      limits.map((l) => ({ tag: l.tag, used: `${l.taken}/${l.limit}`, holders: l.holders.map((h) => `${h.name} (${h.state.name})`).join(", ") || "-" })),
      [["tag", "Tag"], ["used", "Taken/limit"], ["holders", "Held by"]],
      "No concurrency limits. Set one with `baton concurrency set TAG LIMIT`; runs carrying the tag then wait for a free slot.",
    );
  }
  if (sub === "set") {
    const { values, positionals } = parse(rest, { json: { type: "boolean" } }, USAGE);
    const [tag, raw] = positionals;
    if (!tag || raw === undefined || positionals.length > 2) throw new CliError(`Usage: ${USAGE}`, 2);
    const limit = await setLimit(connect().client, tag, positiveInt("LIMIT", raw, 0)!);
    if (values.json) return printJson(limit);
    return print(`Tag "${limit.tag}": at most ${limit.limit} run${limit.limit === 1 ? "" : "s"} at once across all pools (${limit.taken} running now).`);
  }
  if (sub === "rm" || sub === "remove") {
    const { positionals } = parse(rest, {}, USAGE);
    if (!positionals[0] || positionals.length > 1) throw new CliError(`Usage: ${USAGE}`, 2);
    await connect().client.request("DELETE", `/concurrency-limits/${encodeURIComponent(positionals[0])}`);
    return print(`Removed the concurrency limit of tag "${positionals[0]}".`);
  }
  throw new CliError(`Usage: ${USAGE}`, 2);
}

export async function listLimits(client: ApiClient): Promise<ConcurrencyLimitView[]> {
  return concurrencyLimitListSchema.parse(await client.request("GET", "/concurrency-limits")).concurrencyLimits;
}

export async function setLimit(client: ApiClient, tag: string, limit: number): Promise<ConcurrencyLimitView> {
  return concurrencyLimitSchema.parse(await client.request("PUT", `/concurrency-limits/${encodeURIComponent(tag)}`, { body: { limit } }));
}
