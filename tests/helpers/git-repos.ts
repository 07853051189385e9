import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: "Test", GIT_AUTHOR_EMAIL: "test@example.com", GIT_COMMITTER_NAME: "Test", GIT_COMMITTER_EMAIL: "test@example.com", LC_ALL: "C" };

function git(cwd: string, ...args: string[]): string {
  return execFileSync("/usr/bin/git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * A bare repository `<root>/<name>.git` (what the agent fetches from) and a work clone beside it
 * that commits and pushes, as a developer would.
 */
export class TestRepo {
  private constructor(
    readonly bare: string,
    private readonly work: string,
  ) {}

  static create(root: string, name: string): TestRepo {
    const bare = path.join(root, `${name}.git`);
    const work = path.join(root, `${name}-work`);
    fs.mkdirSync(bare, { recursive: true });
    git(bare, "init", "--quiet", "--bare", "--initial-branch=main");
    git(root, "clone", "--quiet", bare, work);
    git(work, "checkout", "--quiet", "-b", "main");
    return new TestRepo(bare, work);
  }

  get url(): string {
    return `file://${this.bare}`;
  }

  /** Writes (or, for null, deletes) files, commits them on `branch` and pushes it; returns the commit. */
  commit(files: Record<string, string | null>, message = "change", branch = "main"): string {
    const current = git(this.work, "symbolic-ref", "--short", "HEAD");
    if (current !== branch) {
      const exists = git(this.work, "branch", "--list", branch) !== "";
      git(this.work, "checkout", "--quiet", ...(exists ? [branch] : ["-b", branch]));
    }
    for (const [file, content] of Object.entries(files)) {
      const p = path.join(this.work, file);
      if (content === null) fs.rmSync(p, { force: true });
      else {
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, content);
      }
    }
    git(this.work, "add", "-A");
    git(this.work, "commit", "--quiet", "--allow-empty", "-m", message);
    git(this.work, "push", "--quiet", "origin", branch);
    return git(this.work, "rev-parse", "HEAD");
  }

  tag(name: string, annotated = true): void {
    git(this.work, "tag", ...(annotated ? ["-a", "-m", name] : []), name);
    git(this.work, "push", "--quiet", "origin", name);
  }

  head(branch = "main"): string {
    return git(this.bare, "rev-parse", branch);
  }
}

export type GitHttpServer = {
  /** The URL of `<root>/<name>.git` through the server. */
  urlOf(name: string): string;
  /** "METHOD /path?query" of every request, in order. */
  requests: string[];
  close(): Promise<void>;
};

/**
 * Smart HTTP for the repositories under `root` (git http-backend as CGI), requiring
 * `Authorization: Basic base64(user:password)` when `basicAuth` is given, as a private
 * GitHub repository does.
 */
export async function startGitHttpServer(root: string, basicAuth?: { user: string; password: string }): Promise<GitHttpServer> {
  const requests: string[] = [];
  const expected = basicAuth ? `Basic ${Buffer.from(`${basicAuth.user}:${basicAuth.password}`).toString("base64")}` : null;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://git.local");
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end("unauthorized");
      return;
    }
    const cgi = spawn("/usr/lib/git-core/git-http-backend", [], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        REQUEST_METHOD: req.method,
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        REMOTE_USER: basicAuth?.user ?? "",
        REMOTE_ADDR: "127.0.0.1",
      } as Record<string, string | undefined> as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "inherit"],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersSent = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersSent) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString("utf8").split("\r\n")) {
        const i = line.indexOf(":");
        const [k, v] = [line.slice(0, i).trim(), line.slice(i + 1).trim()];
        if (k.toLowerCase() === "status") status = Number(v.split(" ")[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      headersSent = true;
      res.write(head.subarray(end + 4));
    });
    cgi.stdout.on("end", () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    urlOf: (name) => `http://127.0.0.1:${port}/${name}.git`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export type GitCall = { argv: string[]; env: Record<string, string> };

/**
 * Puts a `git` first on PATH that records each call's argv and environment in a file and then
 * runs the real git: a spy on what our code hands to git, without changing our code.
 * Returns the calls so far and a function that restores PATH.
 */
export function installGitShim(dir: string): { calls: () => GitCall[]; restore: () => void } {
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, "calls.jsonl");
  const shim = path.join(dir, "git");
  fs.writeFileSync(
    shim,
    `#!/usr/bin/env node
const fs = require("node:fs");
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env }) + "\\n");
const r = require("node:child_process").spawnSync("/usr/bin/git", process.argv.slice(2), { stdio: "inherit" });
process.exit(r.status ?? 1);
`,
    { mode: 0o755 },
  );
  const oldPath = process.env.PATH;
  process.env.PATH = `${dir}:${oldPath}`;
  return {
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as GitCall) : []),
    restore: () => {
      process.env.PATH = oldPath;
    },
  };
}
