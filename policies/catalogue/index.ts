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

const coveredByConcern = new Map<Concern, ReadonlyMap<string, Covered>>();

/**
 * Covered types of a concern across providers: type token → what is read. Built once per concern
 * (the catalogues are constants): the secret classifier asks for every string leaf it visits.
 */
export function coveredTypes(concern: Concern): ReadonlyMap<string, Covered> {
  let covered = coveredByConcern.get(concern);
  if (covered === undefined) {
    const built = new Map<string, Covered>();
    for (const catalogue of PROVIDER_CATALOGUES) {
      for (const [type, entry] of Object.entries(catalogue.covered[concern] ?? {})) built.set(type, entry);
    }
    covered = built;
    coveredByConcern.set(concern, covered);
  }
  return covered;
}

/** The type tokens of a concern, for a policy's `types`. */
export function typesOf(concern: Concern): string[] {
  return [...coveredTypes(concern).keys()];
}

type Generator = { readonly output: string; readonly secret: "always" | "byUse" };
let generatorTypes: ReadonlyMap<string, Generator> | undefined;

/** Generated-value types: token → output property and whether it is always a secret. */
export function generators(): ReadonlyMap<string, Generator> {
  if (generatorTypes === undefined) {
    const built = new Map<string, Generator>();
    for (const catalogue of PROVIDER_CATALOGUES) {
      for (const [type, generator] of Object.entries(catalogue.generators ?? {})) built.set(type, generator);
    }
    generatorTypes = built;
  }
  return generatorTypes;
}

export function rotationTypes(): string[] {
  return PROVIDER_CATALOGUES.flatMap((catalogue) => Object.keys(catalogue.rotation ?? {}));
}

export { type Concern, type Covered, type ProviderCatalogue } from "./types";
