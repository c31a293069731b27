/**
 * The type catalogue of every provider the pack knows. A provider added later is one file beside
 * these, added to PROVIDER_CATALOGUES; the policies read the lookups below, never a type list of
 * their own.
 */
import { AWS_CATALOGUE } from "./aws";
import { CLOUDFLARE_CATALOGUE } from "./cloudflare";
import { RANDOM_CATALOGUE } from "./random";
import { SUPABASE_CATALOGUE } from "./supabase";
import { TIME_CATALOGUE } from "./time";
import type { Concern, Covered, ProviderCatalogue } from "./types";
import { VERCEL_CATALOGUE } from "./vercel";

export const PROVIDER_CATALOGUES: readonly ProviderCatalogue[] = [
  AWS_CATALOGUE,
  CLOUDFLARE_CATALOGUE,
  SUPABASE_CATALOGUE,
  RANDOM_CATALOGUE,
  TIME_CATALOGUE,
  VERCEL_CATALOGUE,
];

/** Covered types of a concern across providers: type token → what is read. */
export function coveredTypes(concern: Concern): ReadonlyMap<string, Covered> {
  const out = new Map<string, Covered>();
  for (const catalogue of PROVIDER_CATALOGUES) {
    for (const [type, covered] of Object.entries(catalogue.covered[concern] ?? {})) out.set(type, covered);
  }
  return out;
}

/** The type tokens of a concern, for a policy's `types`. */
export function typesOf(concern: Concern): string[] {
  return [...coveredTypes(concern).keys()];
}

/** Generated-value types: token → output property and whether it is always a secret. */
export function generators(): ReadonlyMap<
  string,
  { readonly output: string; readonly secret: "always" | "byUse" }
> {
  const out = new Map<string, { readonly output: string; readonly secret: "always" | "byUse" }>();
  for (const catalogue of PROVIDER_CATALOGUES) {
    for (const [type, generator] of Object.entries(catalogue.generators ?? {})) out.set(type, generator);
  }
  return out;
}

export function rotationTypes(): string[] {
  return PROVIDER_CATALOGUES.flatMap((catalogue) => Object.keys(catalogue.rotation ?? {}));
}

export { type Concern, type Covered, type ProviderCatalogue } from "./types";
