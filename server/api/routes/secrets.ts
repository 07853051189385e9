import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { configNameSchema, secretListSchema, secretSchema, secretSetSchema, secretValueReadSchema } from "../../../agent/protocol/secrets";
import { principalActor } from "../../api-keys/authenticate-api-key";
import { AppError } from "../../errors";
import { deleteSecret, getSecret, listSecrets, setSecret } from "../../secrets/manage-secrets";
import { readSecretFromCode } from "../../secrets/read-from-code";
import { allowRoles, requireApiKey, requireKeyOrRunToken, type ApiEnv } from "../authenticate";
import { assertRunTokenMayWrite } from "../../orchestration/run-token";
import { errorResponses, json, jsonBody } from "../openapi-helpers";

const nameParam = { params: z.object({ name: configNameSchema }) };
const members = allowRoles("owner", "developer", "runner", "viewer");
const developers = allowRoles("owner", "developer");

export function registerSecrets(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({
      method: "get",
      path: "/secrets",
      summary: "List secrets (names only)",
      description: "Every secret of the workspace with who set it, when, and the deployments that use it. Values are write-only and never listed.",
      middleware: [requireApiKey, members] as const,
      responses: { 200: json("Secrets", secretListSchema), ...errorResponses },
    }),
    async (c) => c.json({ secrets: await listSecrets(c.get("db"), c.get("principal").workspace.id) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/secrets/{name}",
      summary: "Describe a secret (never its value)",
      middleware: [requireApiKey, members] as const,
      request: nameParam,
      responses: { 200: json("The secret", secretSchema), ...errorResponses },
    }),
    async (c) => c.json(await getSecret(c.get("db"), c.get("principal").workspace.id, c.req.valid("param").name), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/secrets/{name}",
      summary: "Create a secret or replace its value",
      description: "The value (at most 64 KiB) is sealed with AES-256-GCM and never shown again. Runs claimed after this get the new value.",
      middleware: [requireApiKey, developers] as const,
      request: { ...nameParam, ...jsonBody(secretSetSchema) },
      responses: { 200: json("The secret, without its value", secretSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await setSecret(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").name, c.req.valid("json").value), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/secrets/{name}",
      summary: "Delete a secret",
      description: "Deployments that reference it keep the reference; their next run fails before it starts, naming the secret.",
      middleware: [requireApiKey, developers] as const,
      request: nameParam,
      responses: { 204: { description: "Deleted" }, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      await deleteSecret(c.get("db"), p.workspace.id, principalActor(p), c.req.valid("param").name);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/secrets/{name}/value",
      summary: "Read a secret's value from a run's code",
      description:
        "For `secrets.get(name)` in a run: a run token reads only the secrets its deployment declares (env references and its `secrets:` list), anything else is 404; an owner's or developer's API key reads any. Every read is in the audit log (once per run and secret).",
      middleware: [requireKeyOrRunToken] as const,
      request: nameParam,
      responses: { 200: json("The value", secretValueReadSchema), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      const run = c.get("run");
      if (!run && p.key.role !== "owner" && p.key.role !== "developer") {
        throw new AppError("FORBIDDEN", `An API key with the ${p.key.role} role cannot read a secret's value; a run reads its own with its run token, people with a developer or owner key.`);
      }
      // A run token is a bearer credential that outlives its run: it reads secrets only while its attempt is live (plus the write grace).
      if (run) await assertRunTokenMayWrite(c.get("db").$client, run);
      const reader = run ? { runId: run.runId } : { actor: principalActor(p) };
      return c.json(await readSecretFromCode(c.get("db"), p.workspace.id, reader, c.req.valid("param").name), 200);
    },
  );
}
