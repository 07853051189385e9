import type { Metadata } from "next";
import { SubscriptionPage } from "../subscription-page";

export const metadata: Metadata = { title: "Confirm alerts" };
export const dynamic = "force-dynamic";

export default function Page({ searchParams }: { searchParams: Promise<{ token?: string; done?: string }> }) {
  return <SubscriptionPage action="confirm" searchParams={searchParams} />;
}
