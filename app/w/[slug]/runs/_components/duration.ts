/** "850 ms", "12.3 s", "4m 05s", "2h 03m": durations a person reads at a glance. */
export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, "0")}m` : `${m}m ${String(sec).padStart(2, "0")}s`;
}

/** A run's or task run's duration so far (until now while it runs), or null before it started. */
export function durationOf(startTime: string | null, endTime: string | null, now = Date.now()): number | null {
  if (!startTime) return null;
  return (endTime ? new Date(endTime).getTime() : now) - new Date(startTime).getTime();
}
