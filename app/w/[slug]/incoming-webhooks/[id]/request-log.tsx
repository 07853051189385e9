"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { RelativeTime } from "@/app/_components/relative-time";
import { Alert, Badge, Button, EmptyState, Table, Td, Th } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import type { IncomingWebhookRequestView } from "@/agent/protocol/incoming-webhooks";

const OUTCOMES: Record<IncomingWebhookRequestView["outcome"], { label: string; tone: "green" | "slate" | "amber" | "red" }> = {
  run_created: { label: "Run created", tone: "green" },
  duplicate: { label: "Duplicate delivery", tone: "slate" },
  refused_template: { label: "Refused by the template", tone: "red" },
  refused_parameters: { label: "Refused by the schema", tone: "red" },
  refused_signature: { label: "Bad signature", tone: "red" },
  refused_body: { label: "Bad body", tone: "red" },
  rate_limited: { label: "Rate-limited", tone: "amber" },
  disabled: { label: "Endpoint disabled", tone: "slate" },
  failed: { label: "Failed", tone: "red" },
};

/** The endpoint's last calls, newest first, each with what Baton did and the run it started. Refreshes every few seconds. */
export function RequestLog({ slug, endpointId }: { slug: string; endpointId: string }) {
  const trpc = useTRPC();
  const log = useInfiniteQuery(
    trpc.incomingWebhooks.requests.infiniteQueryOptions(
      { workspace: slug, id: endpointId, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval: 5_000 },
    ),
  );
  const rows = log.data?.pages.flatMap((p) => p.requests) ?? [];
  return (
    <section aria-labelledby="request-log-title">
      <h2 id="request-log-title" className="mb-3 text-base font-semibold">
        Request log
      </h2>
      {log.isError && <Alert>{log.error.message}</Alert>}
      {log.isPending ? (
        <p className="text-slate-500">Loading…</p>
      ) : rows.length === 0 ? (
        <EmptyState title="No calls yet">Calls to the URL appear here with their body and outcome; the last 500 are kept.</EmptyState>
      ) : (
        <Table label="Request log">
          <thead>
            <tr>
              <Th>Received</Th>
              <Th>Outcome</Th>
              <Th>Run</Th>
              <Th>Request</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const o = OUTCOMES[r.outcome];
              return (
                <tr key={r.id}>
                  <Td className="whitespace-nowrap align-top">
                    <RelativeTime value={r.receivedAt} />
                  </Td>
                  <Td className="align-top">
                    <Badge tone={o.tone}>{o.label}</Badge> <span className="text-xs text-slate-500">{r.status}</span>
                    {r.message && <p className="mt-1 max-w-md text-sm text-slate-700">{r.message}</p>}
                  </Td>
                  <Td className="align-top">
                    {r.runId ? (
                      <Link href={`/w/${slug}/runs/${r.runId}`} className="font-mono text-sm text-sky-800 hover:underline">
                        View run
                      </Link>
                    ) : (
                      <span className="text-slate-500">None</span>
                    )}
                  </Td>
                  <Td className="align-top">
                    <details>
                      <summary className="cursor-pointer text-sm">
                        {r.bodyBytes.toLocaleString("en-US")} bytes{r.deliveryId ? `, delivery ${r.deliveryId}` : ""}
                      </summary>
                      <pre className="mt-2 max-h-64 max-w-xl overflow-auto rounded bg-slate-50 p-2 font-mono text-xs">{r.body}</pre>
                      {r.bodyTruncated && <p className="text-xs text-slate-500">The first 8 KiB shown.</p>}
                      <pre className="mt-2 max-h-40 max-w-xl overflow-auto rounded bg-slate-50 p-2 font-mono text-xs">
                        {Object.entries(r.headers)
                          .map(([k, v]) => `${k}: ${v}`)
                          .join("\n")}
                      </pre>
                    </details>
                  </Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
      {log.hasNextPage && (
        <div className="mt-3">
          <Button variant="secondary" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            Older calls
          </Button>
        </div>
      )}
    </section>
  );
}
