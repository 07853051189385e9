import { runListSchema, type FlowRun } from "../../protocol/runs";
import { TERMINAL_STATES, STATE_TYPES } from "../../protocol/states";
import { sleep } from "../../client/backoff";
import { parse, parseParams } from "../args";
import { pauseSchema } from "../../protocol/pauses";
import { connect } from "../connect";
import { CliError } from "../errors";
import { ago, print, printJson, printTable } from "../output";
import { resolveDeployment } from "../resolve";
import { printNewLogs } from "./run";

const RESUME_USAGE = "baton runs resume RUN [--input name=value …] [--input-json JSON]";
const USAGE = `baton runs ls [--state S] [--deployment D] [--limit N] [--json] | logs RUN [--follow] | cancel RUN | retry RUN | ${RESUME_USAGE.slice("baton runs ".length)}`;

export async function runs(argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub === "ls" || sub === "list") return list(rest);
  if (sub === "logs") return logs(rest);
  if (sub === "cancel" || sub === "retry") return action(sub, rest);
  if (sub === "resume") return resume(rest);
  throw new CliError(`Usage: ${USAGE}`, 2);
}

async function list(argv: string[]) {
  const { values } = parse(argv, { state: { type: "string", multiple: true }, deployment: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } }, USAGE);
  const states = ((values.state as string[] | undefined) ?? []).map((s) => s.toUpperCase());
  const bad = states.find((s) => !(STATE_TYPES as readonly string[]).includes(s));
  if (bad) throw new CliError(`--state ${bad}: use one of ${STATE_TYPES.join(", ")}`, 2);
  const { client } = connect();
  const deployment = values.deployment ? await resolveDeployment(client, values.deployment as string) : undefined;
  const page = runListSchema.parse(
    await client.request("GET", "/flow-runs", { query: { state: states.length ? states : undefined, deployment: deployment?.id, limit: (values.limit as string | undefined) ?? 20 } }),
  );
  if (values.json) return printJson(page.runs);
  printTable(
    page.runs.map((r) => ({
      id: r.id,
      name: r.name,
      flow: r.deploymentName ? `${r.flowName}/${r.deploymentName}` : r.flowName,
      state: r.state.name,
      attempt: r.attempt,
      when: ago(r.startTime ?? r.scheduledTime),
      commit: r.sourceCommit?.slice(0, 12) ?? null,
      waiting: r.waiting ? r.waiting.reasons.map((w) => w.message).join(" ") : "",
    })),
    [["id", "Id"], ["name", "Name"], ["flow", "Deployment"], ["state", "State"], ["attempt", "Attempt"], ["when", "Started / due"], ["commit", "Commit"], ["waiting", "Waiting for"]],
    "No runs match.",
  );
}

async function logs(argv: string[]) {
  const { values, positionals } = parse(argv, { follow: { type: "boolean", short: "f" } }, "baton runs logs RUN [--follow]");
  const id = positionals[0];
  if (!id) throw new CliError("Usage: baton runs logs RUN [--follow]", 2);
  const { client } = connect();
  let cursor = await printNewLogs(client, id, undefined);
  if (!values.follow) return;
  for (;;) {
    const run = await client.request<FlowRun>("GET", `/flow-runs/${id}`, { tries: 10 });
    cursor = await printNewLogs(client, id, cursor);
    if (TERMINAL_STATES.includes(run.state.type)) return;
    await sleep(500);
  }
}

async function action(kind: "cancel" | "retry", argv: string[]) {
  const { positionals } = parse(argv, {}, `baton runs ${kind} RUN`);
  const id = positionals[0];
  if (!id) throw new CliError(`Usage: baton runs ${kind} RUN`, 2);
  const { client } = connect();
  const run = await client.request<FlowRun>("POST", `/flow-runs/${id}/${kind}`);
  print(`Run ${run.name} (${run.id}): ${run.state.name}${kind === "retry" ? `, attempt ${run.attempt + 1} next` : ""}`);
}

/** Answers a paused run (pauseForInput / pause_flow_run) with its input; the server checks it against the pause's schema. */
async function resume(argv: string[]) {
  const { values, positionals } = parse(argv, { input: { type: "string", multiple: true }, "input-json": { type: "string" } }, RESUME_USAGE);
  const id = positionals[0];
  if (!id) throw new CliError(`Usage: ${RESUME_USAGE}`, 2);
  const input = parseParams(values.input as string[] | undefined, values["input-json"] as string | undefined, { pair: "--input", json: "--input-json" });
  const { client } = connect();
  const pause = pauseSchema.parse(await client.request("POST", `/flow-runs/${id}/resume`, { body: { input } }));
  print(`Run ${id}: ${pause.runState.name}, resumed with ${JSON.stringify(pause.input)}`);
}
