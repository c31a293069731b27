/**
 * Synthetic stacks of any size for the policy benchmark, made from a real recording: the stack,
 * its components and providers once, then the recording's custom resources repeated (renamed
 * `<name>-<copy>`) until the stack has the requested number of resources. The mix of resource
 * types, and so the work per resource, stays that of the real program.
 */
import type { RecordedResource, Recording } from "../tooling/engine/record";
import { isProviderType } from "../tooling/engine/urn";

function isFixed(resource: RecordedResource): boolean {
  return !resource.custom || isProviderType(resource.type);
}

function renamed(resource: RecordedResource, copy: number): RecordedResource {
  if (copy === 0) return resource;
  const name = `${resource.name}-${copy}`;
  const urn = `${resource.urn.slice(0, resource.urn.length - resource.name.length)}${name}`;
  return { ...resource, name, urn };
}

export function syntheticRecording(base: Recording, size: number): Recording {
  const fixed = base.resources.filter(isFixed);
  const pool = base.resources.filter((resource) => !isFixed(resource));
  if (pool.length === 0) throw new Error("the base recording has no custom resources to repeat");
  if (size < fixed.length + 1)
    throw new Error(`a synthetic stack needs at least ${fixed.length + 1} resources`);
  const resources = [...fixed];
  for (let index = 0; resources.length < size; index += 1) {
    resources.push(renamed(pool[index % pool.length]!, Math.floor(index / pool.length)));
  }
  return { ...base, resources };
}
