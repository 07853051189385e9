/**
 * The runner's lease watchdog: stops the run's whole process group when its lease was not renewed
 * in time: SIGTERM at the deadline, SIGKILL a kill grace later. It needs nothing from the agent
 * but the deadlines the agent writes on the lease pipe (fd 4); when the pipe closes (the agent
 * died), it stops the group at once.
 *
 * For a TypeScript flow it runs on a worker thread (this file is that thread's entry), with its
 * own event loop, so a flow that blocks the runner's main thread in a long synchronous
 * computation cannot hold it back. A command run leaves the main thread free (it only waits for
 * the shell), so there it runs in place and the run costs no thread.
 */
import fs from "node:fs";
import net from "node:net";
import { isMainThread, workerData } from "node:worker_threads";
import { KILL_GRACE_SECONDS } from "../protocol/leases";

type Deadline = { mono: bigint; wall: number };
const parse = (line: string): Deadline | null => {
  try {
    const v = JSON.parse(line) as { mono: string; wall: number };
    return { mono: BigInt(v.mono), wall: Number(v.wall) };
  } catch {
    return null;
  }
};

let deadline: Deadline | null = null;
let stoppingSince: bigint | null = null;

function say(message: string) {
  try {
    fs.writeSync(2, `${message}\n`);
  } catch {
    /* stderr gone */
  }
}

function signalGroup(sig: NodeJS.Signals) {
  try {
    process.kill(-process.pid, sig);
  } catch {
    /* the group is gone */
  }
}

function stop(why: string) {
  if (stoppingSince !== null) return;
  stoppingSince = process.hrtime.bigint();
  say(`Baton: ${why}: stopping this run's processes (SIGTERM now, SIGKILL in ${KILL_GRACE_SECONDS} s).`);
  signalGroup("SIGTERM");
}

export function watchLease(initial: string | null) {
  deadline = initial ? parse(initial) : null;
  // Kept referenced: the runner always ends by process.exit or its group's SIGKILL, never by
  // running out of work, and a worker thread must stay alive as long as the run.
  setInterval(check, 100);
  const pipe = new net.Socket({ fd: 4, readable: true, writable: false });
  pipe.setEncoding("utf8");
  let buffered = "";
  pipe.on("data", (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const next = parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (next && (!deadline || next.mono > deadline.mono)) deadline = next;
    }
  });
  pipe.on("end", () => stop("its agent went away"));
  pipe.on("error", () => stop("its agent went away"));
}

function check() {
  const mono = process.hrtime.bigint();
  if (stoppingSince !== null) {
    if (mono - stoppingSince >= BigInt(KILL_GRACE_SECONDS * 1e9)) signalGroup("SIGKILL");
    return;
  }
  if (deadline && (mono >= deadline.mono || Date.now() >= deadline.wall)) {
    stop("the run's lease was not renewed in time (its agent is frozen or cut off from Baton, which may start the run again elsewhere)");
  }
}

if (!isMainThread) watchLease((workerData as { initial: string | null }).initial);
