import fs from "node:fs";

/**
 * Removes a variable from this process's environment, including the copy the kernel shows at
 * /proc/<pid>/environ. That file is read from the process's own memory (the block between
 * env_start and env_end in /proc/self/stat), which `delete process.env[name]` leaves untouched:
 * so, after unsetting it (libc then no longer points at that block's string), the bytes are
 * overwritten through /proc/self/mem, which a process may always write. Linux only; elsewhere,
 * or when /proc is not there, it just unsets the variable. Returns true when /proc/self/environ
 * no longer holds it.
 */
export function dropFromEnvironment(name: string): boolean {
  if (process.env[name] === undefined) return true;
  delete process.env[name];
  if (process.platform !== "linux") return false;
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    // Fields after "pid (comm) "; comm may contain spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(fields[50 - 3]);
    const end = Number(fields[51 - 3]);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) return false;
    const fd = fs.openSync("/proc/self/mem", "r+");
    try {
      const block = Buffer.alloc(end - start);
      fs.readSync(fd, block, 0, block.length, start);
      const needle = Buffer.from(`${name}=`);
      for (let i = block.indexOf(needle); i !== -1; i = block.indexOf(needle, i + 1)) {
        if (i > 0 && block[i - 1] !== 0) continue;
        let j = block.indexOf(0, i);
        if (j === -1) j = block.length;
        fs.writeSync(fd, Buffer.alloc(j - i), 0, j - i, start + i);
      }
    } finally {
      fs.closeSync(fd);
    }
    return !fs.readFileSync("/proc/self/environ").includes(Buffer.from(`${name}=`));
  } catch {
    return false;
  }
}
