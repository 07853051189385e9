import net from "node:net";
import { afterAll } from "vitest";

/**
 * A loopback TCP proxy in front of a server, which a test can cut like a network partition: while
 * cut, it still accepts connections but forwards no byte either way (the client sees timeouts,
 * never a refused connection), and bytes sent meanwhile are dropped. `restore` forwards again, on
 * new connections; connections open through a cut are closed by then, as a partition's would
 * time out.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let cut = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();
  const server = net.createServer((client) => {
    const pair: { client: net.Socket; upstream: net.Socket | null } = { client, upstream: null };
    pairs.add(pair);
    client.on("error", () => undefined);
    client.on("close", () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (cut) {
      client.on("data", () => undefined);
      return;
    }
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on("error", () => client.destroy());
    upstream.on("close", () => client.destroy());
    client.on("data", (d) => {
      if (!cut) upstream.write(d);
    });
    upstream.on("data", (d) => {
      if (!cut) client.write(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  const close = async () => {
    for (const p of pairs) {
      p.client.destroy();
      p.upstream?.destroy();
    }
    await new Promise<void>((r) => server.close(() => r()));
  };
  afterAll(close);
  return {
    port,
    url: `http://localhost:${port}`,
    /** Stops forwarding: a partition between the client and the server. */
    cut() {
      cut = true;
    },
    /** Forwards again; connections that lived through the cut are dropped (they would have timed out). */
    restore() {
      cut = false;
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
    },
    close,
  };
}
