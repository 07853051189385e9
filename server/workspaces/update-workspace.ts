import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { workspaces } from "../db/schema";
import { hasPgCode } from "../db/pg-errors";
import { AppError } from "../errors";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import { slugSchema } from "./slugs";
import { workspaceNameSchema } from "../email/display-name";

export async function updateWorkspace(db: Db, workspaceId: string, actor: Actor, input: { name?: string; slug?: string }) {
  const name = input.name === undefined ? undefined : workspaceNameSchema.parse(input.name);
  const slug = input.slug === undefined ? undefined : slugSchema.parse(input.slug);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId)).for("update");
    if (!before) throw new AppError("NOT_FOUND", "Workspace not found.");
    const [after] = await tx
      .update(workspaces)
      .set({ ...(name ? { name } : {}), ...(slug ? { slug } : {}) })
      .where(eq(workspaces.id, workspaceId))
      .returning()
      .catch((err: unknown) => {
        if (hasPgCode(err, "23505")) throw new AppError("CONFLICT", `The address "${slug}" is taken. Pick another.`);
        throw err;
      });
    const changes: Record<string, unknown> = {};
    if (name && name !== before.name) changes.name = { from: before.name, to: name };
    if (slug && slug !== before.slug) changes.slug = { from: before.slug, to: slug };
    if (Object.keys(changes).length) {
      await recordAuditEvent(tx, workspaceId, actor, { action: "workspace.updated", targetType: "workspace", targetId: workspaceId, targetLabel: after.name, details: changes });
    }
    return after;
  });
}

