import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createTrpcContext, rejectCrossSite } from "@/server/trpc/http-context";
import { appRouter } from "@/server/trpc/root";

const MAX_BODY_BYTES = 256 * 1024;

async function handler(req: Request) {
  const refused = rejectCrossSite(req, MAX_BODY_BYTES);
  if (refused) return refused;
  return fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createTrpcContext(req) });
}

export { handler as GET, handler as POST };
