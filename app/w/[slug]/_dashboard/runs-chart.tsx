import { STATE_TYPES, type StateType } from "@/agent/protocol/states";
import { stateStyle } from "@/app/_components/state-style";
import type { Bucket } from "@/server/dashboard/workspace-summary";

/** Stacked bars of runs per bucket by state type, as SVG; every bar has a title with its counts. */
export function RunsChart({ label, buckets, format }: { label: string; buckets: Bucket[]; format: (iso: string) => string }) {
  const totals = buckets.map((b) => Object.values(b.counts).reduce((s, n) => s + (n ?? 0), 0));
  const max = Math.max(1, ...totals);
  const width = 600;
  const height = 120;
  const gap = 2;
  const barWidth = width / buckets.length - gap;
  return (
    <figure>
      <svg role="img" aria-label={`${label}: ${totals.reduce((a, b) => a + b, 0)} runs`} viewBox={`0 0 ${width} ${height + 16}`} className="w-full">
        {buckets.map((b, i) => {
          let y = height;
          const x = i * (barWidth + gap);
          const parts = STATE_TYPES.filter((t) => b.counts[t]).map((t: StateType) => {
            const h = ((b.counts[t] ?? 0) / max) * height;
            y -= h;
            return <rect key={t} x={x} y={y} width={barWidth} height={h} fill={stateStyle(t).stroke} />;
          });
          const summary = STATE_TYPES.filter((t) => b.counts[t]).map((t) => `${b.counts[t]} ${t.toLowerCase()}`).join(", ") || "no runs";
          return (
            <g key={b.start}>
              <title>{`${format(b.start)}: ${summary}`}</title>
              <rect x={x} y={0} width={barWidth} height={height} fill="transparent" />
              {parts}
            </g>
          );
        })}
        <text x={0} y={height + 13} fontSize="10" fill="#64748b">{format(buckets[0].start)}</text>
        <text x={width} y={height + 13} fontSize="10" fill="#64748b" textAnchor="end">{format(buckets[buckets.length - 1].start)}</text>
      </svg>
      <figcaption className="mt-2 flex flex-wrap gap-3 text-xs text-slate-600">
        {STATE_TYPES.map((t) => (
          <span key={t} className="flex items-center gap-1">
            <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: stateStyle(t).stroke }} />
            {t.charAt(0) + t.slice(1).toLowerCase()}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
