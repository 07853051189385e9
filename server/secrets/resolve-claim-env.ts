import type pg from "pg";
import { parseEnvValue, renderVariable } from "../../agent/protocol/secrets";
import { applyTransitions } from "../orchestration/apply-transitions";
import { decryptSecret } from "../security/secret-box";
import { GIT_CREDENTIALS_KEY } from "./config-references";

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
  const reads: { runId: string; secret: string }[] = [];
  for (const r of runs) {
    for (const value of Object.values(r.env ?? {})) {
      const ref = parseEnvValue(value);
      if (!ref || "error" in ref) continue;
      if (ref.kind === "secret") {
        secretNames.add(ref.name);
        if (!reads.some((x) => x.runId === r.id && x.secret === ref.name)) reads.push({ runId: r.id, secret: ref.name });
      } else variableNames.add(ref.name);
    }
  }
  if (secretNames.size === 0 && variableNames.size === 0) return { runs: runs.map((r) => ({ ...r, env: r.env ?? {}, secretKeys: [] })) };

  // Raw SQL on the claim's path, taken only when a claimed run has references: one statement for
  // all runs reads the secrets and variables and records the reads (secret_reads + one audit
  // event per run and secret, as record-secret-reads.ts does for reads from code). A run that
  // fails below for another missing reference keeps its read recorded: the audit log errs on
  // the side of saying a secret left.
  const { rows } = await pool.query<{ kind: "secret" | "variable"; name: string; sealed: string | null; value: unknown }>(
    `with found as (
       select 'secret' as kind, id, name, sealed_value as sealed, null::jsonb as value from secrets where workspace_id = $1 and name = any($2::text[])
       union all
       select 'variable', id, name, null, value from variables where workspace_id = $1 and name = any($3::text[])
     ), ins as (
       insert into secret_reads (flow_run_id, secret_name, workspace_id)
       select t.r, t.s, $1 from unnest($4::uuid[], $5::text[]) t(r, s) where t.s in (select name from found where kind = 'secret')
       on conflict do nothing
       returning flow_run_id, secret_name
     ), audit as (
       insert into audit_events (workspace_id, actor_id, actor_label, action, target_type, target_id, target_label, details)
       select $1, null, 'run ' || fr.name, 'secret.read', 'secret', f.id::text, ins.secret_name, json_build_object('runId', fr.id, 'via', 'claim')
         from ins join flow_runs fr on fr.id = ins.flow_run_id join found f on f.kind = 'secret' and f.name = ins.secret_name
       returning 1
     )
     select kind, name, sealed, value, (select count(*) from audit) as _audited from found`,
    [workspaceId, [...secretNames], [...variableNames], reads.map((r) => r.runId), reads.map((r) => r.secret)],
  );
  const secrets = new Map(rows.filter((r) => r.kind === "secret").map((r) => [r.name, r.sealed!]));
  const variables = new Map(rows.filter((r) => r.kind === "variable").map((r) => [r.name, r.value]));

  const ok: (R & RunEnv)[] = [];
  const failed: { run: R; message: string }[] = [];
  for (const r of runs) {
    const resolved = resolveOne(r.env ?? {}, secrets, variables);
    if ("missing" in resolved) {
      const { missing } = resolved;
      const label = `${r.flow_name}/${r.deployment_name ?? "?"}`;
      const what = `${missing.kind} "${missing.name}"`;
      const where = missing.key === GIT_CREDENTIALS_KEY ? "as its git source's credentials" : `in env ${missing.key}`;
      const fix = missing.kind === "secret" ? `baton secret set ${missing.name}` : `baton variable set ${missing.name} VALUE`;
      failed.push({
        run: r,
        message: missing.unreadable
          ? `The ${what} that deployment ${label} uses ${where} cannot be decrypted: BATON_ENCRYPTION_KEY has changed since it was set. Set it again (\`${fix}\`), then retry the run.`
          : `The ${what} that deployment ${label} uses ${where} no longer exists. Create it again (\`${fix}\`) or change the deployment's ${missing.key === GIT_CREDENTIALS_KEY ? "source" : "env"}, then retry the run.`,
      });
      continue;
    }
    ok.push({ ...r, env: resolved.env, secretKeys: resolved.secretKeys });
  }
  if (failed.length > 0) {
    await applyTransitions(
      pool,
      workspaceId,
      failed.map((f) => ({ runId: f.run.id, state: { type: "FAILED" as const, name: "Failed", message: f.message }, by: "server" as const })),
    );
  }
  return { runs: ok };
}

type Resolved = RunEnv | { missing: { kind: "secret" | "variable"; name: string; key: string; unreadable?: boolean } };

function resolveOne(env: Record<string, string>, secrets: Map<string, string>, variables: Map<string, unknown>): Resolved {
  if (Object.keys(env).length === 0) return EMPTY;
  const out: Record<string, string> = {};
  const secretKeys: string[] = [];
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
    } else {
      if (!variables.has(ref.name)) return { missing: { ...ref, key } };
      out[key] = renderVariable(variables.get(ref.name));
    }
  }
  return { env: out, secretKeys };
}
