/**
 * Synthetic stacks of any size for the policy benchmark, made from a real recording: the stack,
 * its components and providers once, then the recording's custom resources repeated until the
 * stack has the requested number of resources. Each repetition is its own copy of the app: its
 * resources are renamed `<name>-<copy>`, and the identifiers (ARNs, ids, names, URLs) and URNs
 * they carry, and the ones their properties and dependencies refer to, get the same suffix. So a
 * copy's alarm points at that copy's topic, as in a real stack where every identifier is unique,
 * and the mix of resource types (the work per resource) stays that of the real program.
 */
import type { RecordedOptions, RecordedResource, Recording } from "../tooling/engine/record";
import { isProviderType } from "../tooling/engine/urn";
import type { RecordedObject, RecordedValue } from "../tooling/engine/wire";

const IDENTIFIER_KEYS = ["arn", "id", "name", "bucket", "url", "queueUrl"];

function isFixed(resource: RecordedResource): boolean {
  return !resource.custom || isProviderType(resource.type);
}

/** Every identifier and URN of the repeated resources: the values a copy must rename. */
function identifiersOf(pool: readonly RecordedResource[]): Set<string> {
  const found = new Set<string>();
  for (const resource of pool) {
    found.add(resource.urn);
    if (typeof resource.id === "string" && resource.id !== "") found.add(resource.id);
    for (const source of [resource.inputs, resource.outputs]) {
      for (const key of IDENTIFIER_KEYS) {
        const value = source[key];
        if (typeof value === "string" && value.length > 3) found.add(value);
      }
    }
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

class CopyRenamer {
  /** ARNs and URNs are long and unique, so they are also renamed inside larger strings (policy JSON). */
  private readonly embedded: RegExp | undefined;

  constructor(
    private readonly identifiers: ReadonlySet<string>,
    private readonly suffix: string,
  ) {
    const long = [...identifiers]
      .filter((id) => id.startsWith("arn:") || id.startsWith("urn:"))
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp);
    this.embedded = long.length > 0 ? new RegExp(long.join("|"), "g") : undefined;
  }

  string(value: string): string {
    if (this.identifiers.has(value)) return `${value}${this.suffix}`;
    if (this.embedded === undefined || !/arn:|urn:/.test(value)) return value;
    return value.replace(this.embedded, (match) => `${match}${this.suffix}`);
  }

  value(value: RecordedValue): RecordedValue {
    if (typeof value === "string") return this.string(value);
    if (Array.isArray(value)) return value.map((item) => this.value(item));
    if (value !== null && typeof value === "object") return this.object(value as RecordedObject);
    return value;
  }

  object(value: RecordedObject): RecordedObject {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.value(item)]));
  }

  urns(urns: readonly string[]): string[] {
    return urns.map((urn) => this.string(urn));
  }

  options(options: RecordedOptions): RecordedOptions {
    return {
      ...options,
      dependencies: this.urns(options.dependencies),
      propertyDependencies: Object.fromEntries(
        Object.entries(options.propertyDependencies).map(([key, urns]) => [key, this.urns(urns)]),
      ),
    };
  }
}

function copyOf(resource: RecordedResource, renamer: CopyRenamer, copy: number): RecordedResource {
  const name = `${resource.name}-${copy}`;
  const urn = `${resource.urn.slice(0, resource.urn.length - resource.name.length)}${name}`;
  return {
    ...resource,
    name,
    urn,
    ...(typeof resource.id === "string" ? { id: renamer.string(resource.id) } : {}),
    inputs: renamer.object(resource.inputs),
    outputs: renamer.object(resource.outputs),
    options: renamer.options(resource.options),
  };
}

export function syntheticRecording(base: Recording, size: number): Recording {
  const fixed = base.resources.filter(isFixed);
  const pool = base.resources.filter((resource) => !isFixed(resource));
  if (pool.length === 0) throw new Error("the base recording has no custom resources to repeat");
  if (size < fixed.length + 1)
    throw new Error(`a synthetic stack needs at least ${fixed.length + 1} resources`);
  const identifiers = identifiersOf(pool);
  const renamers = new Map<number, CopyRenamer>();
  const resources = [...fixed];
  for (let index = 0; resources.length < size; index += 1) {
    const copy = Math.floor(index / pool.length);
    const resource = pool[index % pool.length]!;
    if (copy === 0) {
      resources.push(resource);
      continue;
    }
    let renamer = renamers.get(copy);
    if (renamer === undefined) {
      renamer = new CopyRenamer(identifiers, `-${copy}`);
      renamers.set(copy, renamer);
    }
    resources.push(copyOf(resource, renamer, copy));
  }
  return { ...base, resources };
}
