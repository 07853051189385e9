import type { ReactNode } from "react";
import { SettingsNav } from "./settings-nav";

export default async function SettingsLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <div className="max-w-5xl">
      <SettingsNav slug={slug} />
      {children}
    </div>
  );
}
