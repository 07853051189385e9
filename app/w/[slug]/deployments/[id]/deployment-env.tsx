import Link from "next/link";
import { parseEnvValue } from "@/agent/protocol/secrets";

/** A deployment's env: literals as they are, references as links to their secret or variable. */
export function DeploymentEnv({ slug, env, secrets }: { slug: string; env: Record<string, string>; secrets: string[] }) {
  const entries = Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0 && secrets.length === 0) return <p className="text-sm text-slate-500">No environment variables. Add them under env: in baton.yaml or with baton deploy --env.</p>;
  return (
    <dl className="text-sm">
      {entries.map(([key, value]) => {
        const ref = parseEnvValue(value);
        return (
          <div key={key} className="grid grid-cols-3 gap-2 border-b border-slate-100 py-1.5">
            <dt className="font-mono text-xs text-slate-700">{key}</dt>
            <dd className="col-span-2 font-mono text-xs">
              {ref && !("error" in ref) ? (
                <Link href={`/w/${slug}/${ref.kind === "secret" ? "secrets" : "variables"}#${ref.kind}-${ref.name}`} className="text-sky-800 hover:underline">
                  {`{{ ${ref.kind === "secret" ? "secrets" : "variables"}.${ref.name} }}`}
                </Link>
              ) : (
                value
              )}
            </dd>
          </div>
        );
      })}
      {secrets.length > 0 && (
        <div className="grid grid-cols-3 gap-2 py-1.5">
          <dt className="text-xs text-slate-700">Readable from code</dt>
          <dd className="col-span-2 flex flex-wrap gap-2 font-mono text-xs">
            {secrets.map((s) => (
              <Link key={s} href={`/w/${slug}/secrets#secret-${s}`} className="text-sky-800 hover:underline">
                secrets.{s}
              </Link>
            ))}
          </dd>
        </div>
      )}
    </dl>
  );
}
