import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { Agent } from "../../agent/agent";
import { warnAboutKeyReach } from "../agent-key-warnings";
import { dropFromEnvironment } from "../drop-key-from-environment";
import { parse, positiveInt } from "../args";
import { connect } from "../connect";
import { CliError } from "../errors";
import { print } from "../output";
import { VERSION } from "../version";

const USAGE =
  "baton agent start [--pool default] [--limit N] [--name NAME] [--workdir DIR] [--python INTERPRETER] [--cache-dir DIR] [--cache-max-mb N] [--grace SECONDS]";

/** `baton agent start`: runs an agent in the foreground until SIGTERM or Ctrl-C. */
export async function agentCommand(argv: string[]) {
  const [sub, ...rest] = argv;
  if (sub !== "start") throw new CliError(`Usage: ${USAGE}`, 2);
  const { values } = parse(
    rest,
    {
      pool: { type: "string" },
      limit: { type: "string" },
      name: { type: "string" },
      workdir: { type: "string" },
      python: { type: "string" },
      "cache-dir": { type: "string" },
      "cache-max-mb": { type: "string" },
      grace: { type: "string" },
    },
    USAGE,
  );
  const workdir = path.resolve((values.workdir as string | undefined) ?? ".");
  if (!fs.existsSync(workdir) || !fs.statSync(workdir).isDirectory())
    throw new CliError(`--workdir ${workdir} is not a folder.`, 2);
  const python = checkPython(values.python as string | undefined, workdir);
  const mb = positiveInt(
    "--cache-max-mb",
    values["cache-max-mb"] as string | undefined,
  );
  const { client, connection } = connect();
  // The client holds the key now; no run, nor anything reading /proc/<pid>/environ, should find it here.
  const keyDropped = dropFromEnvironment("BATON_API_KEY");
  await warnAboutKeyReach(client, connection, { keyDropped });
  const agent = new Agent({
    client,
    apiUrl: connection.url,
    pool: (values.pool as string | undefined) ?? "default",
    limit: positiveInt("--limit", values.limit as string | undefined) ?? 4,
    name: (values.name as string | undefined) ?? `${hostname()}-${process.pid}`,
    workdir,
    python,
    cacheDir:
      values["cache-dir"] === undefined
        ? undefined
        : path.resolve(values["cache-dir"] as string),
    cacheMaxBytes: mb === undefined ? undefined : mb * 1024 * 1024,
    graceSeconds:
      positiveInt("--grace", values.grace as string | undefined, 0) ?? 60,
    version: VERSION,
    log: (line) => print(`${new Date().toISOString()} ${line}`),
  });
  // Exit now: idle keep-alive connections would otherwise hold the process open a while.
  process.exit(await agent.run());
}

/**
 * The interpreter for Python flows whose deployment names none. One given with --python must
 * start (checked once, here); the default `python3` may be missing on a machine that runs only
 * TypeScript and commands, which is said once and is not an error.
 */
function checkPython(given: string | undefined, workdir: string): string {
  // A path on the command line is the shell's: relative to where the agent was started.
  const python = given?.includes("/")
    ? path.resolve(given)
    : (given ?? "python3");
  const probe = spawnSync(
    python,
    ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
    { cwd: workdir, encoding: "utf8", timeout: 10_000 },
  );
  const version = probe.status === 0 ? probe.stdout.trim() : null;
  if (version && Number(version.split(".")[1]) < 9 && version.startsWith("3."))
    throw new CliError(
      `--python ${python} is Python ${version}; Baton's Python SDK needs 3.9 or newer.`,
      2,
    );
  if (!version && given)
    throw new CliError(
      `--python ${given}: no such interpreter (${probe.error?.message ?? probe.stderr.trim()}). Give a path to a python (e.g. .venv/bin/python) or a command on PATH.`,
      2,
    );
  if (!version)
    print(
      `Note: ${python} was not found, so Python flows fail unless their deployment sets python: (TypeScript flows and commands are not affected).`,
    );
  return python;
}
