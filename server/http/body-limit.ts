import { IncomingMessage, type ServerResponse } from "node:http";

/**
 * Request-body limits, shared by the edge in front of Next (Node requests) and the /api/v1 layer
 * (web Requests), so both refuse the same way: by the Content-Length header alone when there is
 * one (Node's parser never reads past it), by counting a chunked body as it arrives otherwise.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

export function declaredOverLimit(contentLength: string | null | undefined, limit: number): boolean {
  return Number(contentLength ?? 0) > limit;
}

export function tooLargeError(limit: number) {
  return { error: { code: "payload_too_large", message: `The request body is over ${mebibytes(limit)}. Send it in smaller pieces.` } };
}

/** Collects a body's chunks while it stays within `limit` bytes. */
export class LimitedBody {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}

  /** False once the body is over the limit (the chunk is not kept). */
  add(chunk: Uint8Array): boolean {
    this.size += chunk.length;
    if (this.size > this.limit) return false;
    this.chunks.push(chunk);
    return true;
  }

  bytes(): Buffer<ArrayBuffer> {
    return Buffer.concat(this.chunks);
  }
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * Bounds the body of a Node request before `next` (Next's handler) reads it. A chunked body is read
 * here up to the limit and handed on in a request that carries it whole.
 */
export function limitNodeBody(req: IncomingMessage, res: ServerResponse, limit: number, next: NodeHandler) {
  if (declaredOverLimit(req.headers["content-length"], limit)) return refuseNodeRequest(req, res, 413, tooLargeError(limit));
  if (req.headers["transfer-encoding"] === undefined) return next(req, res);
  const body = new LimitedBody(limit);
  const onData = (chunk: Buffer) => {
    if (body.add(chunk)) return;
    req.off("data", onData).off("end", onEnd);
    refuseNodeRequest(req, res, 413, tooLargeError(limit));
  };
  const onEnd = () => void next(replayRequest(req, body.bytes()), res);
  req.on("data", onData).on("end", onEnd).on("error", () => res.destroy());
}

const LINGER_MS = 2_000;

/**
 * Answers without reading the body. Closing at once would reset the connection while the client is
 * still sending, and a reset can destroy the answer before the client reads it: so the rest of the
 * body is read and dropped for a moment (no memory kept), then the connection is closed.
 */
export function refuseNodeRequest(req: IncomingMessage, res: ServerResponse, status: number, body: unknown) {
  // Node closes the socket as soon as the answer is written when the client sent `Connection:
  // close` (agents without keep-alive do): with the body still arriving that close is a reset, and
  // the reset often reached the client before it had read the answer (EPIPE instead of the 413).
  // Kept open, the rest is drained below and the connection ends after LINGER_MS at the latest.
  if (!req.complete) res.shouldKeepAlive = true;
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
  if (req.complete) return;
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  req.once("end", () => clearTimeout(timer)).once("close", () => clearTimeout(timer));
}

/** A copy of `req` whose body is `body`, for a handler that reads the request as a stream. */
function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  const headers = { ...req.headers, "content-length": String(body.length) };
  delete headers["transfer-encoding"];
  copy.headers = headers;
  copy.rawHeaders = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.flatMap((x) => [k, x]) : v === undefined ? [] : [k, v]));
  copy.push(body);
  copy.push(null);
  copy.complete = true;
  return copy;
}

function mebibytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
