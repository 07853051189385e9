import type { Db } from "../../server/db/client";
import type { startApiServer } from "../helpers/api-server";
import type { createWorkspaceWithMembers } from "../helpers/fixtures";

type Ws = Awaited<ReturnType<typeof createWorkspaceWithMembers>>;

/** Workspace A holds the objects; workspace B's credentials try to reach them. */
export type CrossTenantContext = {
  db: Db;
  api: Awaited<ReturnType<typeof startApiServer>>;
  A: Ws;
  B: Ws;
  /** Owner-role keys of each workspace, and an agent-role key of B. */
  aKey: string;
  bKey: string;
  bAgentKey: string;
};

/** "METHOD /api/v1/path/:param" (as Hono lists routes) → a check that must throw on a leak. */
export type RouteCases = Record<string, () => Promise<void>>;
