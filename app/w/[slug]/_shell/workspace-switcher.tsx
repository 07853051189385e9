"use client";

import { useRouter } from "next/navigation";

const NEW = "__new__";

export function WorkspaceSwitcher({ current, workspaces }: { current: string; workspaces: { slug: string; name: string }[] }) {
  const router = useRouter();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor="workspace-switcher" className="sr-only">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        value={current}
        onChange={(e) => router.push(e.target.value === NEW ? "/onboarding" : `/w/${e.target.value}`)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 font-medium"
      >
        {workspaces.map((w) => (
          <option key={w.slug} value={w.slug}>
            {w.name}
          </option>
        ))}
        <option value={NEW}>+ Create workspace…</option>
      </select>
    </div>
  );
}
