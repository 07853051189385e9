"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../_trpc/provider";
import { Alert, Button, TextField } from "../_components/ui";

export function CreateWorkspaceForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState("");
  const create = useMutation(trpc.workspaces.create.mutationOptions({ onSuccess: (ws) => router.push(`/w/${ws.slug}`) }));
  return (
    <form
      className="flex flex-col gap-4"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name });
      }}
    >
      {create.error && <Alert>{create.error.message}</Alert>}
      <TextField
        id="workspace-name"
        label="Workspace name"
        required
        maxLength={80}
        value={name}
        onChange={(e) => setName(e.target.value)}
        hint="Your team or project, e.g. “Acme ML”. You can rename it and change its address later."
      />
      <Button type="submit" disabled={create.isPending || !name.trim()}>
        {create.isPending ? "Creating…" : "Create workspace"}
      </Button>
    </form>
  );
}
