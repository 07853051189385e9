/**
 * A webhook signing secret is returned once, by the create or update call on the form page, and
 * shown on the automation's page after the client-side navigation. It is handed over in memory
 * (never in the URL or storage): read when the page mounts, forgotten once it has mounted.
 */
export type NewSecret = { destinationId: string; target: string; secret: string };

const pending = new Map<string, NewSecret[]>();

export function handOffSecrets(automationId: string, secrets: NewSecret[]) {
  if (secrets.length) pending.set(automationId, secrets);
}

export function peekSecrets(automationId: string): NewSecret[] {
  return pending.get(automationId) ?? [];
}

export function forgetSecrets(automationId: string) {
  pending.delete(automationId);
}
