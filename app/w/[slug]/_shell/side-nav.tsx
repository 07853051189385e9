"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "", label: "Dashboard" },
  { href: "/runs", label: "Runs" },
  { href: "/flows", label: "Flows" },
  { href: "/deployments", label: "Deployments" },
  { href: "/work-pools", label: "Work pools" },
  { href: "/automations", label: "Automations" },
  { href: "/incoming-webhooks", label: "Incoming webhooks" },
  { href: "/variables", label: "Variables" },
  { href: "/secrets", label: "Secrets" },
  { href: "/settings", label: "Settings" },
];

export function SideNav({ slug }: { slug: string }) {
  const pathname = usePathname();
  const base = `/w/${slug}`;
  return (
    <nav aria-label="Workspace" className="w-48 shrink-0 border-r border-slate-200 bg-white px-2 py-4">
      <ul className="flex flex-col gap-0.5">
        {SECTIONS.map((s) => {
          const href = base + s.href;
          const active = s.href === "" ? pathname === base : pathname === href || pathname.startsWith(`${href}/`);
          return (
            <li key={s.label}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={`block rounded-md px-3 py-1.5 ${active ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"}`}
              >
                {s.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
