import { PageHeader } from "@/app/_components/ui";
import { ApiKeysSettings } from "./api-keys-settings";

export const metadata = { title: "API keys" };

export default async function ApiKeysPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            API keys authenticate the baton CLI, agents and the REST API. Send one in the header{" "}
            <code className="rounded bg-slate-100 px-1 font-mono text-xs">Authorization: Bearer &lt;key&gt;</code>.
          </>
        }
      />
      <ApiKeysSettings slug={slug} />
    </>
  );
}
