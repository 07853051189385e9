import net from "node:net";

/**
 * A loopback TCP proxy in front of the server for one agent. `cut()` acts like a network
 * partition: it keeps accepting connections but forwards no byte either way (reads are paused, so
 * what was sent waits as it would in a retransmitting TCP stack), so the agent sees timeouts,
 * never a refused connection. `restore()` lets everything flow again.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private isCut = false;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket | null; connect: () => void }>();
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  async start(): Promise<number> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(0, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  cut() {
    this.isCut = true;
    for (const p of this.pairs) {
      p.client.pause();
      p.upstream?.pause();
    }
  }

  restore() {
    this.isCut = false;
    for (const p of this.pairs) {
      if (!p.upstream) p.connect();
      p.client.resume();
      p.upstream?.resume();
    }
  }

  async stop() {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream?.destroy();
    }
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private accept(client: net.Socket) {
    client.on("error", () => undefined);
    const pair = {
      client,
      upstream: null as net.Socket | null,
      // Connected lazily while cut: a partitioned agent must not learn that the server is down.
      connect: () => {
        const upstream = net.connect(this.upstreamPort, "127.0.0.1");
        pair.upstream = upstream;
        upstream.on("error", () => client.destroy());
        upstream.on("data", (d) => client.write(d));
        upstream.on("end", () => client.end());
        upstream.on("close", () => client.destroy());
        if (this.isCut) upstream.pause();
        for (const chunk of held.splice(0)) upstream.write(chunk);
      },
    };
    const held: Buffer[] = [];
    client.on("data", (d) => (pair.upstream ? pair.upstream.write(d) : held.push(d)));
    client.on("end", () => pair.upstream?.end());
    client.on("close", () => {
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    });
    this.pairs.add(pair);
    if (this.isCut) client.pause();
    else pair.connect();
  }
}

