import type { FlowRun } from "../../protocol/runs";
import { TERMINAL_STATES, type StateType } from "../../protocol/states";
import type { Log } from "../../protocol/logs";
import type { ApiClient } from "../../client/api-client";
import { sleep } from "../../client/backoff";
import type { Connection } from "../../config/profiles";
import { parse, parseParams } from "../args";
import { connect } from "../connect";
import { print, printJson } from "../output";
import { resolveDeployment } from "../resolve";

const USAGE = "baton run DEPLOYMENT [--param k=v …] [--params-json JSON] [--watch] [--json]";

export const runUrl = (c: Connection, runId: string) => (c.workspace ? `${c.url}/w/${c.workspace.slug}/runs/${runId}` : `${c.url} (run ${runId})`);

/** `baton run`: starts a run of a deployment; `--watch` follows its states and logs to the end. */
export async function run(argv: string[]) {
  const { values, positionals } = parse(argv, { param: { type: "string", multiple: true }, "params-json": { type: "string" }, watch: { type: "boolean", short: "w" }, json: { type: "boolean" } }, USAGE);
  const parameters = parseParams(values.param as string[] | undefined, values["params-json"] as string | undefined);
  const { client, connection } = connect();
  const deployment = await resolveDeployment(client, positionals[0]);
  const { run } = await client.request<{ run: FlowRun }>("POST", `/deployments/${deployment.id}/runs`, { body: { parameters } });
  if (values.json && !values.watch) return printJson(run);
  print(`Run ${run.name} (${run.id}) of ${deployment.flowName}/${deployment.name} created: ${run.state.name}`);
  print(runUrl(connection, run.id));
  if (values.watch) process.exitCode = (await watchRun(client, run.id)) === "COMPLETED" ? 0 : 1;
}

/** Prints a run's state changes and log lines until it ends; returns its final state type. */
export async function watchRun(client: ApiClient, runId: string): Promise<StateType> {
  let lastState = "";
  let cursor: string | undefined;
  for (;;) {
    const r = await client.request<FlowRun>("GET", `/flow-runs/${runId}`, { tries: 10 });
    cursor = await printNewLogs(client, runId, cursor);
    const label = `${r.state.name}${r.state.message ? `: ${r.state.message}` : ""} (attempt ${r.attempt})`;
    if (label !== lastState) {
      print(`${new Date().toISOString().slice(11, 19)} state ${label}`);
      lastState = label;
    }
    if (TERMINAL_STATES.includes(r.state.type)) {
      await sleep(300);
      await printNewLogs(client, runId, cursor);
      return r.state.type;
    }
    await sleep(500);
  }
}

export async function printNewLogs(client: ApiClient, runId: string, after: string | undefined): Promise<string | undefined> {
  let cursor = after;
  for (;;) {
    const page = await client.request<{ logs: Log[]; nextCursor: string | null; hasMore: boolean }>("GET", `/flow-runs/${runId}/logs`, { query: { after: cursor, limit: 1000 }, tries: 10 });
    for (const l of page.logs) print(`${l.timestamp.slice(11, 23)} ${l.level.toUpperCase().padEnd(8)} ${l.message}`);
    cursor = page.nextCursor ?? cursor;
    if (!page.hasMore) return cursor;
  }
}
