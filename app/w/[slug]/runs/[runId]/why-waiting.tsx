import Link from "next/link";
import type { Waiting } from "@/agent/protocol/waiting";

/** "Why is this run waiting?" on a SCHEDULED run: the server's reasons, as they are, with the holders linked. */
export function WhyWaiting({ slug, waiting }: { slug: string; waiting: Waiting }) {
  return (
    <section aria-labelledby="why-waiting" className={`mb-6 rounded-lg border p-4 text-sm ${waiting.claimable ? "border-slate-200 bg-white" : "border-amber-300 bg-amber-50"}`}>
      <h2 id="why-waiting" className="mb-2 font-semibold">
        Why is this run waiting?
      </h2>
      <ul className="flex flex-col gap-2">
        {waiting.reasons.map((reason, i) => (
          <li key={i}>
            <p>{reason.message}</p>
            {reason.holders && reason.holders.length > 0 && (
              <ul aria-label="Runs holding the slots" className="mt-1 flex flex-wrap gap-x-3 text-xs">
                {reason.holders.map((h) => (
                  <li key={h.id}>
                    <Link href={`/w/${slug}/runs/${h.id}`} className="text-sky-800 hover:underline">
                      {h.name}
                    </Link>{" "}
                    <span className="text-slate-500">{h.state.name}</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
