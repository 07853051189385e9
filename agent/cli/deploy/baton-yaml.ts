import fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { concurrencyLimitSetSchema, concurrencyTagSchema } from "../../protocol/concurrency-limits";
import { CliError } from "../errors";
import { deploymentSpecSchema, type DeploymentSpec } from "./deployment-spec";

const concurrencyEntrySchema = z.object({ tag: concurrencyTagSchema, limit: concurrencyLimitSetSchema.shape.limit }).strict();

const fileSchema = z
  .object({
    deployments: z.array(z.unknown()).default([]),
    concurrency: z
      .array(concurrencyEntrySchema)
      .default([])
      .refine((list) => new Set(list.map((c) => c.tag)).size === list.length, "each tag at most once"),
  })
  .strict()
  .refine((f) => f.deployments.length > 0 || f.concurrency.length > 0, "list at least one deployment (or concurrency limit)");

export type BatonYaml = { deployments: DeploymentSpec[]; concurrency: { tag: string; limit: number }[] };

/**
 * Reads a baton.yaml: `deployments:` is a list of deployments with the same fields as `baton
 * deploy`'s flags; `concurrency:` a list of limits by tag (`- { tag: gpu, limit: 1 }`).
 */
export function readBatonYaml(file: string): BatonYaml {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new CliError(`${file} is not valid YAML: ${(err as Error).message}`, 2);
  }
  const top = fileSchema.safeParse(doc);
  if (!top.success) throw new CliError(`${file}: ${top.error.issues.map((i) => `${i.path.join(".") || "top level"}: ${i.message}`).join("; ")}. Expected:\n\ndeployments:\n  - name: daily\n    entrypoint: flows/train.ts:train\n    cron: "0 6 * * *"`, 2);
  const problems: string[] = [];
  const specs = top.data.deployments.map((d, i) => {
    const parsed = deploymentSpecSchema.safeParse(d);
    if (!parsed.success) {
      const label = (d as { name?: string })?.name ? `deployments[${i}] (${(d as { name: string }).name})` : `deployments[${i}]`;
      for (const issue of parsed.error.issues) problems.push(`${label}.${issue.path.join(".")}: ${issue.message}`);
    }
    return parsed.data!;
  });
  if (problems.length > 0) throw new CliError(`${file} has problems; nothing was deployed:\n  ${problems.join("\n  ")}`, 2);
  return { deployments: specs, concurrency: top.data.concurrency };
}
