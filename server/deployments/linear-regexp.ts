import type { Ajv, Format } from "ajv";
import type { RegExpEngine, RegExpLike } from "ajv/dist/types";
import { fullFormats } from "ajv-formats/dist/formats.js";
import { RE2JS } from "re2js";

/**
 * Regular expressions in a deployment's parameter schema are written by users and run on the
 * request thread: a backtracking engine lets `^(a+)+$` and a 40-character value block the event
 * loop for every workspace. RE2 runs in time linear in the input; what it cannot express
 * (backreferences, lookaround) is refused when the schema is saved.
 */
export function compileLinear(source: string, flags = ""): RegExpLike {
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source), flags.includes("i") ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    throw new Error(
      `the pattern "${source}" cannot be used (${(err as Error).message}). Patterns must not use backreferences or lookahead/lookbehind; rewrite it without them.`,
    );
  }
  // Ajv keys compiled patterns by toString(): without it every pattern would share one entry.
  return { test: (s: string) => re.test(s), toString: () => `/${source}/${flags}` } as RegExpLike;
}

/** Ajv's `code.regExp` option: every `pattern` and `patternProperties` key goes through RE2. */
export const linearRegExp: RegExpEngine = Object.assign((pattern: string, flags: string) => compileLinear(pattern, flags), {
  code: "compileLinear",
});

function linear(rx: RegExp): RegExpLike {
  return compileLinear(rx.source, rx.flags);
}

function sourceOf(name: string): RegExp {
  const f = (fullFormats as Record<string, Format>)[name];
  if (!(f instanceof RegExp)) throw new Error(`ajv-formats' "${name}" format is no longer a RegExp; revisit linear-regexp.ts`);
  return f;
}

function without(rx: RegExp, parts: string[]): RegExp {
  let source = rx.source;
  for (const p of parts) {
    if (!source.includes(p)) throw new Error(`ajv-formats' format /${rx.source}/ changed; revisit linear-regexp.ts`);
    source = source.replace(p, "");
  }
  return new RegExp(source, rx.flags);
}

// Three of ajv-formats' regexes use lookaround, which RE2 lacks; each is rewritten as an RE2
// regex plus a plain check. `url` loses dperini's "no private IPv4 host" lookaheads: a schema
// format says what a URL looks like, not where it may point (its regex took 12 s on 100 kB).
const duration = linear(without(sourceOf("duration"), ["(?!$)", "(?=\\d)"]));
const hostname = linear(without(sourceOf("hostname"), ["(?=.{1,253}\\.?$)"]));
const url = linear(
  without(sourceOf("url"), [
    "(?!(?:10|127)(?:\\.\\d{1,3}){3})",
    "(?!(?:169\\.254|192\\.168)(?:\\.\\d{1,3}){2})",
    "(?!172\\.(?:1[6-9]|2\\d|3[0-1])(?:\\.\\d{1,3}){2})",
  ]),
);
const rewritten: Record<string, (s: string) => boolean> = {
  duration: (s) => s !== "P" && !s.endsWith("T") && duration.test(s),
  hostname: (s) => (s.length <= 253 || (s.length === 254 && s.endsWith("."))) && s.length > 0 && hostname.test(s),
  url: (s) => url.test(s),
};

/**
 * ajv-formats' formats with every regex run by RE2. The formats that are functions (dates, times,
 * `uri`, `byte`, `regex`) use anchored regexes without nested quantifiers, linear in V8, and stay.
 */
export function addLinearFormats(ajv: Ajv) {
  for (const [name, format] of Object.entries(fullFormats as Record<string, Format>)) {
    if (rewritten[name]) ajv.addFormat(name, rewritten[name]);
    else if (format instanceof RegExp) ajv.addFormat(name, linear(format).test);
    else if (typeof format === "object" && format.validate instanceof RegExp) ajv.addFormat(name, { ...format, validate: linear(format.validate).test } as Format);
    else ajv.addFormat(name, format);
  }
}
