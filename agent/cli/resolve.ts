import type { ApiClient } from "../client/api-client";
import type { Deployment } from "../protocol/deployments";
import { isUuid } from "../protocol/storable";
import { CliError } from "./errors";

/** A deployment named by id, `flow/name`, or a name that only one flow uses. */
export async function resolveDeployment(client: ApiClient, ref: string | undefined): Promise<Deployment> {
  if (!ref) throw new CliError("Name a deployment: FLOW/NAME, its name, or its id. `baton deployments ls` lists them.", 2);
  if (isUuid(ref)) return client.request<Deployment>("GET", `/deployments/${ref}`);
  const { deployments } = await client.request<{ deployments: Deployment[] }>("GET", "/deployments");
  const slash = ref.indexOf("/");
  const matches =
    slash > 0 ? deployments.filter((d) => d.flowName === ref.slice(0, slash) && d.name === ref.slice(slash + 1)) : deployments.filter((d) => d.name === ref);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new CliError(`"${ref}" names several deployments: ${matches.map((d) => `${d.flowName}/${d.name}`).join(", ")}. Use FLOW/NAME.`, 2);
  const names = deployments.map((d) => `${d.flowName}/${d.name}`);
  throw new CliError(`No deployment "${ref}" in this workspace.${names.length ? ` Deployments: ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", …" : ""}` : " Create one with `baton deploy`."}`);
}
