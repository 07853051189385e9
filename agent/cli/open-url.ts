import { spawn } from "node:child_process";
import { print } from "./output";

/**
 * Whether `target` is a page of the Baton server at `apiUrl`: http(s) and the same origin. The
 * server chooses the device-login page's address, and the system opener opens whatever it is
 * given (`file:///etc/passwd`, `smb://…`, an app's URL scheme), so nothing else is opened.
 */
export function isServerPage(target: string, apiUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  return (url.protocol === "http:" || url.protocol === "https:") && url.origin === new URL(apiUrl).origin;
}

/** Opens a page of the Baton server in the system's browser; anything else is refused with a message. */
export function openServerPage(target: string, apiUrl: string) {
  if (!isServerPage(target, apiUrl)) {
    print(`Not opening that address in a browser: it is not a page of ${new URL(apiUrl).origin}. If you trust it, open it yourself.\n`);
    return;
  }
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(opener, [target], { stdio: "ignore", detached: true });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    /* no browser here: the address is printed */
  }
}
