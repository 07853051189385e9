import { z } from "zod";
import { requireRole, router } from "../init";
import { listAuditEvents } from "../../audit/list-audit-events";

export const auditRouter = router({
  list: requireRole("owner")
    .input(z.object({ cursor: z.number().int().positive().optional(), limit: z.number().int().min(1).max(200).optional() }))
    .output(z.object({
      items: z.array(z.object({
        id: z.number(),
        actorLabel: z.string(),
        action: z.string(),
        targetType: z.string(),
        targetLabel: z.string().nullable(),
        details: z.record(z.string(), z.unknown()).nullable(),
        ip: z.string().nullable(),
        createdAt: z.string(),
      })),
      nextCursor: z.number().nullable(),
    }))
    .query(({ ctx, input }) => listAuditEvents(ctx.db, ctx.workspace.id, input)),
});
