import { createCallerFactory, router } from "./init";
import { accountRouter } from "./routers/account";
import { apiKeysRouter } from "./routers/api-keys";
import { automationsRouter } from "./routers/automations";
import { auditRouter } from "./routers/audit";
import { billingRouter } from "./routers/billing";
import { concurrencyLimitsRouter } from "./routers/concurrency-limits";
import { deviceAuthRouter } from "./routers/device-auth";
import { incomingWebhooksRouter } from "./routers/incoming-webhooks";
import { invitationsRouter } from "./routers/invitations";
import { membersRouter } from "./routers/members";
import { workspacesRouter } from "./routers/workspaces";
import { deploymentsRouter } from "./routers/deployments";
import { runsRouter } from "./routers/runs";
import { secretsRouter } from "./routers/secrets";
import { variablesRouter } from "./routers/variables";
import { workPoolsRouter } from "./routers/work-pools";

export const appRouter = router({
  account: accountRouter,
  workspaces: workspacesRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  apiKeys: apiKeysRouter,
  audit: auditRouter,
  runs: runsRouter,
  deployments: deploymentsRouter,
  workPools: workPoolsRouter,
  concurrencyLimits: concurrencyLimitsRouter,
  automations: automationsRouter,
  deviceAuth: deviceAuthRouter,
  billing: billingRouter,
  secrets: secretsRouter,
  variables: variablesRouter,
  incomingWebhooks: incomingWebhooksRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
