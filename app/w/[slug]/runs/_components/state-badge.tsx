import type { StateType } from "@/agent/protocol/states";
import { stateStyle } from "./state-style";

export function StateBadge({ type, name }: { type: StateType; name: string }) {
  return (
    <span data-state-type={type} className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${stateStyle(type, name).badge}`}>
      {name}
    </span>
  );
}
