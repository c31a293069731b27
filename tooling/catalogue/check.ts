/**
 * Compares a provider catalogue with its SDK as scanned: every type whose inputs carry a concern's
 * shape must be covered or listed out of scope; every type the catalogue names must exist.
 */
import { CONCERN_NAMES, CONCERNS, type ProviderCatalogue } from "../../policies/catalogue/types";
import type { ScannedType } from "./scan";

export interface Gap {
  readonly type: string;
  readonly concern: string;
  readonly problem: string;
}

export function catalogueGaps(catalogue: ProviderCatalogue, scanned: readonly ScannedType[]): Gap[] {
  const gaps: Gap[] = [];
  const known = new Set(scanned.map((entry) => entry.type));
  for (const concern of CONCERN_NAMES) {
    const spec = CONCERNS[concern];
    const covered = new Set(Object.keys(catalogue.covered[concern] ?? {}));
    const outOfScope = new Set<string>();
    for (const group of catalogue.outOfScope[concern] ?? []) {
      if (group.reason.trim().length < 10) {
        gaps.push({ type: group.types.join(", "), concern, problem: "out of scope without a reason" });
      }
      for (const type of group.types) {
        if (covered.has(type)) gaps.push({ type, concern, problem: "both covered and out of scope" });
        outOfScope.add(type);
      }
    }
    for (const entry of scanned) {
      const matching = entry.paths.filter((path) => spec.path?.test(path));
      const byName = spec.className?.test(entry.type) ?? false;
      if (matching.length === 0 && !byName) continue;
      if (!covered.has(entry.type) && !outOfScope.has(entry.type)) {
        gaps.push({
          type: entry.type,
          concern,
          problem: `carries ${matching.length > 0 ? matching.join(", ") : "a stateful store's name"} but is neither covered nor out of scope`,
        });
      }
    }
    for (const type of [...covered, ...outOfScope]) {
      if (type.startsWith(`${catalogue.provider}:`) && !known.has(type)) {
        gaps.push({ type, concern, problem: `is not a resource type of ${catalogue.sdk}` });
      }
    }
  }
  const generated = [
    ...Object.keys(catalogue.generators ?? {}),
    ...Object.keys(catalogue.rotation ?? {}),
    ...(catalogue.notGenerators ?? []).flatMap((group) => group.types),
  ];
  if (generated.length > 0) {
    // Providers of generated values (random, time) must classify every type they ship.
    for (const entry of scanned) {
      if (!generated.includes(entry.type)) {
        gaps.push({
          type: entry.type,
          concern: "generators",
          problem: "neither a generator, a rotation nor listed as not generating secrets",
        });
      }
    }
    for (const type of generated) {
      if (!known.has(type))
        gaps.push({ type, concern: "generators", problem: `is not a resource type of ${catalogue.sdk}` });
    }
  }
  return gaps;
}
