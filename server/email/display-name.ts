import { z } from "zod";
import { SINGLE_LINE } from "../../emails/_shared/fields";

/**
 * A person's or workspace's name. Names land in mail subjects and headers, whose templates refuse
 * control characters (emails/_shared/fields.ts); checking the same rule at input keeps a name the
 * mail step would refuse from being committed in the first place.
 */
export function displayNameSchema({ max, required }: { max: number; required?: string }) {
  const name = z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters.`)
    .regex(SINGLE_LINE, "Use a single line of plain text: no line breaks, tabs or other control characters.");
  return required ? name.min(1, required) : name;
}

export const personNameSchema = displayNameSchema({ max: 100 });
export const workspaceNameSchema = displayNameSchema({ max: 80, required: "Give the workspace a name." });
