import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

/** What each tRPC procedure returns, for typing props of the settings components. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
