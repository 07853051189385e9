import { describe, expect, it } from "vitest";
import { buildFormModel, collectParameters, initialValues, mapServerErrors } from "../app/w/[slug]/deployments/[id]/parameter-form/form-model";
import { validateParameters } from "../server/deployments/validate-parameters";
import { AppError } from "../server/errors";

const schema = {
  type: "object",
  required: ["dataset", "options"],
  properties: {
    dataset: { type: "string", title: "Dataset", description: "Which data to train on" },
    epochs: { type: "integer", default: 10, minimum: 1 },
    rate: { type: "number" },
    dryRun: { type: "boolean", default: true },
    mode: { type: "string", enum: ["fast", "full"], default: "fast" },
    level: { enum: [1, 2, 3] },
    since: { type: "string", format: "date" },
    at: { type: "string", format: "date-time" },
    tags: { type: "array", items: { type: "string" }, default: ["a", "b"] },
    sizes: { type: "array", items: { type: "integer" } },
    options: {
      type: "object",
      required: ["path"],
      properties: { path: { type: "string", default: "/data" }, depth: { type: "integer" } },
    },
    extra: { type: "object" },
  },
};

const model = buildFormModel(schema);
const byPath = (p: string) => {
  const walk = (fs: typeof model): (typeof model)[number] | undefined => fs.flatMap((f) => [f, ...(f.fields ?? [])]).find((f) => f.path === p);
  return walk(model)!;
};

describe("JSON Schema → form model", () => {
  it("one field per property with its kind, label, description and whether it is required", () => {
    // Stored schemas come back from jsonb with their keys reordered: required first, then alphabetical.
    expect(model.map((f) => [f.path, f.kind, f.required])).toEqual([
      ["dataset", "string", true],
      ["options", "object", true],
      ["at", "date-time", false],
      ["dryRun", "boolean", false],
      ["epochs", "integer", false],
      ["extra", "json", false],
      ["level", "enum", false],
      ["mode", "enum", false],
      ["rate", "number", false],
      ["since", "date", false],
      ["sizes", "array", false],
      ["tags", "array", false],
    ]);
    expect(byPath("dataset")).toMatchObject({ label: "Dataset", description: "Which data to train on" });
    expect(byPath("mode").options).toEqual(["fast", "full"]);
    expect(byPath("sizes").itemKind).toBe("integer");
    expect(byPath("options").fields!.map((f) => [f.path, f.kind, f.required])).toEqual([
      ["options.path", "string", true],
      ["options.depth", "integer", false],
    ]);
  });

  it("x-order puts properties in the author's order", () => {
    const m = buildFormModel({ type: "object", properties: { b: { type: "string", "x-order": 2 }, a: { type: "string", "x-order": 3 }, c: { type: "string", "x-order": 1 } } });
    expect(m.map((f) => f.key)).toEqual(["c", "b", "a"]);
  });

  it("nullable types use their non-null type", () => {
    expect(buildFormModel({ type: "object", properties: { n: { type: ["null", "number"] } } })[0].kind).toBe("number");
  });

  it("defaults: the deployment's parameters over the schema's, nested ones included", () => {
    const values = initialValues(model, schema, { epochs: 20, options: { depth: 3 } });
    expect(values).toMatchObject({ dataset: "", epochs: "20", rate: "", dryRun: true, mode: '"fast"', level: "", tags: "a\nb", "options.path": "/data", "options.depth": "3" });
  });

  it("without a schema, the default parameters give the fields", () => {
    const m = buildFormModel(null, { region: "eu", size: 2, verbose: false, files: ["x"], cfg: { a: 1 } });
    expect(m.map((f) => [f.path, f.kind])).toEqual([
      ["region", "string"],
      ["size", "integer"],
      ["verbose", "boolean"],
      ["files", "array"],
      ["cfg", "json"],
    ]);
    expect(collectParameters(m, initialValues(m, null, { region: "eu", size: 2, verbose: false, files: ["x"], cfg: { a: 1 } })).parameters).toEqual({
      region: "eu",
      size: 2,
      verbose: false,
      files: ["x"],
      cfg: { a: 1 },
    });
  });
});

describe("form values → parameters", () => {
  const valid = {
    ...initialValues(model, schema),
    dataset: "taxi",
    rate: "0.5",
    level: "2",
    since: "2026-05-01",
    at: "2026-05-01T09:00:00Z",
    tags: "x\ny\n\n",
    sizes: "1\n 2 ",
    extra: '{"k": [1]}',
  };

  it("typed values; empty optional fields left out; arrays one item per line; nested objects", () => {
    const { parameters, errors } = collectParameters(model, valid);
    expect(errors).toEqual({});
    expect(parameters).toEqual({
      dataset: "taxi",
      epochs: 10,
      rate: 0.5,
      dryRun: true,
      mode: "fast",
      level: 2,
      since: "2026-05-01",
      at: "2026-05-01T09:00:00Z",
      tags: ["x", "y"],
      sizes: [1, 2],
      options: { path: "/data" },
      extra: { k: [1] },
    });
    // What the form produces passes the server's own validation.
    expect(() => validateParameters(schema, parameters)).not.toThrow();
  });

  it("required fields missing, nested ones too", () => {
    const { errors } = collectParameters(model, { ...valid, dataset: "  ", "options.path": "" });
    expect(errors).toEqual({ dataset: "Required.", "options.path": "Required." });
  });

  it("wrong types, per field", () => {
    const { errors } = collectParameters(model, { ...valid, epochs: "abc", rate: "1,5", since: "May 1", at: "2026-05-01 09:00", sizes: "1\nthree", extra: "{nope", "options.depth": "2.5" });
    expect(errors).toEqual({
      epochs: "Must be a whole number.",
      rate: "Must be a number.",
      since: "Must be a date (YYYY-MM-DD).",
      at: "Must be a date and time with a zone, e.g. 2026-05-01T09:00:00Z.",
      sizes: "Line 2: must be a whole number.",
      extra: "Must be valid JSON.",
      "options.depth": "Must be a whole number.",
    });
  });

  it("unchecked boolean is false; an enum value must be one of the options", () => {
    const { parameters, errors } = collectParameters(model, { ...valid, dryRun: false, mode: '"slow"' });
    expect(parameters.dryRun).toBe(false);
    expect(errors).toEqual({ mode: "Must be one of fast, full." });
  });
});

describe("server errors → fields", () => {
  it("maps the 422 details of the server's validator onto the fields", () => {
    let details: Record<string, string[]> = {};
    try {
      validateParameters(schema, { epochs: 0, options: { depth: "deep" }, tags: ["ok", 3] });
    } catch (err) {
      details = (err as AppError).details!.fieldErrors as Record<string, string[]>;
    }
    const { fields, form } = mapServerErrors(model, details);
    expect(fields).toEqual({
      dataset: "Is required.",
      epochs: "Must be >= 1.",
      "options.path": "Is required.",
      "options.depth": "Must be integer.",
      tags: "Item 2: must be string.",
    });
    expect(form).toEqual([]);
  });

  it("errors about no field, or the whole object, are form errors", () => {
    expect(mapServerErrors(model, { "": ["must NOT have additional properties"], unknown: ["is odd"] })).toEqual({
      fields: {},
      form: ["Parameters must NOT have additional properties", "unknown is odd"],
    });
  });
});
