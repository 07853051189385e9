import fs from "node:fs";
import http from "node:http";

export type UploadAnswer = { status: number; json: unknown; sentBytes: number };

/**
 * POSTs `totalBytes` on a connection of its own, 1 MiB at a time with backpressure, and stops
 * sending as soon as the server answers: `sentBytes` below `totalBytes` means the answer came
 * before the body was sent. Without a Content-Length the body goes chunked.
 */
export function uploadUntilAnswered(url: string, totalBytes: number, opts: { chunked?: boolean; headers?: Record<string, string> } = {}): Promise<UploadAnswer> {
  const chunk = Buffer.alloc(1024 * 1024, "a");
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const req = http.request(url, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/x-www-form-urlencoded", ...(opts.chunked ? {} : { "content-length": String(totalBytes) }), ...opts.headers },
    });
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON: the caller sees the text */
        }
        resolve({ status: res.statusCode ?? 0, json, sentBytes });
        req.destroy();
      });
    });
    // Once the server has answered and closed, further writes fail: that is the expected end.
    req.on("error", (err) => (answered ? undefined : reject(err)));
    const pump = () => {
      while (!answered && sentBytes < totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - sentBytes));
        sentBytes += piece.length;
        if (!req.write(piece)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** The peak resident memory of a process so far (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (!kb) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kb) * 1024;
}

/**
 * Declares a body of `declaredBytes`, sends only its first MiB, and waits for the answer: a server
 * that answers has decided without reading the rest. (Sending the rest meanwhile would race the
 * server closing the connection, and a reset can swallow the answer before the client reads it.)
 */
export function answerBeforeBody(url: string, declaredBytes: number, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent: false, headers: { "content-length": String(declaredBytes), ...headers } });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error("no answer while the body was still unsent: the server waited for (or read) the body"));
    }, 10_000);
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        clearTimeout(timer);
        req.destroy();
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON: the caller sees the text */
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write(Buffer.alloc(1024 * 1024, "a"));
  });
}
