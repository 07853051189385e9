import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Run = RouterOutputs["runs"]["get"];
export type TaskRun = RouterOutputs["runs"]["taskRuns"]["taskRuns"][number];
export type TaskRunState = RouterOutputs["runs"]["taskRunHistory"][number];
export type LogLine = RouterOutputs["runs"]["logs"]["logs"][number];
export type Artifact = RouterOutputs["runs"]["artifacts"]["artifacts"][number];
