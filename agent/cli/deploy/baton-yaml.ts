import fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CliError } from "../errors";
import { deploymentSpecSchema, type DeploymentSpec } from "./deployment-spec";

const fileSchema = z.object({ deployments: z.array(z.unknown()).min(1, "list at least one deployment") }).strict();

/** Reads a baton.yaml: `deployments:` is a list of deployments with the same fields as `baton deploy`'s flags. */
export function readBatonYaml(file: string): DeploymentSpec[] {
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
  return specs;
}
