import type pg from "pg";

/**
 * BEGIN … COMMIT on one pooled connection, for hot paths written as plain SQL (dispatch and
 * orchestration), where each round trip counts. Rolls back on any error.
 */
export async function withPgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const result = await fn(client);
    await client.query("commit");
    return result;
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
