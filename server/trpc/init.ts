import { randomUUID } from "node:crypto";
import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { eq } from "drizzle-orm";
import { z, ZodError } from "zod";
import type { Db } from "../db/client";
import { users, type Role } from "../db/schema";
import { isConnectionError } from "../db/pg-errors";
import { AppError, type AppErrorCode } from "../errors";
import { roleAtLeast } from "../auth/roles";
import { resolveWorkspaceAccess } from "../workspaces/workspace-access";
import { findUnstorable } from "../../agent/protocol/storable";

export type TrpcContext = {
  db: Db;
  session: { userId: string; sessionId: string } | null;
  ip: string | null;
};

const TRPC_CODE: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNPROCESSABLE: "UNPROCESSABLE_CONTENT",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  PLAN_LIMIT: "PAYMENT_REQUIRED",
};

const t = initTRPC.context<TrpcContext>().create({
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
    // Services report per-field problems (e.g. run parameters against a schema) in details.fieldErrors.
    const app = error.cause instanceof AppError ? (error.cause.details?.fieldErrors as Record<string, string[]> | undefined) : undefined;
    return { ...shape, data: { ...shape.data, fieldErrors: zod?.fieldErrors ?? app ?? null, stack: undefined } };
  },
});

/**
 * An unexpected error's message can carry SQL text and its parameters (a new key's hash, say):
 * the browser gets a generic message and an id, the log gets the detail under the same id.
 */
function internalError(path: string, cause: unknown): TRPCError {
  const errorId = randomUUID();
  console.error(`[trpc] unexpected error ${errorId} in ${path}:`, cause);
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: `Something went wrong on our side (error id ${errorId}). It has been logged; try again, and quote the id if it keeps happening.`,
  });
}

/** Services throw AppError and zod errors; the browser gets the matching tRPC code and a readable message. */
const mapErrors = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof AppError) throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  if (cause instanceof ZodError) {
    throw new TRPCError({ code: "BAD_REQUEST", message: cause.issues.map((i) => i.message).join(" "), cause });
  }
  if (isConnectionError(cause)) {
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "The database is unreachable right now. Try again in a few seconds." });
  }
  if (result.error.code === "INTERNAL_SERVER_ERROR") throw internalError(path, cause ?? result.error);
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
/** Input Postgres cannot hold (U+0000) or too deep to handle safely is refused naming the field, as on /api/v1. */
const refuseUnstorable = t.middleware(async ({ getRawInput, next }) => {
  const bad = findUnstorable(await getRawInput());
  if (bad) throw new AppError("BAD_REQUEST", `${bad.path || "The input"} ${bad.problem}.`, { fieldErrors: { [bad.path]: [bad.problem] } });
  return next();
});

export const publicProcedure = t.procedure.use(mapErrors).use(refuseUnstorable);

export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  const [user] = await ctx.db
    .select({ id: users.id, email: users.email, name: users.name, emailVerifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(eq(users.id, ctx.session.userId));
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, user, sessionId: ctx.session.sessionId } });
});

export const workspaceInput = z.object({ workspace: z.string().min(1).max(64) });

/** Resolves the workspace from the slug in the input and the user's membership; never from a client-sent id. */
export const workspaceProcedure = authedProcedure.input(workspaceInput).use(async ({ ctx, input, next }) => {
  const { workspace, role } = await resolveWorkspaceAccess(ctx.db, input.workspace, ctx.user.id);
  const actor = { userId: ctx.user.id, label: ctx.user.email, ip: ctx.ip, role };
  return next({ ctx: { ...ctx, workspace, role, actor } });
});

const ROLE_NAMES: Record<Role, string> = { owner: "an owner", developer: "a developer", runner: "a runner", viewer: "a viewer" };

export function requireRole(minimum: Role) {
  return workspaceProcedure.use(({ ctx, next }) => {
    if (!roleAtLeast(ctx.role, minimum)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs ${ROLE_NAMES[minimum]} or higher; you are ${ROLE_NAMES[ctx.role]} in this workspace.` });
    }
    return next();
  });
}
