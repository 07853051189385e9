import { notFound } from "next/navigation";
import { PageHeader } from "@/app/_components/ui";
import { billingEnabled } from "@/server/billing/plans";
import { BillingSettings } from "./billing-settings";

export const metadata = { title: "Billing" };

/** Self-hosted (no STRIPE_SECRET_KEY): there is no billing page. */
export default async function BillingPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ checkout?: string }> }) {
  if (!billingEnabled()) notFound();
  const { slug } = await params;
  const { checkout } = await searchParams;
  return (
    <>
      <PageHeader title="Billing" description="This workspace's plan, this month's usage against its limits, and invoices." />
      <BillingSettings slug={slug} checkout={checkout === "success" || checkout === "cancelled" ? checkout : null} />
    </>
  );
}
