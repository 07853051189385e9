import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { FlowRun } from "../agent/protocol/runs";
import { LineageView } from "../app/w/[slug]/runs/[runId]/run-lineage";

const run = (over: Partial<FlowRun>): FlowRun => ({
  id: "0193d1a0-0000-7000-8000-000000000000",
  name: "brave-otter",
  flowId: "0193d1a0-0000-7000-8000-0000000000f0",
  flowName: "train-model",
  deploymentId: "0193d1a0-0000-7000-8000-0000000000d0",
  deploymentName: "gpu",
  workPool: "default",
  parameters: {},
  tags: [],
  state: { type: "COMPLETED", name: "Completed", message: null, timestamp: "2026-01-01T00:00:00.000Z" },
  scheduledTime: "2026-01-01T00:00:00.000Z",
  startTime: null,
  endTime: null,
  attempt: 1,
  agentId: null,
  idempotencyKey: null,
  sourceCommit: null,
  createdBy: null,
  parentRunId: null,
  origin: null,
  triggeredByRunId: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  ...over,
});
const none = { parent: null, children: [], triggered: [] };
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("the run page's lineage panel", () => {
  it("shows nothing for a run with no parent, origin, children or triggered runs", () => {
    expect(renderToStaticMarkup(<LineageView slug="team" run={{ origin: null }} lineage={none} />)).toBe("");
  });

  it("a child links its parent; a parent lists its children with their states and messages", () => {
    const parent = run({ id: "0193d1a0-0000-7000-8000-00000000000a", name: "calm-heron", flowName: "ml-pipeline", deploymentName: "nightly", state: { type: "RUNNING", name: "Running", message: null, timestamp: "2026-01-01T00:00:00.000Z" } });
    const html = renderToStaticMarkup(<LineageView slug="team" run={{ origin: null }} lineage={{ ...none, parent }} />);
    expect(text(html)).toContain("Child of calm-heron Running ml-pipeline/nightly");
    expect(html).toContain(`href="/w/team/runs/${parent.id}"`);

    const failed = run({ id: "0193d1a0-0000-7000-8000-00000000000b", name: "quick-lynx", state: { type: "FAILED", name: "Failed", message: "ValueError: no data", timestamp: "2026-01-01T00:00:00.000Z" } });
    const list = renderToStaticMarkup(<LineageView slug="team" run={{ origin: null }} lineage={{ ...none, children: [run({}), failed] }} />);
    expect(text(list)).toContain("Children (2)");
    expect(list).toContain('aria-label="Child runs"');
    expect(text(list)).toContain("quick-lynx Failed train-model/gpu");
    expect(text(list)).toContain("ValueError: no data");
    expect(list).toContain('data-state-type="COMPLETED"');
  });

  it("names the automation (and the run and event) or the webhook that started a run, and the runs it started", () => {
    const origin = { kind: "automation" as const, automationId: "0193d1a0-0000-7000-8000-0000000000a1", automationName: "retrain on success", event: "Completed", runId: "0193d1a0-0000-7000-8000-00000000000c", runName: "wise-owl", depth: 1 };
    const html = renderToStaticMarkup(<LineageView slug="team" run={{ origin }} lineage={{ ...none, triggered: [run({ name: "next-step" })] }} />);
    expect(text(html)).toContain("Started by automation retrain on success after run wise-owl Completed");
    expect(html).toContain(`href="/w/team/automations/${origin.automationId}"`);
    expect(html).toContain(`href="/w/team/runs/${origin.runId}"`);
    expect(text(html)).toContain("Started these runs (1)");
    expect(text(html)).toContain("next-step");

    const hook = renderToStaticMarkup(<LineageView slug="team" run={{ origin: { kind: "webhook", endpointId: "e", endpointName: "github push", requestId: "r" } }} lineage={none} />);
    expect(text(hook)).toContain("Started by incoming webhook github push");
    expect(hook).toContain(`href="/w/team/incoming-webhooks/e"`);
  });
});
