import type { Db } from "../db/client";
import { memberships, workPools, workspaces } from "../db/schema";
import { AppError } from "../errors";
import { recordAuditEvent, type Actor } from "../audit/record-audit-event";
import { slugify, slugSchema } from "./slugs";
import { workspaceNameSchema } from "../email/display-name";

/**
 * Creates a workspace with the creator as owner. Without a slug one is derived from the name,
 * with -2, -3… appended when taken; an explicit slug that is taken is an error.
 */
export async function createWorkspace(db: Db, actor: Actor & { userId: string }, input: { name: string; slug?: string }) {
  const name = workspaceNameSchema.parse(input.name);
  const explicit = input.slug ? slugSchema.parse(input.slug) : undefined;
  const base = explicit ?? slugify(name);
  return db.transaction(async (tx) => {
    for (let n = 1; n <= 50; n++) {
      const slug = n === 1 ? base : `${base.slice(0, 44)}-${n}`;
      const [ws] = await tx.insert(workspaces).values({ name, slug }).onConflictDoNothing().returning();
      if (!ws) {
        if (explicit) throw new AppError("CONFLICT", `The address "${slug}" is taken. Pick another.`);
        continue;
      }
      await tx.insert(memberships).values({ workspaceId: ws.id, userId: actor.userId, role: "owner" });
      await tx.insert(workPools).values({ workspaceId: ws.id, name: "default", description: "Created with the workspace" });
      await recordAuditEvent(tx, ws.id, actor, { action: "workspace.created", targetType: "workspace", targetId: ws.id, targetLabel: name });
      return ws;
    }
    throw new AppError("CONFLICT", "Could not find a free address for this workspace. Pick one yourself.");
  });
}
