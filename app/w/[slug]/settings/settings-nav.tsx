"use client";

import Link from "next/link";
import { useSelectedLayoutSegment } from "next/navigation";

const TABS = [
  { segment: null, label: "General" },
  { segment: "members", label: "Members" },
  { segment: "api-keys", label: "API keys" },
  { segment: "audit-log", label: "Audit log" },
  { segment: "billing", label: "Billing" },
] as const;

/** `billing`: the tab shows only when billing is on (not self-hosted) and the viewer is an owner. */
export function SettingsNav({ slug, billing = false }: { slug: string; billing?: boolean }) {
  // Relative to the settings layout: null on the General page, "members" on /settings/members, …
  const current = useSelectedLayoutSegment();
  return (
    <nav aria-label="Settings" className="mb-6 border-b border-slate-200">
      <ul className="-mb-px flex gap-4">
        {TABS.filter((tab) => billing || tab.segment !== "billing").map((tab) => {
          const active = tab.segment === current;
          return (
            <li key={tab.label}>
              <Link
                href={`/w/${slug}/settings${tab.segment ? `/${tab.segment}` : ""}`}
                aria-current={active ? "page" : undefined}
                className={`inline-block border-b-2 px-1 pb-2 ${active ? "border-slate-900 font-medium text-slate-900" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"}`}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
