import Link from "next/link";

/** The deployments that use a secret or variable, each a link to its page. */
export function UsedBy({ slug, deployments }: { slug: string; deployments: { id: string; flowName: string; name: string }[] }) {
  if (deployments.length === 0) return <span className="text-slate-500">no deployment</span>;
  return (
    <ul>
      {deployments.map((d) => (
        <li key={d.id}>
          <Link href={`/w/${slug}/deployments/${d.id}`} className="text-sky-800 hover:underline">
            {d.flowName}/{d.name}
          </Link>
        </li>
      ))}
    </ul>
  );
}
