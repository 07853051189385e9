import fs from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { Agent } from "../../agent/agent";
import { warnAboutKeyReach } from "../agent-key-warnings";
import { parse, positiveInt } from "../args";
import { connect } from "../connect";
import { CliError } from "../errors";
import { print } from "../output";
import { VERSION } from "../version";

const USAGE = "baton agent start [--pool default] [--limit N] [--name NAME] [--workdir DIR] [--grace SECONDS]";

/** `baton agent start`: runs an agent in the foreground until SIGTERM or Ctrl-C. */
export async function agentCommand(argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub !== "start") throw new CliError(`Usage: ${USAGE}`, 2);
  const { values } = parse(rest, { pool: { type: "string" }, limit: { type: "string" }, name: { type: "string" }, workdir: { type: "string" }, grace: { type: "string" } }, USAGE);
  const workdir = path.resolve((values.workdir as string | undefined) ?? ".");
  if (!fs.existsSync(workdir) || !fs.statSync(workdir).isDirectory()) throw new CliError(`--workdir ${workdir} is not a folder.`, 2);
  const { client, connection } = connect();
  await warnAboutKeyReach(client, connection);
  const agent = new Agent({
    client,
    apiUrl: connection.url,
    pool: (values.pool as string | undefined) ?? "default",
    limit: positiveInt("--limit", values.limit as string | undefined) ?? 4,
    name: (values.name as string | undefined) ?? `${hostname()}-${process.pid}`,
    workdir,
    graceSeconds: positiveInt("--grace", values.grace as string | undefined, 0) ?? 60,
    version: VERSION,
    log: (line) => print(`${new Date().toISOString()} ${line}`),
  });
  // Exit now: idle keep-alive connections would otherwise hold the process open a while.
  process.exit(await agent.run());
}
