import "server-only";
import { and, eq } from "drizzle-orm";
import { envReferences, type VariableView } from "../../agent/protocol/secrets";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { deployments, flowRuns, secrets } from "../db/schema";
import { decryptSecret } from "../security/secret-box";
import { notFound } from "./manage-secrets";
import { recordRunSecretReads } from "./record-secret-reads";
import { getVariable, variableNotFound } from "../variables/manage-variables";

/** Who reads from code: a run (by its run token) or a person's key (ad-hoc runs, scripts). */
export type CodeReader = { runId: string } | { actor: Actor };

/**
 * What a run may read: the secrets and variables its deployment's env references, plus the
 * secrets of its `secrets:` list. Anything else answers as if it did not exist (404), so a run
 * token cannot even learn which names the workspace has.
 */
async function declaredFor(db: Db, workspaceId: string, runId: string) {
  const [row] = await db
    .select({ env: deployments.env, declared: deployments.declaredSecrets })
    .from(flowRuns)
    .innerJoin(deployments, eq(deployments.id, flowRuns.deploymentId))
    .where(and(eq(flowRuns.id, runId), eq(flowRuns.workspaceId, workspaceId)));
  if (!row) return { secrets: new Set<string>(), variables: new Set<string>() };
  const refs = envReferences(row.env);
  return { secrets: new Set([...refs.secrets, ...row.declared]), variables: new Set(refs.variables) };
}

export async function readSecretFromCode(db: Db, workspaceId: string, reader: CodeReader, name: string): Promise<{ name: string; value: string }> {
  if ("runId" in reader && !(await declaredFor(db, workspaceId, reader.runId)).secrets.has(name)) throw notFound(name);
  const [row] = await db.select().from(secrets).where(and(eq(secrets.workspaceId, workspaceId), eq(secrets.name, name)));
  if (!row) throw notFound(name);
  if ("runId" in reader) await recordRunSecretReads(db.$client, workspaceId, [{ runId: reader.runId, secret: name }], "code");
  else await recordAuditEvent(db, workspaceId, reader.actor, { action: "secret.read", targetType: "secret", targetId: row.id, targetLabel: name, details: { via: "api" } });
  return { name, value: decryptSecret(row.sealedValue) };
}

/** A variable for code: a run token gets only those its deployment's env references; keys of members get any. */
export async function readVariableFromCode(db: Db, workspaceId: string, reader: CodeReader, name: string): Promise<VariableView> {
  if ("runId" in reader && !(await declaredFor(db, workspaceId, reader.runId)).variables.has(name)) throw variableNotFound(name);
  return getVariable(db, workspaceId, name);
}
