import { ROLE_DESCRIPTIONS } from "@/server/auth/roles";
import type { Role } from "@/server/db/schema";

/** Highest first, as the select lists them. */
export const ROLES: readonly Role[] = ["owner", "developer", "runner", "viewer"];

/** "developer — deployments, work pools, …": the role as stored, then what it may do. */
export function describeRole(role: Role): string {
  const description = ROLE_DESCRIPTIONS[role];
  return `${role} — ${description.charAt(0).toLowerCase()}${description.slice(1)}`;
}

export function RoleOptions({ roles = ROLES }: { roles?: readonly Role[] }) {
  return roles.map((role) => (
    <option key={role} value={role}>
      {describeRole(role)}
    </option>
  ));
}
