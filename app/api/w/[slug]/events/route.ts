import { openLiveEventStream } from "@/server/live/live-event-stream";
import { requestSession } from "@/server/auth/request-session";
import { getDb } from "@/server/db/client";
import { isConnectionError } from "@/server/db/pg-errors";
import { AppError, HTTP_STATUS } from "@/server/errors";

// A long-lived stream per request: never prerendered or cached.
export const dynamic = "force-dynamic";

/** GET /api/w/{slug}/events: the workspace's live events as Server-Sent Events (see docs/api.md). */
export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  try {
    const stream = await openLiveEventStream({ db: getDb(), session: await requestSession(), slug, signal: req.signal });
    return new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        // no-transform keeps Next's gzip (and proxies) from buffering the stream.
        "Cache-Control": "no-cache, no-transform",
        "X-Accel-Buffering": "no",
      },
    });
  } catch (err) {
    if (err instanceof AppError) {
      return Response.json({ error: { code: err.code.toLowerCase(), message: err.message } }, { status: HTTP_STATUS[err.code] });
    }
    if (isConnectionError(err)) {
      // EventSource gives up on a non-200 answer; the hook reopens it after a pause.
      return Response.json({ error: { code: "unavailable", message: "The database is unreachable right now." } }, { status: 503, headers: { "Retry-After": "2" } });
    }
    throw err;
  }
}
