import { z } from "zod";

// Filled in by the logs/task-runs/artifacts/cache work.
export const _placeholder_artifacts = z.never().optional();
