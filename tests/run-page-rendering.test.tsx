import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { layoutDag } from "../app/w/[slug]/runs/[runId]/graph-layout";
import { SafeMarkdown } from "../app/w/[slug]/runs/[runId]/safe-markdown";
import { WhyWaiting } from "../app/w/[slug]/runs/[runId]/why-waiting";
import { formatDuration } from "../app/w/[slug]/runs/_components/duration";
import { SuccessSparkline } from "../app/w/[slug]/deployments/[id]/success-sparkline";

describe("run page helpers", () => {
  it("shows why a run waits: each reason as the server wrote it, holders linked to their runs", () => {
    const holder = { id: "0193d1a0-0000-7000-8000-000000000001", name: "brave-otter", state: { type: "RUNNING" as const, name: "Running" }, workPool: "gpu" };
    const html = renderToStaticMarkup(
      <WhyWaiting
        slug="team"
        waiting={{
          claimable: false,
          summary: "x",
          reasons: [
            { kind: "tag_limit_full", tag: "gpu", limit: 1, holders: [holder], message: 'Tag "gpu" is at its concurrency limit (1 of 1), held by brave-otter.' },
            { kind: "no_agent_online", pool: "gpu", lastSeenAt: null, lastAgent: null, message: 'No agent of pool "gpu" is online; none has ever joined it.' },
          ],
        }}
      />,
    );
    expect(html).toContain("Why is this run waiting?");
    expect(html).toContain("Tag &quot;gpu&quot; is at its concurrency limit (1 of 1), held by brave-otter.");
    expect(html).toContain(`href="/w/team/runs/${holder.id}"`);
    expect(html).toContain("No agent of pool &quot;gpu&quot; is online");
  });

  it("lays a task DAG out in layers by longest path, edges left to right", () => {
    const { nodes, edges } = layoutDag([
      { id: "extract", upstream: [] },
      { id: "double", upstream: ["extract"] },
      { id: "square", upstream: ["extract"] },
      { id: "total", upstream: ["double", "square", "extract"] },
      { id: "orphan-edge", upstream: ["not-in-this-run"] },
    ]);
    expect(Object.fromEntries([...nodes.values()].map((n) => [n.id, n.layer]))).toEqual({ extract: 0, double: 1, square: 1, total: 2, "orphan-edge": 0 });
    expect(edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(["double>total", "extract>double", "extract>square", "extract>total", "square>total"]);
    expect(edges.every((e) => e.points[0] < e.points[2])).toBe(true);
    expect(nodes.get("double")!.y).not.toBe(nodes.get("square")!.y);
  });

  it("survives a cycle without hanging", () => {
    const { nodes } = layoutDag([
      { id: "a", upstream: ["b"] },
      { id: "b", upstream: ["a"] },
    ]);
    expect(nodes.size).toBe(2);
  });

  it("renders markdown artifacts as elements: raw HTML stays text, only http(s)/mailto links", () => {
    const html = renderToStaticMarkup(
      <SafeMarkdown
        source={[
          "# total 50",
          "Some **bold** and `code` <script>alert(1)</script> <img src=x onerror=alert(1)>",
          "- [docs](https://example.com/docs)",
          "- [bad](javascript:alert(1))",
          "",
          "| model | rmse |",
          "| --- | --- |",
          "| a | 1.5 |",
        ].join("\n")}
      />,
    );
    expect(html).toContain("<h2");
    expect(html).toContain(">total 50</h2>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain('href="https://example.com/docs"');
    expect(html).not.toContain("javascript:alert(1)\"");
    expect(html).not.toMatch(/href="javascript/);
    expect(html).toContain("<td class=\"border-b border-slate-100 px-2 py-1\">1.5</td>");
  });

  it("formats durations for people", () => {
    expect([850, 12_300, 245_000, 7_380_000].map(formatDuration)).toEqual(["850 ms", "12 s", "4m 05s", "2h 03m"]);
    expect(formatDuration(3_400)).toBe("3.4 s");
  });

  it("the deployment's success rate leaves out runs the catch-up policy skipped", () => {
    const run = (id: string, type: "COMPLETED" | "FAILED" | "CANCELLED", name: string) => ({ id, name: id, state: { type, name } });
    const html = renderToStaticMarkup(
      <SuccessSparkline runs={[run("a", "COMPLETED", "Completed"), run("b", "CANCELLED", "Skipped"), run("c", "CANCELLED", "Skipped"), run("d", "FAILED", "Failed")]} />,
    );
    expect(html).toContain("Success rate 50%: 1 of the last 2 finished runs completed");
  });
});
