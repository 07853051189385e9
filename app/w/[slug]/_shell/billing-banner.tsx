import Link from "next/link";

/** Every member sees it: the month's run quota is used up, or a payment failed. Owners get the link to act. */
export function BillingBanner({ banner, slug, isOwner }: { banner: { kind: "quota" | "payment"; message: string }; slug: string; isOwner: boolean }) {
  return (
    <div role="alert" className="flex items-center gap-3 border-b border-red-200 bg-red-50 px-4 py-2 text-red-900">
      <span>{banner.message}</span>
      {isOwner && (
        <Link href={`/w/${slug}/settings/billing`} className="font-medium underline">
          Open billing
        </Link>
      )}
    </div>
  );
}
