import { spawnSync } from "node:child_process";
import path from "node:path";
import { z } from "zod";
import { retryDelaySchema } from "../../protocol/deployments";
import { missingInterpreterMessage, pythonEnv } from "../../runner/python-package";
import { CliError } from "../errors";

const describedSchema = z.union([
  z.object({
    ok: z.literal(true),
    flow: z.object({
      name: z.string().min(1),
      description: z.string().nullable().optional(),
      parameterSchema: z.record(z.string(), z.unknown()),
      retries: z.number().int().min(0),
      retryDelay: retryDelaySchema.nullable().optional(),
      timeoutSeconds: z.number().nullable().optional(),
      tags: z.array(z.string()),
    }),
  }),
  z.object({ ok: z.literal(false), error: z.object({ kind: z.string(), message: z.string(), file: z.string().nullable().optional(), line: z.number().nullable().optional() }) }),
]);

export type DescribedPythonFlow = Extract<z.infer<typeof describedSchema>, { ok: true }>["flow"];

/**
 * Asks the deployment's interpreter what the flow is (`python -m baton.describe`): its name,
 * description, parameter schema, retries, timeout and tags, as the code defines them (imports,
 * decorators and type hints evaluated, not text parsed). A file, function or syntax the
 * interpreter refuses stops the deploy with Python's own message and line.
 */
export function describePythonFlow(entrypoint: string, python: string | undefined, baseDir: string): DescribedPythonFlow {
  const interpreter = python ?? "python3";
  const probe = spawnSync(interpreter, ["-m", "baton.describe", entrypoint], { cwd: baseDir, env: pythonEnv(process.env), encoding: "utf8", timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  if (probe.error) throw new CliError(missingInterpreterMessage(interpreter, baseDir, probe.error as NodeJS.ErrnoException), 2);
  const last = probe.stdout.trim().split("\n").pop() ?? "";
  let answer: z.infer<typeof describedSchema>;
  try {
    answer = describedSchema.parse(JSON.parse(last));
  } catch {
    const said = (probe.stderr || probe.stdout).trim().split("\n").slice(-5).join("\n");
    throw new CliError(`${interpreter} could not describe ${entrypoint} (exit ${probe.status}):\n${said}\nIs this interpreter Python 3.9 or newer?`, 2);
  }
  if (!answer.ok) {
    const at = answer.error.file ? ` (${path.relative(baseDir, path.resolve(baseDir, answer.error.file)) || answer.error.file}${answer.error.line ? `, line ${answer.error.line}` : ""})` : "";
    throw new CliError(`${entrypoint}: ${answer.error.message}${at}`, 2);
  }
  return answer.flow;
}
