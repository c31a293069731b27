/**
 * The secrets a resource's values carry, by the shared classifier: a known value by provenance
 * (a generated secret's value, a secret config value) or format; an unknown value by its
 * dependencies (a generated secret decides it at preview as at up). What nothing decides is
 * returned as undecided, naming the value. Used where a check reads one part of a resource (the
 * input of a schedule) rather than every input.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { ResourceView } from "./define";
import { type UnknownSources } from "./provenance";
import {
  carriesValue,
  classifyValue,
  describeEntry,
  type Entry,
  type SecretSources,
  variableEntries,
} from "./secret-classifier";
import { isConstantName, isSecretName } from "./secrets";

export type Carried =
  | { readonly kind: "secret"; readonly entry: Entry; readonly where: string; readonly why: string }
  | { readonly kind: "undecided"; readonly entry: Entry; readonly where: string; readonly reason: string };

/** Named like a secret where names are variable names: a variables shape, or CONSTANT_CASE. */
function secretNamed(entry: Entry): boolean {
  return (
    entry.name !== undefined && (entry.variable || isConstantName(entry.name)) && isSecretName(entry.name)
  );
}

/** Known values under the selected entries that are secrets by format, secret config or name + shape. */
export function knownSecrets(
  resource: Pick<ResourceView, "type" | "name" | "props" | "opts">,
  select: (entry: Entry) => boolean,
  sources?: SecretSources,
): Carried[] {
  const out: Carried[] = [];
  for (const entry of variableEntries(resource)) {
    if (!select(entry) || entry.value === undefined || entry.pointer) continue;
    const verdict = classifyValue(entry.value, secretNamed(entry) ? entry.name : undefined, sources);
    if (verdict.kind === "secret") {
      out.push({ kind: "secret", entry, where: describeEntry(resource, entry), why: verdict.why });
    }
  }
  return out;
}

/**
 * With the stack's dependencies: selected values that carry a generated secret (known: its value is
 * in them; unknown: they depend on it), and unknown values no dependency decides. Known values the
 * classifier already calls secrets are left to `knownSecrets`, so each is reported once.
 */
export function secretsByProvenance(
  resource: PolicyResource,
  select: (entry: Entry) => boolean,
  sources: SecretSources,
  unknowns: UnknownSources,
): Carried[] {
  const out: Carried[] = [];
  const view = resource as ResourceView;
  for (const entry of variableEntries(view)) {
    if (!select(entry) || entry.pointer) continue;
    // A known value the classifier already calls a secret is `knownSecrets`' finding, not a second one.
    if (
      entry.value !== undefined &&
      classifyValue(entry.value, secretNamed(entry) ? entry.name : undefined, sources).kind === "secret"
    )
      continue;
    const property = String(entry.path[0]);
    const where = describeEntry(view, entry);
    const generated = sources
      .dependencies(resource, property)
      .filter((generator) => generator.always || generator.long);
    const carrier = generated.find((generator) =>
      entry.unknown
        ? true
        : generator.value !== undefined &&
          entry.value !== undefined &&
          carriesValue(entry.value, generator.value),
    );
    if (carrier) {
      const source = `${carrier.resource.type} "${carrier.resource.name}"`;
      out.push({
        kind: "secret",
        entry,
        where,
        why: entry.unknown
          ? `the generated secret of ${source} (it depends on it; the value is computed at apply)`
          : `the generated secret of ${source}`,
      });
      continue;
    }
    if (!entry.unknown) continue;
    const trace = unknowns.property(resource, property);
    if (!trace.decided) {
      out.push({ kind: "undecided", entry, where, reason: trace.reason });
    } else if (sources.secretConfigValues.size > 0) {
      out.push({
        kind: "undecided",
        entry,
        where,
        reason: `the stack has secret config (${[...sources.secretConfigValues.keys()].join(", ")}) it may embed`,
      });
    }
  }
  return out;
}
