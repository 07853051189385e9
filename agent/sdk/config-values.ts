import { ApiClient, ApiError } from "../client/api-client";
import { resolveConnection } from "../config/profiles";
import { secretValueReadSchema, variableSchema } from "../protocol/secrets";
import { currentFlow } from "./runtime";

/**
 * Who asks: a run on an agent asks with its run token (it reads only what its deployment
 * declares); anything else (an ad-hoc run, a script) with the person's key (`baton login` or
 * BATON_API_KEY; a developer's or owner's key reads any secret).
 */
function client(what: string): ApiClient {
  const flow = currentFlow();
  if (flow?.mode === "agent" && flow.client) return flow.client;
  const token = process.env.BATON_RUN_TOKEN;
  if (token && process.env.BATON_API_URL) return new ApiClient(process.env.BATON_API_URL, token, "baton-sdk");
  const connection = resolveConnection();
  if (!connection) throw new Error(`${what} needs Baton: run it on an agent, or log in (\`baton login\`) or set BATON_API_URL and BATON_API_KEY.`);
  return new ApiClient(connection.url, connection.key, "baton-sdk");
}

async function read<T>(what: string, path: string, parse: (v: unknown) => T): Promise<T> {
  try {
    return parse(await client(what).request("GET", path, { tries: 8 }));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      throw new Error(`${what}: not found, or not declared by this run's deployment (a run reads the secrets and variables its env references or its \`secrets:\` list names).`);
    }
    throw err;
  }
}

/** Workspace secrets, read from code: `await secrets.get("aws-key")`. */
export const secrets = {
  async get(name: string): Promise<string> {
    const { value } = await read(`secrets.get("${name}")`, `/secrets/${encodeURIComponent(name)}/value`, (v) => secretValueReadSchema.parse(v));
    // Under an agent, the value joins those masked in this run's logs.
    if (currentFlow()?.mode === "agent" || process.env.BATON_RUN_TOKEN) process.send?.({ t: "mask", value });
    return value;
  },
};

/** Workspace variables, read from code: `await variables.get("bucket")` (any JSON value). */
export const variables = {
  async get<T = unknown>(name: string): Promise<T> {
    return (await read(`variables.get("${name}")`, `/variables/${encodeURIComponent(name)}`, (v) => variableSchema.parse(v))).value as T;
  },
};
