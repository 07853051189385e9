import { z } from "zod";

export const ARTIFACT_TYPES = ["markdown", "table", "link"] as const;
export const artifactTypeSchema = z.enum(ARTIFACT_TYPES).meta({ id: "ArtifactType" });

export const markdownArtifactDataSchema = z.object({ markdown: z.string() }).meta({ id: "MarkdownArtifactData" });

export const tableArtifactDataSchema = z
  .object({
    columns: z.array(z.string()).max(1000).optional(),
    rows: z.array(z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())])).meta({ description: "Each row an array (in column order) or an object keyed by column" }),
  })
  .meta({ id: "TableArtifactData" });

export const linkArtifactDataSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "Use an http or https URL" }),
    title: z.string().max(500).optional(),
  })
  .meta({ id: "LinkArtifactData" });

const artifactFields = {
  runId: z.uuid().optional().meta({ description: "Defaults to the run token's run" }),
  taskRunId: z.uuid().optional(),
  key: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,199}$/, "Use lowercase letters, digits, dashes or underscores (up to 200), starting with a letter or digit")
    .optional()
    .meta({ description: "Artifacts with the same key form a history (GET /artifacts?key=…)" }),
  description: z.string().max(5000).optional(),
};

export const artifactCreateSchema = z
  .discriminatedUnion("type", [
    z.object({ ...artifactFields, type: z.literal("markdown"), data: markdownArtifactDataSchema }),
    z.object({ ...artifactFields, type: z.literal("table"), data: tableArtifactDataSchema }),
    z.object({ ...artifactFields, type: z.literal("link"), data: linkArtifactDataSchema }),
  ])
  .meta({ id: "ArtifactCreate" });

export type ArtifactCreate = z.infer<typeof artifactCreateSchema>;

export const artifactSchema = z
  .object({
    id: z.uuid(),
    runId: z.uuid().nullable(),
    taskRunId: z.uuid().nullable(),
    key: z.string().nullable(),
    type: artifactTypeSchema,
    description: z.string().nullable(),
    data: z.unknown(),
    createdAt: z.string(),
  })
  .meta({ id: "Artifact" });

export type Artifact = z.infer<typeof artifactSchema>;

export const artifactListSchema = z
  .object({ artifacts: z.array(artifactSchema), nextCursor: z.string().nullable() })
  .meta({ id: "ArtifactList" });

export const artifactListQuerySchema = z.object({
  after: z.uuid().optional().meta({ description: "The nextCursor of an earlier page" }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const artifactHistoryQuerySchema = z.object({
  key: z.string().min(1).max(200),
  after: z.uuid().optional().meta({ description: "The nextCursor of an earlier page" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
