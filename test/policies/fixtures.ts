/**
 * Policies built for a test stack, and resources as the engine would send them. Values follow the
 * Dirt Free CRM stack files; names and accounts are per environment.
 */
import { createPolicies } from "../../policies/all";
import { fixedClock, type Clock } from "../../policies/lib/clock";
import type { GolivePolicy } from "../../policies/lib/define";
import type { ExemptionSet } from "../../policies/lib/exemptions";
import { NO_EXEMPTIONS } from "../../policies/lib/exemptions";
import { T } from "../../policies/lib/types";
import { urnOf, type TestResource } from "./harness";

export type Env = "prod" | "staging";

export const ACCOUNTS = { staging: "210987654321", prod: "123456789012" } as const;

/** A Tuesday at 10:00 UTC: inside the default change window. */
export const INSIDE_WINDOW = "2026-03-03T10:00:00Z";
/** A Friday at 10:00 UTC: outside it. */
export const OUTSIDE_WINDOW = "2026-03-06T10:00:00Z";

export function appConfig(env: Env): Record<string, unknown> {
  return {
    name: "dirt-free-crm",
    owner: "dev@dirtfree.com",
    costCenter: "crm-platform",
    domain: "dirtfree.com",
    hostname: env === "prod" ? "app.dirtfree.com" : "staging.dirtfree.com",
    healthPath: "/api/health",
    awsAccounts: ACCOUNTS,
  };
}

export interface PackSetup {
  readonly stack?: string;
  /** golive:* keys (without prefix) and other `ns:key` keys; objects are JSON-encoded as the engine does. */
  readonly config?: Record<string, unknown>;
  /** "env": read GOLIVE_POLICY_CLOCK like the engine-launched pack. */
  readonly clock?: Clock | (() => Date) | "env";
  readonly exemptions?: ExemptionSet | string;
  readonly extraEnv?: Record<string, string>;
  readonly withoutDefaults?: boolean;
}

export function configEnv(config: Record<string, unknown>): string {
  const entries = Object.entries(config).map(([key, value]) => [
    key.includes(":") ? key : `golive:${key}`,
    typeof value === "string" ? value : JSON.stringify(value),
  ]);
  return JSON.stringify(Object.fromEntries(entries));
}

/** The pack as the engine would start it for `env` (stack name = env unless given). */
export function pack(env: Env, setup: PackSetup = {}): GolivePolicy[] {
  const defaults: Record<string, unknown> = setup.withoutDefaults
    ? {}
    : { environment: env, app: appConfig(env) };
  const config = { ...defaults, ...(setup.config ?? {}) };
  return createPolicies({
    env: {
      PULUMI_NODEJS_STACK: setup.stack ?? env,
      PULUMI_CONFIG: configEnv(config),
      ...(setup.extraEnv ?? {}),
    },
    ...(setup.clock === "env" ? {} : { clock: setup.clock ?? fixedClock(INSIDE_WINDOW) }),
    exemptions: setup.exemptions ?? NO_EXEMPTIONS,
  });
}

export function only(policies: readonly GolivePolicy[], name: string): GolivePolicy[] {
  const found = policies.filter((policy) => policy.name === name);
  if (found.length !== 1) throw new Error(`no policy named ${name}`);
  return found;
}

/** A resource of `type` named `name` in stack `env`. */
export function res(
  type: string,
  name: string,
  props: Record<string, unknown> = {},
  extra: Partial<TestResource> = {},
  env: Env = "prod",
): TestResource & { readonly urn: string } {
  return { type, name, props, ...extra, urn: extra.urn ?? urnOf(type, name, env) };
}

export function tagsFor(env: Env): Record<string, string> {
  return { app: "dirt-free-crm", environment: env, owner: "dev@dirtfree.com", "cost-center": "crm-platform" };
}

export function awsProvider(env: Env, allowed: readonly string[] = [ACCOUNTS[env]]) {
  return {
    type: T.awsProvider,
    name: "default_7_48_0",
    props: {
      region: "us-east-1",
      allowedAccountIds: JSON.stringify(allowed),
      defaultTags: JSON.stringify({ tags: tagsFor(env) }),
    },
  };
}
