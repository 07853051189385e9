import type { z } from "zod";
import { apiErrorSchema } from "../../agent/protocol/errors";

/** The request body and response blocks every route repeats. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });

export const json = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { "application/json": { schema } } });

const error = (description: string) => json(description, apiErrorSchema);

/** Errors any authenticated route may answer. */
export const errorResponses = {
  401: error("Missing, malformed, revoked or expired credentials"),
  403: error("The key's role does not allow this"),
  404: error("Not found in this workspace"),
  409: error("Conflict: a stale attempt or lost lease, a name taken, or a state that does not allow this"),
  422: error("The request is not valid; details lists each field"),
  503: error("The database is unreachable; retry after Retry-After seconds"),
} as const;
