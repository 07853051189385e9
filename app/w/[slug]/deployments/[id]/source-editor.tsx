"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { describeSource, type Deployment, type DeploymentSource } from "@/agent/protocol/deployments";
import { Alert, Button, SelectField, TextField } from "@/app/_components/ui";
import { useTRPC } from "@/app/_trpc/provider";

type Kind = "none" | "local" | "git";

/** Where the deployment's code is and its setup step, and (for developers) a form to change them (docs/cli.md#where-the-code-comes-from). */
export function SourceEditor({ slug, deployment, canEdit }: { slug: string; deployment: Deployment; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const d = deployment;
  const [editing, setEditing] = useState(false);
  const [kind, setKind] = useState<Kind>(d.source?.kind ?? "none");
  const git = d.source?.kind === "git" ? d.source : null;
  const local = d.source?.kind === "local" ? d.source : null;
  const [url, setUrl] = useState(git?.url ?? "");
  const [ref, setRef] = useState(git?.ref ?? "main");
  const [subdir, setSubdir] = useState(git?.path ?? "");
  const [credentials, setCredentials] = useState(git?.credentials ?? "");
  const [folder, setFolder] = useState(local?.path ?? "");
  const [host, setHost] = useState(local?.host ?? "");
  const [setupRun, setSetupRun] = useState(d.setup?.run ?? "");
  const [cacheKey, setCacheKey] = useState(d.setup?.cacheKey.join(", ") ?? "");
  const save = useMutation(
    trpc.deployments.setSource.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        void queryClient.invalidateQueries();
      },
    }),
  );

  if (!editing) {
    return (
      <div className="flex flex-col gap-1">
        <span className="break-all">{describeSource(d.source)}</span>
        {git?.credentials && <span className="text-slate-500">token: {git.credentials}</span>}
        {d.setup && (
          <span>
            Setup <code className="rounded bg-slate-100 px-1 font-mono text-xs">{d.setup.run}</code>
            {d.setup.cacheKey.length > 0 && <span className="text-slate-500"> (again when {d.setup.cacheKey.join(", ")} change)</span>}
          </span>
        )}
        {canEdit && (
          <div>
            <Button variant="secondary" onClick={() => setEditing(true)}>
              Edit code
            </Button>
          </div>
        )}
      </div>
    );
  }

  function submit() {
    const source: DeploymentSource | null =
      kind === "git"
        ? { kind: "git", url: url.trim(), ref: ref.trim() || "main", path: subdir.trim() || null, credentials: credentials.trim() || null }
        : kind === "local"
          ? { kind: "local", path: folder.trim(), host: host.trim() }
          : null;
    const keys = cacheKey.split(",").map((k) => k.trim()).filter(Boolean);
    save.mutate({ workspace: slug, deploymentId: d.id, source, setup: setupRun.trim() ? { run: setupRun.trim(), cacheKey: keys } : null });
  }

  return (
    <form
      className="flex flex-col gap-3"
      aria-label="Code editor"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <SelectField label="Where the code is" id="source-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        <option value="git">a git repository (any agent of the pool fetches it)</option>
        <option value="local">a folder on one machine (only agents there run it)</option>
        <option value="none">the agent&apos;s --workdir</option>
      </SelectField>
      {kind === "git" && (
        <>
          <TextField label="Repository URL" id="source-url" value={url} onChange={(e) => setUrl(e.target.value)} hint="https://, ssh:// or git@host:path" />
          <TextField label="Ref" id="source-ref" value={ref} onChange={(e) => setRef(e.target.value)} hint="A branch (its newest commit at each run), a tag, or a full commit" />
          <TextField label="Folder in the repository" id="source-path" value={subdir} onChange={(e) => setSubdir(e.target.value)} hint="Empty: the repository's top" />
          <TextField label="Credentials" id="source-credentials" value={credentials} onChange={(e) => setCredentials(e.target.value)} hint="For a private https repository: {{ secrets.NAME }} of a secret holding a token" />
        </>
      )}
      {kind === "local" && (
        <>
          <TextField label="Folder" id="source-folder" value={folder} onChange={(e) => setFolder(e.target.value)} hint="An absolute path" />
          <TextField label="Host" id="source-host" value={host} onChange={(e) => setHost(e.target.value)} hint="The machine's hostname, as its agent registers" />
        </>
      )}
      <TextField label="Setup command" id="setup-run" value={setupRun} onChange={(e) => setSetupRun(e.target.value)} hint="Run before the entrypoint, e.g. npm ci. Empty: none" />
      <TextField label="Setup cache key files" id="setup-cache-key" value={cacheKey} onChange={(e) => setCacheKey(e.target.value)} hint="Comma-separated files whose contents decide when setup runs again" />
      {save.isError && <Alert>{save.error.message}</Alert>}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          Save code
        </Button>
        <Button variant="secondary" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
