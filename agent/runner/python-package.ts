/** Where the Baton Python package is, and how a Python child of the agent or the CLI finds it. */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** agent/python in the repository and `python/` in the npm package: one level above both runner/runner.ts and dist/runner.js. */
export const PYTHON_PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "python");

/** The environment a Python child of Baton needs to import `baton` without installing it. */
export function pythonEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, PYTHONPATH: base.PYTHONPATH ? `${PYTHON_PACKAGE_DIR}${path.delimiter}${base.PYTHONPATH}` : PYTHON_PACKAGE_DIR, PYTHONUNBUFFERED: "1" };
}

/** What a person sees when the interpreter cannot be started: which one, from where, and what to change. */
export function missingInterpreterMessage(interpreter: string, cwd: string, err: NodeJS.ErrnoException): string {
  const where = interpreter.includes("/") ? `${path.resolve(cwd, interpreter)}` : `\`${interpreter}\` on PATH`;
  const why = err.code === "ENOENT" ? "does not exist" : err.code === "EACCES" ? "is not executable" : `could not be started (${err.message})`;
  return `No such Python interpreter: ${where} ${why}. Set \`python:\` on the deployment (e.g. .venv/bin/python) or start the agent with --python PATH.`;
}
