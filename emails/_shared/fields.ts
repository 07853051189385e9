import { z } from "zod";

/** Names and labels land in subjects and headers: one line, no control characters. */
export const SINGLE_LINE = /^[^\p{Cc}]*$/u;

export const singleLine = (max: number) => z.string().trim().min(1).max(max).regex(SINGLE_LINE, "must be a single line of text");

/** Links in our mail point at the app, never at javascript: or data: URLs. */
export const link = z.url({ protocol: /^https?$/ });

export function pluralize(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}
