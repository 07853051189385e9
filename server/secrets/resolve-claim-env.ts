import type pg from "pg";
import { parseEnvValue, renderVariable } from "../../agent/protocol/secrets";
import { applyTransitions } from "../orchestration/apply-transitions";
import { decryptSecret } from "../security/secret-box";
import { recordRunSecretReads } from "./record-secret-reads";

type ClaimedWithEnv = { id: string; attempt: number; flow_name: string; deployment_name: string | null; env: Record<string, string> | null };

/** What the agent puts in the run's environment; `secretKeys` are the names whose values it masks in logs. */
export type RunEnv = { env: Record<string, string>; secretKeys: string[] };

const EMPTY: RunEnv = { env: {}, secretKeys: [] };

/**
 * Resolves the env of freshly claimed runs. Runs of deployments without references cost nothing
 * (no query); the others share one query for every secret and variable they name. A run whose
 * reference is gone (deleted since deploy) is failed here, before it starts, with no retry
 * (rules.ts: a server FAILED never retries), and is left out of the answer.
 */
export async function resolveClaimEnv<R extends ClaimedWithEnv>(pool: pg.Pool, workspaceId: string, runs: R[]): Promise<{ runs: (R & RunEnv)[] }> {
  const secretNames = new Set<string>();
  const variableNames = new Set<string>();
  for (const r of runs) {
    for (const value of Object.values(r.env ?? {})) {
      const ref = parseEnvValue(value);
      if (ref && !("error" in ref)) (ref.kind === "secret" ? secretNames : variableNames).add(ref.name);
    }
  }
  if (secretNames.size === 0 && variableNames.size === 0) return { runs: runs.map((r) => ({ ...r, env: r.env ?? {}, secretKeys: [] })) };

  // Raw SQL on the claim's path (one round trip for all runs); only taken when a run has references.
  const { rows } = await pool.query<{ kind: "secret" | "variable"; name: string; sealed: string | null; value: unknown }>(
    `select 'secret' as kind, name, sealed_value as sealed, null::jsonb as value from secrets where workspace_id = $1 and name = any($2::text[])
     union all
     select 'variable', name, null, value from variables where workspace_id = $1 and name = any($3::text[])`,
    [workspaceId, [...secretNames], [...variableNames]],
  );
  const secrets = new Map(rows.filter((r) => r.kind === "secret").map((r) => [r.name, r.sealed!]));
  const variables = new Map(rows.filter((r) => r.kind === "variable").map((r) => [r.name, r.value]));

  const ok: (R & RunEnv)[] = [];
  const failed: { run: R; message: string }[] = [];
  const reads: { runId: string; secret: string }[] = [];
  for (const r of runs) {
    const resolved = resolveOne(r.env ?? {}, secrets, variables);
    if ("missing" in resolved) {
      const { missing } = resolved;
      const label = `${r.flow_name}/${r.deployment_name ?? "?"}`;
      const what = `${missing.kind} "${missing.name}"`;
      const fix = missing.kind === "secret" ? `baton secret set ${missing.name}` : `baton variable set ${missing.name} VALUE`;
      failed.push({
        run: r,
        message: missing.unreadable
          ? `The ${what} that deployment ${label} uses in env ${missing.key} cannot be decrypted: BATON_ENCRYPTION_KEY has changed since it was set. Set it again (\`${fix}\`), then retry the run.`
          : `The ${what} that deployment ${label} uses in env ${missing.key} no longer exists. Create it again (\`${fix}\`) or change the deployment's env, then retry the run.`,
      });
      continue;
    }
    for (const s of resolved.secretNames) reads.push({ runId: r.id, secret: s });
    ok.push({ ...r, env: resolved.env, secretKeys: resolved.secretKeys });
  }
  if (failed.length > 0) {
    await applyTransitions(
      pool,
      workspaceId,
      failed.map((f) => ({ runId: f.run.id, state: { type: "FAILED" as const, name: "Failed", message: f.message }, by: "server" as const })),
    );
  }
  await recordRunSecretReads(pool, workspaceId, reads, "claim");
  return { runs: ok };
}

type Resolved = (RunEnv & { secretNames: string[] }) | { missing: { kind: "secret" | "variable"; name: string; key: string; unreadable?: boolean } };

function resolveOne(env: Record<string, string>, secrets: Map<string, string>, variables: Map<string, unknown>): Resolved {
  if (Object.keys(env).length === 0) return { ...EMPTY, secretNames: [] };
  const out: Record<string, string> = {};
  const secretKeys: string[] = [];
  const secretNames: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    const ref = parseEnvValue(value);
    if (!ref || "error" in ref) {
      out[key] = value;
    } else if (ref.kind === "secret") {
      const sealed = secrets.get(ref.name);
      if (sealed === undefined) return { missing: { ...ref, key } };
      try {
        out[key] = decryptSecret(sealed);
      } catch {
        // Sealed under another BATON_ENCRYPTION_KEY: fail the run with a message, not the whole claim.
        return { missing: { ...ref, key, unreadable: true } };
      }
      secretKeys.push(key);
      secretNames.push(ref.name);
    } else {
      if (!variables.has(ref.name)) return { missing: { ...ref, key } };
      out[key] = renderVariable(variables.get(ref.name));
    }
  }
  return { env: out, secretKeys, secretNames };
}
