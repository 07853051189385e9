import { describe, expect, it } from "vitest";
import { SecretMasker } from "../agent/agent/mask-secrets";

describe("masking a run's secrets in what the agent sends", () => {
  it("masks each value, its JSON-escaped and URL-encoded forms, longest first", () => {
    const m = SecretMasker.forRun({ env: { A: 'p@ss "word"/1', B: "p@ss", C: "not-secret" }, secretEnv: ["A", "B"] });
    expect(m.mask('login p@ss "word"/1 then p@ss')).toBe("login *** then ***");
    expect(m.mask(JSON.stringify({ pw: 'p@ss "word"/1' }))).toBe('{"pw":"***"}');
    expect(m.mask(`https://x.test/?pw=${encodeURIComponent('p@ss "word"/1')}`)).toBe("https://x.test/?pw=***");
    expect(m.mask("not-secret stays")).toBe("not-secret stays");
  });

  it("masks each line of a multi-line value printed line by line (a PEM key); short lines and values split by the program are not caught", () => {
    const pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQEFAASCBKcwggSjAgEAAoIB\n-----END KEY-----";
    const m = new SecretMasker([pem]);
    expect(pem.split("\n").map((l) => m.mask(l))).toEqual(["***", "***", "***", "***"]);
    const split = new SecretMasker(["abcdef123456"]);
    expect(split.mask("abcdef")).toBe("abcdef");
  });

  it("a secret read from code is masked from then on", () => {
    const m = new SecretMasker([]);
    expect(m.mask("token t0k3n-value")).toBe("token t0k3n-value");
    m.add("t0k3n-value");
    expect(m.mask("token t0k3n-value")).toBe("token ***");
  });
});
