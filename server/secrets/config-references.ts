import { and, eq, inArray } from "drizzle-orm";
import type { DeploymentSource } from "../../agent/protocol/deployments";
import { envReferences, type UsedBy } from "../../agent/protocol/secrets";
import type { Queryable } from "../db/client";
import { deployments, flows, secrets, variables } from "../db/schema";
import { AppError } from "../errors";

/**
 * A git source's `credentials` secret (`{{ secrets.github-token }}`) counts as one more env entry,
 * under a key no deployment can use (env names starting BATON_ are refused): checked at deploy
 * time, listed in "used by", resolved at claim time with the rest (one query, the read recorded,
 * a deleted secret failing the run before start). The claim takes it out of the run's environment
 * again (server/api/routes/work-pools.ts).
 */
export const GIT_CREDENTIALS_KEY = "BATON_GIT_CREDENTIALS";

export function withSourceCredentials(env: Record<string, string> | null, source: DeploymentSource | null): Record<string, string> {
  if (source?.kind !== "git" || !source.credentials) return env ?? {};
  return { ...(env ?? {}), [GIT_CREDENTIALS_KEY]: source.credentials };
}

/**
 * Refuses a deployment whose env or `secrets:` list names a secret or variable the workspace does
 * not have, naming each one, so the mistake shows at deploy time and not in a run at 3 a.m.
 */
export async function assertConfigReferencesExist(db: Queryable, workspaceId: string, env: Record<string, string>, declared: string[]) {
  const refs = envReferences(env);
  const wantedSecrets = [...new Set([...refs.secrets, ...declared])];
  const [haveSecrets, haveVariables] = await Promise.all([
    wantedSecrets.length ? db.select({ name: secrets.name }).from(secrets).where(and(eq(secrets.workspaceId, workspaceId), inArray(secrets.name, wantedSecrets))) : [],
    refs.variables.length ? db.select({ name: variables.name }).from(variables).where(and(eq(variables.workspaceId, workspaceId), inArray(variables.name, refs.variables))) : [],
  ]);
  const missingSecrets = wantedSecrets.filter((n) => !haveSecrets.some((s) => s.name === n));
  const missingVariables = refs.variables.filter((n) => !haveVariables.some((v) => v.name === n));
  if (missingSecrets.length === 0 && missingVariables.length === 0) return;
  const parts = [
    ...missingSecrets.map((n) => `secret "${n}"`),
    ...missingVariables.map((n) => `variable "${n}"`),
  ];
  throw new AppError(
    "BAD_REQUEST",
    `The deployment refers to ${parts.join(", ")}, which ${parts.length === 1 ? "does" : "do"} not exist in this workspace. Create ${parts.length === 1 ? "it" : "them"} first (\`baton secret set NAME\`, \`baton variable set NAME VALUE\`), or fix the name.`,
    { missing: { secrets: missingSecrets, variables: missingVariables } },
  );
}

/** Per secret or variable name, the deployments that use it (env reference, or for secrets the `secrets:` list). */
export async function usedByMap(db: Queryable, workspaceId: string, kind: "secret" | "variable"): Promise<Map<string, UsedBy>> {
  const rows = await db
    .select({ id: deployments.id, name: deployments.name, flowName: flows.name, env: deployments.env, source: deployments.source, declared: deployments.declaredSecrets })
    .from(deployments)
    .innerJoin(flows, eq(flows.id, deployments.flowId))
    .where(eq(deployments.workspaceId, workspaceId))
    .orderBy(flows.name, deployments.name);
  const out = new Map<string, UsedBy>();
  for (const d of rows) {
    const refs = envReferences(withSourceCredentials(d.env, d.source));
    const names = kind === "secret" ? new Set([...refs.secrets, ...d.declared]) : new Set(refs.variables);
    for (const n of names) out.set(n, [...(out.get(n) ?? []), { id: d.id, flowName: d.flowName, name: d.name }]);
  }
  return out;
}
