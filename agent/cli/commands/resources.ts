import type { Deployment } from "../../protocol/deployments";
import { parse, positiveInt } from "../args";
import { connect } from "../connect";
import { CliError } from "../errors";
import { ago, print, printJson, printTable } from "../output";
import { resolveDeployment } from "../resolve";
import { describeSchedules } from "../deploy/deployment-spec";

/** `baton deployments ls|pause|resume|delete`. */
export async function deployments(argv: string[]) {
  const [sub, ...rest] = argv;
  const usage = "baton deployments ls [--json] | pause D | resume D | delete D";
  if (sub === "ls" || sub === "list") {
    const { values } = parse(rest, { json: { type: "boolean" } }, usage);
    const { client } = connect();
    const { deployments } = await client.request<{ deployments: Deployment[] }>("GET", "/deployments");
    if (values.json) return printJson(deployments);
    return printTable(
      deployments.map((d) => ({
        name: `${d.flowName}/${d.name}`,
        kind: d.kind === "flow" ? d.entrypoint : `$ ${d.command}`,
        pool: d.workPool,
        schedule: describeSchedules(d.schedules),
        paused: d.paused ? "paused" : "",
        id: d.id,
      })),
      [["name", "Deployment"], ["kind", "Runs"], ["pool", "Pool"], ["schedule", "Schedule"], ["paused", "Paused"], ["id", "Id"]],
      "No deployments yet. Create one with `baton deploy`.",
    );
  }
  if (sub === "pause" || sub === "resume" || sub === "delete") {
    const { positionals } = parse(rest, {}, usage);
    const { client } = connect();
    const d = await resolveDeployment(client, positionals[0]);
    if (sub === "delete") {
      await client.request("DELETE", `/deployments/${d.id}`);
      return print(`Deleted ${d.flowName}/${d.name} and its future runs.`);
    }
    await client.request("POST", `/deployments/${d.id}/${sub}`);
    return print(sub === "pause" ? `Paused ${d.flowName}/${d.name}: no new runs start, its future scheduled runs were removed.` : `Resumed ${d.flowName}/${d.name}.`);
  }
  throw new CliError(`Usage: ${usage}`, 2);
}

type Pool = { id: string; name: string; description: string | null; concurrencyLimit: number | null; paused: boolean };

/** `baton pools ls|create`. */
export async function pools(argv: string[]) {
  const [sub, ...rest] = argv;
  const usage = "baton pools ls [--json] | create NAME [--concurrency N] [--description TEXT]";
  if (sub === "ls" || sub === "list") {
    const { values } = parse(rest, { json: { type: "boolean" } }, usage);
    const { client } = connect();
    const { workPools: list } = await client.request<{ workPools: Pool[] }>("GET", "/work-pools");
    if (values.json) return printJson(list);
    return printTable(
      list.map((p) => ({ name: p.name, limit: p.concurrencyLimit ?? "none", paused: p.paused ? "paused" : "", description: p.description })),
      [["name", "Pool"], ["limit", "Concurrency"], ["paused", "Paused"], ["description", "Description"]],
      "No work pools.",
    );
  }
  if (sub === "create") {
    const { values, positionals } = parse(rest, { concurrency: { type: "string" }, description: { type: "string" }, json: { type: "boolean" } }, usage);
    if (!positionals[0]) throw new CliError(`Usage: ${usage}`, 2);
    const { client } = connect();
    const pool = await client.request<Pool>("POST", "/work-pools", {
      body: { name: positionals[0], concurrencyLimit: positiveInt("--concurrency", values.concurrency as string | undefined, 0), description: values.description },
    });
    if (values.json) return printJson(pool);
    return print(`Created pool "${pool.name}". Start an agent for it: baton agent start --pool ${pool.name}`);
  }
  throw new CliError(`Usage: ${usage}`, 2);
}

type AgentRow = { id: string; name: string; workPool: string; hostname: string | null; version: string | null; slots: number | null; lastHeartbeatAt: string; online: boolean };

/** `baton agents ls`. */
export async function agents(argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub !== "ls" && sub !== "list") throw new CliError("Usage: baton agents ls [--json]", 2);
  const { values } = parse(rest, { json: { type: "boolean" } }, "baton agents ls [--json]");
  const { client } = connect();
  const { agents } = await client.request<{ agents: AgentRow[] }>("GET", "/agents");
  if (values.json) return printJson(agents);
  printTable(
    agents.map((a) => ({ name: a.name, pool: a.workPool, status: a.online ? "online" : "offline", seen: ago(a.lastHeartbeatAt), host: a.hostname, slots: a.slots, version: a.version })),
    [["name", "Agent"], ["pool", "Pool"], ["status", "Status"], ["seen", "Last heartbeat"], ["host", "Host"], ["slots", "Slots"], ["version", "Version"]],
    "No agents yet. Start one with `baton agent start`.",
  );
}
