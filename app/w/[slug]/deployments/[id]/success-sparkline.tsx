import type { StateType } from "@/agent/protocol/states";
import { stateStyle } from "@/app/_components/state-style";

type Run = { id: string; name: string; state: { type: StateType; name: string } };
const FINISHED: StateType[] = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];

/**
 * The success rate of the finished runs (oldest on the left; Skipped ones left out): a line of the rate over the last
 * five runs, and a dot per run in its state's colour. The figure is written out beside it.
 */
export function SuccessSparkline({ runs }: { runs: Run[] }) {
  // A run the catch-up policy skipped never ran: it says nothing about success.
  const finished = runs.filter((r) => FINISHED.includes(r.state.type) && r.state.name !== "Skipped").reverse();
  if (finished.length === 0) return <p className="text-slate-500">No finished runs yet.</p>;
  const ok = finished.filter((r) => r.state.type === "COMPLETED").length;
  const rate = Math.round((ok / finished.length) * 100);
  const w = 200;
  const h = 36;
  const x = (i: number) => (finished.length === 1 ? w / 2 : 4 + (i * (w - 8)) / (finished.length - 1));
  const rolling = finished.map((_, i) => {
    const win = finished.slice(Math.max(0, i - 4), i + 1);
    return win.filter((r) => r.state.type === "COMPLETED").length / win.length;
  });
  const y = (v: number) => 4 + (1 - v) * (h - 12);
  const label = `Success rate ${rate}%: ${ok} of the last ${finished.length} finished runs completed`;
  return (
    <div className="flex items-center gap-3">
      <svg role="img" aria-label={label} width={w} height={h} viewBox={`0 0 ${w} ${h}`} className="overflow-visible">
        <title>{label}</title>
        <polyline fill="none" stroke="#94a3b8" strokeWidth="1.5" points={rolling.map((v, i) => `${x(i)},${y(v)}`).join(" ")} />
        {finished.map((r, i) => (
          <circle key={r.id} cx={x(i)} cy={h - 3} r="2.5" fill={stateStyle(r.state.type, r.state.name).stroke}>
            <title>{`${r.name}: ${r.state.name}`}</title>
          </circle>
        ))}
      </svg>
      <span className="text-sm text-slate-700">
        <span className="font-semibold">{rate}%</span> succeeded ({ok} of {finished.length})
      </span>
    </div>
  );
}
