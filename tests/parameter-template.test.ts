import { describe, expect, it } from "vitest";
import { checkParameterTemplate, ParameterTemplateError, renderParameterTemplate, templatedKeys } from "@/server/runs/parameter-template";
import { validateParameterTemplate } from "@/server/deployments/validate-parameters";

const RUN_ROOTS = ["run", "flow", "deployment", "automation"] as const;

describe("parameter templates", () => {
  it("keeps the type of a whole placeholder and writes text inside other text", () => {
    const t = checkParameterTemplate({ date: "{{ run.parameters.date }}", epochs: "{{run.parameters.epochs}}", note: "after {{ run.name }} ({{ run.parameters.epochs }})", opts: { from: "{{ run.id }}" }, fixed: true }, RUN_ROOTS);
    const out = renderParameterTemplate(t, { run: { id: "r1", name: "daring-lemur", parameters: { date: "2026-12-01", epochs: 3 } } });
    expect(out).toEqual({ date: "2026-12-01", epochs: 3, note: "after daring-lemur (3)", opts: { from: "r1" }, fixed: true });
  });

  it("reads array items by index and lower-case header names", () => {
    const out = renderParameterTemplate({ sha: "{{ body.commits.0.id }}", event: "{{ headers.x-github-event }}" }, { body: { commits: [{ id: "abc" }] }, headers: { "x-github-event": "push" } });
    expect(out).toEqual({ sha: "abc", event: "push" });
  });

  it("refuses a placeholder that names nothing, saying which", () => {
    expect(() => renderParameterTemplate({ date: "{{ run.parameters.date }}" }, { run: { parameters: {} } })).toThrow(/\{\{ run\.parameters\.date \}\} \(in date\) has no value/);
  });

  it("refuses unknown roots, bad paths, unbalanced braces and non-objects when saved", () => {
    expect(() => checkParameterTemplate({ a: "{{ body.x }}" }, RUN_ROOTS)).toThrow(/starts with "body", which is not available here: use \{\{ run\.… \}\}/);
    expect(() => checkParameterTemplate({ a: "{{ run..x }}" }, RUN_ROOTS)).toThrow(/is not a path/);
    expect(() => checkParameterTemplate({ a: "{{ run.id }" }, RUN_ROOTS)).toThrow(/Unbalanced braces in a/);
    expect(() => checkParameterTemplate(["x"], RUN_ROOTS)).toThrow(ParameterTemplateError);
    expect(() => checkParameterTemplate({ big: "x".repeat(20_000) }, RUN_ROOTS)).toThrow(/the limit is 16,384/);
  });

  it("checks literals and required parameters against the target's schema, leaving placeholders for when it fires", () => {
    const schema = { type: "object", properties: { date: { type: "string" }, epochs: { type: "integer" } }, required: ["date", "epochs"] };
    const ok = { date: "{{ run.parameters.date }}", epochs: 3 };
    expect(() => validateParameterTemplate(schema, {}, ok, templatedKeys(ok))).not.toThrow();
    const wrong = { date: "{{ run.parameters.date }}", epochs: "three" };
    expect(() => validateParameterTemplate(schema, {}, wrong, templatedKeys(wrong))).toThrow(/does not fit the deployment's schema: epochs must be integer/);
    const missing = { date: "{{ run.parameters.date }}" };
    expect(() => validateParameterTemplate(schema, {}, missing, templatedKeys(missing))).toThrow(/epochs is required/);
    expect(() => validateParameterTemplate(schema, { epochs: 5 }, missing, templatedKeys(missing))).not.toThrow();
  });
});
