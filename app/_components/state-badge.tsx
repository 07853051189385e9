import type { StateType } from "@/agent/protocol/states";
import { stateStyle } from "./state-style";

/** A state's name on its type's colour (Late amber): the one badge every page uses. */
export function StateBadge({ type, name }: { type: StateType; name: string }) {
  return (
    <span data-state-type={type} className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${stateStyle(type, name).badge}`}>
      {name}
    </span>
  );
}
