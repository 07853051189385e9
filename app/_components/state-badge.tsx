import type { StateType } from "@/agent/protocol/states";

/**
 * One colour per state type, the same in badges, charts, the timeline and the graph (Late, a
 * Scheduled name, is amber). The state's name is always shown with it: colour never carries
 * meaning alone.
 */
export const STATE_COLORS: Record<StateType, { hex: string; badge: string }> = {
  SCHEDULED: { hex: "#64748b", badge: "bg-slate-100 text-slate-700" },
  PENDING: { hex: "#7c3aed", badge: "bg-violet-100 text-violet-800" },
  RUNNING: { hex: "#2563eb", badge: "bg-blue-100 text-blue-800" },
  COMPLETED: { hex: "#16a34a", badge: "bg-green-100 text-green-800" },
  FAILED: { hex: "#dc2626", badge: "bg-red-100 text-red-800" },
  CRASHED: { hex: "#ea580c", badge: "bg-orange-100 text-orange-800" },
  CANCELLING: { hex: "#9ca3af", badge: "bg-gray-100 text-gray-700" },
  CANCELLED: { hex: "#6b7280", badge: "bg-gray-200 text-gray-700" },
};
export const LATE_COLOR = { hex: "#d97706", badge: "bg-amber-100 text-amber-800" };

export function stateColor(type: StateType, name?: string) {
  return type === "SCHEDULED" && name === "Late" ? LATE_COLOR : STATE_COLORS[type];
}

export function StateBadge({ type, name }: { type: StateType; name: string }) {
  return <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${stateColor(type, name).badge}`}>{name}</span>;
}
