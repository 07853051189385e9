import http from "node:http";
import type { AddressInfo } from "node:net";

export type RecordedRequest = {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names, as Node gives them. */
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** JSON bodies parsed; form bodies (Stripe) as a flat object of their fields; otherwise null. */
  body: unknown;
};

export type Reply = { status?: number; headers?: Record<string, string>; body?: unknown };
export type Responder = (req: RecordedRequest) => Reply | Promise<Reply>;

export type RecordingServer = {
  url: string;
  requests: RecordedRequest[];
  /** Replaces how the server answers from now on. */
  respond(fn: Responder): void;
  /** Resolves with the first recorded request matching `predicate`, polling until `timeoutMs`. */
  waitForRequest(predicate?: (req: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
};

const defaultResponder: Responder = () => ({ status: 200, body: {} });

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return null;
  if (contentType?.includes("application/json")) {
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (contentType?.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw));
  return null;
}

/**
 * A stand-in for an outside API (Resend, Stripe, Slack) on 127.0.0.1 and a random port. It records
 * every request the real SDK sends and answers with the current responder (200 `{}` by default).
 */
export async function start(responder: Responder = defaultResponder): Promise<RecordingServer> {
  let current = responder;
  const requests: RecordedRequest[] = [];

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://recording.local");
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body: parseBody(rawBody, req.headers["content-type"]),
    };
    requests.push(recorded);
    try {
      const reply = await current(recorded);
      const text = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, {
        ...(typeof reply.body === "string" ? {} : { "content-type": "application/json" }),
        ...reply.headers,
      });
      res.end(text);
    } catch (err) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`recording server responder threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(fn) {
      current = fn;
    },
    async waitForRequest(predicate = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = requests.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`No matching request within ${timeoutMs} ms (got ${requests.length}).`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
