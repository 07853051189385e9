/**
 * Per-resource cross-tenant cases for /api/v1 routes, merged by tests/cross-tenant.test.ts.
 * Each module exports `cases(ctx)`; add yours to the list below.
 */
import type { CrossTenantContext, RouteCases } from "./context";

type CaseModule = { cases: (ctx: CrossTenantContext) => Promise<RouteCases> | RouteCases };

export const CASE_MODULES: (() => Promise<CaseModule>)[] = [
  () => import("./orchestration"),
  () => import("./logs"),
  () => import("./task-runs"),
  () => import("./artifacts"),
  () => import("./cache"),
  () => import("./device-auth"),
  () => import("./automations"),
  () => import("./concurrency-limits"),
  () => import("./secrets"),
  () => import("./variables"),
  () => import("./child-runs"),
  () => import("./pauses"),
  () => import("./incoming-webhooks"),
];
