/**
 * Naming and tagging rules shared by every component. Pure, so they are tested without mocks and
 * the policy pack can apply the same rules to what it sees.
 */

export interface EnvironmentIdentity {
  /** App slug, e.g. `dirt-free-crm`. */
  readonly app: string;
  /** `staging` or `prod`. */
  readonly environment: string;
}

/** `dirt-free-crm-prod-backups`: app, environment, then the part. Lowercase, '-'-separated. */
export function physicalName(identity: EnvironmentIdentity, ...parts: string[]): string {
  return [identity.app, identity.environment, ...parts]
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
}

/** A physical name cut to a service's limit, keeping it unique with a short stable hash of the full name. */
export function limitedName(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  let hash = 0;
  for (const char of name) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  const suffix = hash.toString(36).slice(0, 6);
  return `${name.slice(0, maxLength - suffix.length - 1).replace(/-$/, "")}-${suffix}`;
}

export interface CostTags {
  readonly app: string;
  readonly environment: string;
  readonly owner: string;
  readonly costCenter: string;
}

/** The four tags every taggable resource carries (ENV-03), keyed as the checklist names them. */
export function requiredTags(tags: CostTags): Record<string, string> {
  return {
    app: tags.app,
    environment: tags.environment,
    owner: tags.owner,
    "cost-center": tags.costCenter,
  };
}

export const REQUIRED_TAG_KEYS = ["app", "environment", "owner", "cost-center"] as const;
