/**
 * Where a value unknown at preview can come from, read from the dependencies the engine sends with
 * every resource (`propertyDependencies`).
 *
 * Config and literals are known at preview, so a value is unknown only because it takes something
 * a provider computes at apply. That is either a generated value (random, time) or an attribute
 * the provider assigns (an ARN, an id, a name, an endpoint), never a third-party key; or one of the
 * dependency's own inputs that is itself unknown, which is traced the same way. A value whose every
 * source is traced so is decided without waiting for `pulumi up`; one with a dependency on a
 * resource outside the stack, or with no dependency at all (an invoke's result), is not.
 *
 * What no dependency shows: a literal of the program composed with an unknown value into one string
 * (`pulumi.interpolate`, `jsonStringify`). Checks that must see such literals say what they need.
 */
import type { PolicyResource } from "@pulumi/policy";
import { generators } from "../catalogue";
import type { ResourceView } from "./define";
import { variableEntries, type Entry } from "./secret-classifier";

/** Types whose outputs are generated: random values, timestamps, rotation markers. */
export function isGeneratedType(type: string): boolean {
  return type.startsWith("random:") || type.startsWith("time:") || generators().has(type);
}

/** Entries that hold values handed to running code or kept as secrets (what key and secret checks read). */
export function isValueEntry(entry: Entry): boolean {
  return entry.variable || entry.slot;
}

/**
 * An output the resource's provider computes and the SDK declares secret (`additionalSecretOutputs`:
 * a RandomPassword's `result`, a Supabase API key's `apiKey`), not an input fed from elsewhere.
 */
export function isComputedSecretOutput(resource: PolicyResource, root: string): boolean {
  return (
    resource.opts.additionalSecretOutputs.includes(root) &&
    (resource.propertyDependencies[root] ?? []).length === 0
  );
}

export type Trace =
  | { readonly decided: true }
  | {
      readonly decided: false;
      /** Why the sources stay open: no dependency, or a dependency that is not traced. */
      readonly reason: string;
    };

/**
 * Traces unknown values of a stack's resources to generated values and provider-computed
 * attributes. One instance per stack policy run (results are cached).
 */
export class UnknownSources {
  private readonly byUrn: ReadonlyMap<string, PolicyResource>;
  private readonly resourceTraces = new Map<string, Trace>();

  constructor(resources: readonly PolicyResource[]) {
    this.byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  }

  /** Whether the unknown values under `property` of `resource` are made only of traced sources. */
  property(resource: PolicyResource, property: string): Trace {
    return this.traceProperty(resource, property, new Set());
  }

  private traceProperty(resource: PolicyResource, property: string, visiting: Set<string>): Trace {
    const dependencies = resource.propertyDependencies[property] ?? [];
    if (dependencies.length === 0) {
      return { decided: false, reason: "it depends on no resource of the stack (a function result?)" };
    }
    for (const dependency of dependencies) {
      const trace = this.traceResource(dependency.urn, visiting);
      if (!trace.decided) return trace;
    }
    return { decided: true };
  }

  /** A dependency's outputs: generated, computed attributes, or its own inputs (traced in turn). */
  private traceResource(urn: string, visiting: Set<string>): Trace {
    const cached = this.resourceTraces.get(urn);
    if (cached) return cached;
    const resource = this.byUrn.get(urn);
    if (!resource) return { decided: false, reason: `it depends on ${urn}, which is not in the stack` };
    if (isGeneratedType(resource.type) || visiting.has(urn)) return { decided: true };
    visiting.add(urn);
    let trace: Trace = { decided: true };
    const unknownRoots = new Set(
      variableEntries(resource as ResourceView)
        .filter((entry) => entry.unknown && isValueEntry(entry))
        .map((entry) => String(entry.path[0]))
        .filter((root) => !isComputedSecretOutput(resource, root)),
    );
    for (const root of unknownRoots) {
      const inner = this.traceProperty(resource, root, visiting);
      if (!inner.decided) {
        trace = {
          decided: false,
          reason: `it may pass on .${root} of ${resource.type} "${resource.name}", and ${inner.reason}`,
        };
        break;
      }
    }
    visiting.delete(urn);
    this.resourceTraces.set(urn, trace);
    return trace;
  }
}
