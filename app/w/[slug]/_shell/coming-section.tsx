import { EmptyState, PageHeader } from "@/app/_components/ui";

/**
 * The honest empty state of a section whose data arrives with a later part of Baton: what it will
 * hold, and where to read about it. No fake rows.
 */
export function SectionEmptyState({ title, what, next }: { title: string; what: string; next: string }) {
  return (
    <>
      <PageHeader title={title} description={what} />
      <EmptyState title={`No ${title.toLowerCase()} yet`}>
        <p>{next}</p>
        <p className="mt-3 text-xs text-slate-500">Concepts are explained in docs/concepts.md in the Baton repository.</p>
      </EmptyState>
    </>
  );
}
