import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { createDb, type Db } from "../../server/db/client";

/**
 * A fresh, migrated database of this test file's own, cloned from the template. Dropped after the
 * file. Returns the drizzle handle and its URL (to start an app process against it).
 */
export async function createTestDatabase(): Promise<{ db: Db; url: string }> {
  const adminUrl = inject("pgAdminUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template baton_template`);
  await admin.end();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const db = createDb(url, 5);
  afterAll(async () => {
    await db.$client.end();
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  });
  return { db, url };
}
