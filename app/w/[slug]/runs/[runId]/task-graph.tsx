"use client";

import { useMemo } from "react";
import { EmptyState } from "@/app/_components/ui";
import type { Run, TaskRun } from "../_components/router-outputs";
import { stateStyle } from "@/app/_components/state-style";
import { layoutDag, NODE_H, NODE_W } from "./graph-layout";

type Props = { taskRuns: TaskRun[]; childRuns?: Run[]; slug: string; labels: Map<string, string>; selected: string | null; onSelect: (id: string) => void };

/**
 * Task runs as a DAG of their dependencies. Child runs (runDeployment) are nodes too, with a
 * dashed outline, linking to the child's page: they take parameters, not task results, so no
 * edge leads to them.
 */
export function TaskGraph({ taskRuns, childRuns = [], slug, labels, selected, onSelect }: Props) {
  const layout = useMemo(
    () => layoutDag([...taskRuns.map((t) => ({ id: t.id, upstream: t.upstreamTaskRunIds })), ...childRuns.map((c) => ({ id: c.id, upstream: [] }))]),
    [taskRuns, childRuns],
  );
  if (taskRuns.length === 0 && childRuns.length === 0) return <EmptyState title="No task runs">This run has reported no tasks (yet). Tasks made with the SDK&apos;s task() show here with their dependencies.</EmptyState>;
  const byId = new Map(taskRuns.map((t) => [t.id, t]));
  const childById = new Map(childRuns.map((c) => [c.id, c]));
  return (
    <div className="overflow-auto rounded-lg border border-slate-200 bg-white">
      <svg role="group" aria-label="Task dependency graph" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} className="block">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#94a3b8" />
          </marker>
        </defs>
        {layout.edges.map((e) => {
          const [x1, y1, x2, y2] = e.points;
          const mx = (x1 + x2) / 2;
          return (
            <path
              key={`${e.from}-${e.to}`}
              role="img"
              aria-label={`${labels.get(e.from)} → ${labels.get(e.to)}`}
              d={`M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2 - 2} ${y2}`}
              fill="none"
              stroke="#94a3b8"
              strokeWidth={1.5}
              markerEnd="url(#arrow)"
            />
          );
        })}
        {[...layout.nodes.values()].map((n) => {
          const child = childById.get(n.id);
          if (child) return <ChildNode key={child.id} child={child} slug={slug} x={n.x} y={n.y} />;
          const t = byId.get(n.id)!;
          const style = stateStyle(t.state.type, t.state.name);
          const label = labels.get(t.id)!;
          const isSelected = selected === t.id;
          return (
            <g
              key={t.id}
              role="button"
              tabIndex={0}
              aria-label={`${label}, ${t.state.name}`}
              aria-pressed={isSelected}
              transform={`translate(${n.x} ${n.y})`}
              className="cursor-pointer outline-none focus-visible:opacity-80"
              onClick={() => onSelect(t.id)}
              onKeyDown={(e) => {
                if (e.key === "Enter" || e.key === " ") {
                  e.preventDefault();
                  onSelect(t.id);
                }
              }}
            >
              <rect width={NODE_W} height={NODE_H} rx={6} fill={style.fill} stroke={style.stroke} strokeWidth={isSelected ? 3 : 1.5} />
              <rect width={6} height={NODE_H} rx={3} fill={style.stroke} />
              <text x={14} y={19} fontSize={13} fontWeight={600} fill="#0f172a">
                {label.length > 20 ? `${label.slice(0, 19)}…` : label}
              </text>
              <text x={14} y={36} fontSize={11} fill="#334155">
                {t.state.name}
                {t.attempt > 1 ? ` · attempt ${t.attempt}` : ""}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function ChildNode({ child, slug, x, y }: { child: Run; slug: string; x: number; y: number }) {
  const style = stateStyle(child.state.type, child.state.name);
  const label = `${child.flowName}${child.deploymentName ? `/${child.deploymentName}` : ""}`;
  return (
    <a href={`/w/${slug}/runs/${child.id}`} aria-label={`Child run ${child.name} (${label}), ${child.state.name}`} className="outline-none focus-visible:opacity-80">
      <g transform={`translate(${x} ${y})`}>
        <rect width={NODE_W} height={NODE_H} rx={6} fill={style.fill} stroke={style.stroke} strokeWidth={1.5} strokeDasharray="5 3" />
        <text x={14} y={19} fontSize={13} fontWeight={600} fill="#0f172a">
          {label.length > 20 ? `${label.slice(0, 19)}…` : label}
        </text>
        <text x={14} y={36} fontSize={11} fill="#334155">
          child run · {child.state.name}
        </text>
      </g>
    </a>
  );
}
