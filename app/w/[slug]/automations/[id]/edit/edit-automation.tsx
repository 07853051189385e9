"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert, PageHeader } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";
import { AutomationForm } from "../../_components/automation-form";

export function EditAutomation({ slug, automationId }: { slug: string; automationId: string }) {
  const trpc = useTRPC();
  // staleTime 0: the form starts from what is saved now, not a cached copy.
  const automation = useQuery(trpc.automations.get.queryOptions({ workspace: slug, automationId }, { staleTime: 0, refetchOnMount: "always" }));
  const header = <PageHeader title={automation.data ? `Edit “${automation.data.name}”` : "Edit automation"} />;
  if (automation.isPending || automation.isFetching) return <>{header}<p className="text-slate-500">Loading…</p></>;
  if (automation.isError) return <>{header}<Alert>{automation.error.message}</Alert></>;
  return (
    <>
      {header}
      <AutomationForm slug={slug} automation={automation.data} />
    </>
  );
}
