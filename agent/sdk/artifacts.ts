import { currentFlow, currentTask } from "./runtime";

type Common = { key?: string; description?: string };

async function create(type: "markdown" | "table" | "link", data: unknown, common: Common): Promise<{ id: string } | null> {
  const flow = currentFlow();
  if (!flow?.client || !flow.runId) {
    // Run locally: show what would have been published.
    console.log(`[artifact ${type}${common.key ? ` ${common.key}` : ""}] ${JSON.stringify(data)}`);
    return null;
  }
  const taskRunId = currentTask()?.taskRunId ?? undefined;
  // The task run must exist before an artifact names it.
  if (taskRunId) await flow.tasks?.flush();
  return flow.client.request("POST", "/artifacts", { body: { runId: flow.runId, taskRunId, type, data, key: common.key, description: common.description }, tries: 8 });
}

/** Results a flow publishes with its run: markdown reports, tables and links. */
export const artifacts = {
  markdown: (a: Common & { markdown: string }) => create("markdown", { markdown: a.markdown }, a),
  table: (a: Common & { rows: unknown[][] | Record<string, unknown>[]; columns?: string[] }) => create("table", { rows: a.rows, columns: a.columns }, a),
  link: (a: Common & { url: string; title?: string }) => create("link", { url: a.url, title: a.title }, a),
};
