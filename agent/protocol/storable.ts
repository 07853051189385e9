import { z } from "zod";

/**
 * What Postgres and our JSON handling can hold, checked at the edge so that odd input is a 4xx
 * naming the field instead of a database error (a 500): text and jsonb cannot hold U+0000, a
 * uuid column only hex digits, timestamptz only years 1 to 294276, int columns 32 bits.
 */

/** 8-4-4-4-12 hexadecimal digits: what a uuid column accepts (36 dashes are not an id). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Deeper JSON than this is refused anywhere in a request: nothing we store needs it, and deep values overflow recursive code. */
export const MAX_JSON_DEPTH = 64;

export const MAX_INT32 = 2 ** 31 - 1;

/**
 * The first place in a parsed JSON value that cannot be stored: a string or key with U+0000, or
 * nesting deeper than MAX_JSON_DEPTH. Iterative, so a 100,000-deep value cannot overflow the stack.
 */
export function findUnstorable(value: unknown, opts: { allowNul?: boolean } = {}): { path: string; problem: string } | null {
  type Node = { v: unknown; depth: number; key: string; parent: Node | null };
  const pathOf = (n: Node | null, last?: string) => {
    const keys = last === undefined ? [] : [last];
    for (let p = n; p && p.parent; p = p.parent) keys.unshift(p.key);
    return keys.join(".");
  };
  const stack: Node[] = [{ v: value, depth: 0, key: "", parent: null }];
  while (stack.length) {
    const n = stack.pop()!;
    if (typeof n.v === "string") {
      if (!opts.allowNul && n.v.includes("\u0000")) return { path: pathOf(n), problem: "contains a NUL character (\\u0000), which cannot be stored; remove it" };
      continue;
    }
    if (n.v === null || typeof n.v !== "object") continue;
    if (n.depth >= MAX_JSON_DEPTH) return { path: pathOf(n), problem: `nests deeper than ${MAX_JSON_DEPTH} levels; flatten it` };
    for (const [k, child] of Object.entries(n.v)) {
      if (!opts.allowNul && k.includes("\u0000")) return { path: pathOf(n, k.replaceAll("\u0000", "\\u0000")), problem: "has a key with a NUL character (\\u0000), which cannot be stored; rename it" };
      stack.push({ v: child, depth: n.depth + 1, key: k, parent: n });
    }
  }
  return null;
}

/** An ISO 8601 time with offset, within what timestamptz holds (JavaScript reaches year 275760; we stop at 9999). */
export const isoTimestampSchema = z.iso.datetime({ offset: true }).refine(
  (s) => {
    const year = new Date(s).getUTCFullYear();
    return year >= 1 && year <= 9999;
  },
  { message: "Must be a time between year 1 and 9999, e.g. 2026-01-31T09:00:00Z." },
);
