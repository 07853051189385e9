import type { TaskRun } from "../_components/router-outputs";

/** A task run's display name: its name, plus its call number when the task ran more than once in the attempt. */
export function taskLabels(taskRuns: TaskRun[]): Map<string, string> {
  const count = new Map<string, number>();
  taskRuns.forEach((t) => count.set(t.name, (count.get(t.name) ?? 0) + 1));
  return new Map(taskRuns.map((t) => [t.id, count.get(t.name)! > 1 ? `${t.name} #${t.dynamicKey}` : t.name]));
}
