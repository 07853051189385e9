import type { Role } from "../db/schema";

const RANK: Record<Role, number> = { viewer: 0, runner: 1, developer: 2, owner: 3 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Members, billing, settings and everything else",
  developer: "Deployments, work pools, agents, API keys, automations; runs anything",
  runner: "Sees everything; starts and cancels runs from the UI",
  viewer: "Read only",
};
