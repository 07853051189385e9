import { ApiError, UnreachableError } from "../client/api-client";
import { ConfigError } from "../config/profiles";
import { CliError } from "./errors";
import { print, printError } from "./output";
import { VERSION } from "./version";

const HELP = `baton ${VERSION}: the Baton CLI

  baton login [--url URL] [--key KEY] [--no-browser]   log in (the browser approves) or use a key
  baton logout | whoami | profile ls | profile use NAME
  baton deploy [path/file.ts:flow | --command "…"] --name NAME [flags]   or from baton.yaml
  baton run DEPLOYMENT [--param k=v …] [--params-json JSON] [--watch]
  baton runs ls [--state S] [--deployment D] | logs RUN [--follow] | cancel RUN | retry RUN | resume RUN [--input k=v]
  baton deployments ls | pause D | resume D | delete D
  baton pools ls | create NAME [--concurrency N]
  baton agents ls
  baton concurrency ls | set TAG LIMIT | rm TAG      limits by tag, across all pools
  baton secret set NAME [--from-file F] (value on stdin) | ls | rm NAME
  baton variable set NAME VALUE [--json] | get NAME | ls | rm NAME
  baton agent start [--pool default] [--limit N] [--name NAME] [--workdir DIR] [--grace S]

Listings take --json. Configuration: ~/.baton/config.json (BATON_HOME moves it); BATON_API_URL,
BATON_API_KEY and BATON_PROFILE override it. Each command has --help.`;

// Loaded on use: a long-running agent should not carry the deploy command's YAML parser and flow loader.
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<void>>> = {
  login: async () => (await import("./commands/login")).login,
  logout: async () => (await import("./commands/profile")).logout,
  whoami: async () => (await import("./commands/profile")).whoami,
  profile: async () => (await import("./commands/profile")).profile,
  deploy: async () => (await import("./commands/deploy")).deploy,
  run: async () => (await import("./commands/run")).run,
  runs: async () => (await import("./commands/runs")).runs,
  deployments: async () => (await import("./commands/resources")).deployments,
  pools: async () => (await import("./commands/resources")).pools,
  agents: async () => (await import("./commands/resources")).agents,
  concurrency: async () => (await import("./commands/concurrency")).concurrency,
  secret: async () => (await import("./commands/secrets")).secret,
  variable: async () => (await import("./commands/secrets")).variable,
  agent: async () => (await import("./commands/agent-start")).agentCommand,
};

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") return print(HELP);
  if (command === "--version" || command === "version") return print(VERSION);
  const load = COMMANDS[command];
  if (!load) throw new CliError(`Unknown command "${command}".\n\n${HELP}`, 2);
  await (await load())(rest);
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof CliError) {
    printError(`Error: ${err.message}`);
    process.exit(err.exitCode);
  }
  if (err instanceof ApiError) {
    const hint =
      err.status === 401
        ? " Your key is wrong or was revoked: run `baton login` again."
        : err.status === 403
          ? " Your role does not allow this; ask an owner of the workspace."
          : "";
    const details = err.details && err.status === 422 ? `\n${formatDetails(err.details)}` : "";
    printError(`Error: ${err.message}${hint}${details}`);
    process.exit(1);
  }
  if (err instanceof UnreachableError || err instanceof ConfigError) {
    printError(`Error: ${err.message}`);
    process.exit(1);
  }
  printError(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});

function formatDetails(details: unknown): string {
  const fields = (details as { fieldErrors?: Record<string, string[]> })?.fieldErrors ?? (details as Record<string, string[]>);
  if (!fields || typeof fields !== "object") return JSON.stringify(details);
  return Object.entries(fields)
    .map(([k, v]) => `  ${k || "(parameters)"}: ${Array.isArray(v) ? v.join("; ") : JSON.stringify(v)}`)
    .join("\n");
}
