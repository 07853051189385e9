import type { Metadata } from "next";
import { SubscriptionPage } from "../subscription-page";

export const metadata: Metadata = { title: "Unsubscribe from alerts" };
export const dynamic = "force-dynamic";

export default function Page({ searchParams }: { searchParams: Promise<{ token?: string; done?: string }> }) {
  return <SubscriptionPage action="unsubscribe" searchParams={searchParams} />;
}
