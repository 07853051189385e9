/**
 * Collects items and sends them in batches in the background: after `delayMs`, or at once when
 * `maxItems` wait. One batch is in flight at a time, so order is kept. A failed send is retried
 * (the sender decides how hard) and its items go back to the front; `flush()` resolves when
 * everything pushed so far has been sent, and rejects if a send finally failed.
 */
export class BackgroundBatcher<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private failure: unknown = null;

  private queuedBytes = 0;

  /** `sizeOf` and `maxBytes` bound a batch's size as well as its count (log lines: under the API's 1 MiB). */
  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    private readonly delayMs = 250,
    private readonly maxItems = 1000,
    private readonly sizeOf: (item: T) => number = () => 0,
    private readonly maxBytes = Infinity,
  ) {}

  push(item: T) {
    this.queue.push(item);
    this.queuedBytes += this.sizeOf(item);
    if (this.queue.length >= this.maxItems || this.queuedBytes >= this.maxBytes) this.kick();
    else if (!this.timer && !this.sending) this.timer = setTimeout(() => this.kick(), this.delayMs);
  }

  private kick() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.sending || this.queue.length === 0) return;
    let n = 0;
    let bytes = 0;
    while (n < this.queue.length && n < this.maxItems && (n === 0 || bytes + this.sizeOf(this.queue[n]) <= this.maxBytes)) bytes += this.sizeOf(this.queue[n++]);
    const batch = this.queue.splice(0, n);
    this.queuedBytes -= bytes;
    this.sending = this.send(batch)
      .catch((err) => {
        this.queue.unshift(...batch);
        this.queuedBytes += bytes;
        this.failure = err;
      })
      .finally(() => {
        this.sending = null;
        if (this.queue.length > 0 && !this.failure) this.timer = setTimeout(() => this.kick(), this.delayMs);
      });
  }

  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.sending) {
      if (this.failure) {
        const err = this.failure;
        this.failure = null;
        throw err;
      }
      if (!this.sending) this.kick();
      await this.sending;
    }
    if (this.failure) {
      const err = this.failure;
      this.failure = null;
      throw err;
    }
  }
}
