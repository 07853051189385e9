import type { StateType } from "@/agent/protocol/states";

/**
 * One colour per state type, the same in badges, the timeline and the graph (CONVENTIONS.md):
 * Scheduled slate (Late amber), Pending violet, Running blue, Completed green, Failed red,
 * Crashed orange, Cancelling and Cancelled grey, Paused teal (waiting for a person, not late). The state's name is always shown next to it.
 * `badge` for badges, `bar` for Tailwind bars, `fill`/`stroke` for SVG (charts, graph, sparkline).
 */
type Style = { badge: string; bar: string; fill: string; stroke: string };

const STYLES: Record<StateType, Style> = {
  SCHEDULED: { badge: "bg-slate-100 text-slate-700 ring-slate-300", bar: "bg-slate-400", fill: "#f1f5f9", stroke: "#64748b" },
  PENDING: { badge: "bg-violet-100 text-violet-800 ring-violet-300", bar: "bg-violet-500", fill: "#ede9fe", stroke: "#7c3aed" },
  RUNNING: { badge: "bg-blue-100 text-blue-800 ring-blue-300", bar: "bg-blue-500", fill: "#dbeafe", stroke: "#2563eb" },
  COMPLETED: { badge: "bg-green-100 text-green-800 ring-green-300", bar: "bg-green-500", fill: "#dcfce7", stroke: "#16a34a" },
  FAILED: { badge: "bg-red-100 text-red-800 ring-red-300", bar: "bg-red-500", fill: "#fee2e2", stroke: "#dc2626" },
  CRASHED: { badge: "bg-orange-100 text-orange-800 ring-orange-300", bar: "bg-orange-500", fill: "#ffedd5", stroke: "#ea580c" },
  CANCELLING: { badge: "bg-gray-200 text-gray-700 ring-gray-300", bar: "bg-gray-400", fill: "#e5e7eb", stroke: "#6b7280" },
  CANCELLED: { badge: "bg-gray-200 text-gray-700 ring-gray-300", bar: "bg-gray-400", fill: "#e5e7eb", stroke: "#6b7280" },
  PAUSED: { badge: "bg-teal-100 text-teal-800 ring-teal-300", bar: "bg-teal-500", fill: "#ccfbf1", stroke: "#0d9488" },
};

const LATE: Style = { badge: "bg-amber-100 text-amber-800 ring-amber-300", bar: "bg-amber-500", fill: "#fef3c7", stroke: "#d97706" };

export function stateStyle(type: StateType, name?: string): Style {
  return type === "SCHEDULED" && name === "Late" ? LATE : STYLES[type];
}
