/**
 * Compares the same change across stacks (staging vs prod): resources are matched by type and name,
 * with the stack's name stripped from the resource name (`staging-db` and `prod-db` are one resource).
 */
import type { ResourceChange, StackReportInput, StepOp } from "./model";
import { tryParseUrn } from "./steps";
import { compareText } from "./text";

export interface ComparisonCell {
  op: StepOp;
  /** Changed property paths, sorted. */
  paths: string[];
}

export interface ComparisonRow {
  type: string;
  /** Name with the stack prefix or suffix removed. */
  name: string;
  /** One cell per stack, in stack order; undefined where the stack does not change the resource. */
  cells: Array<ComparisonCell | undefined>;
  /** Plain-text explanation of the difference. */
  note: string;
}

export interface StackComparison {
  stacks: string[];
  /** Resources that do not change identically in every stack. */
  rows: ComparisonRow[];
  /** Resources changing identically (same op, same properties) in every stack. */
  identical: number;
}

const SEPARATORS = ["-", "_", "."];

/** Removes a stack name used as a prefix or suffix of a resource name (`staging-db` → `db`). */
export function stripStackName(name: string, stackNames: readonly string[]): string {
  const candidates = [...new Set(stackNames.filter((candidate) => candidate !== ""))].sort(
    (a, b) => b.length - a.length || compareText(a, b),
  );
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const stack = candidate.toLowerCase();
    for (const separator of SEPARATORS) {
      if (lower.startsWith(stack + separator) && name.length > stack.length + 1) {
        return name.slice(stack.length + 1);
      }
      if (lower.endsWith(separator + stack) && name.length > stack.length + 1) {
        return name.slice(0, name.length - stack.length - 1);
      }
    }
  }
  return name;
}

function cellOf(resource: ResourceChange): ComparisonCell {
  return {
    op: resource.op,
    paths: [...new Set(resource.changes.map((change) => change.path))].sort(compareText),
  };
}

function sameCell(a: ComparisonCell, b: ComparisonCell): boolean {
  return (
    a.op === b.op &&
    a.paths.length === b.paths.length &&
    a.paths.every((path, index) => path === b.paths[index])
  );
}

function describeDifference(
  stacks: readonly string[],
  cells: ReadonlyArray<ComparisonCell | undefined>,
): string {
  const changing = stacks.filter((_, index) => cells[index] !== undefined);
  const quiet = stacks.filter((_, index) => cells[index] === undefined);
  if (quiet.length > 0) return `changes only in ${changing.join(", ")}; no change in ${quiet.join(", ")}`;
  const present = cells.filter((cell): cell is ComparisonCell => cell !== undefined);
  if (new Set(present.map((cell) => cell.op)).size > 1) return "different operations";
  const parts: string[] = [];
  stacks.forEach((stack, index) => {
    const own = cells[index]?.paths ?? [];
    const others = new Set(cells.flatMap((cell, other) => (other === index ? [] : (cell?.paths ?? []))));
    const onlyHere = own.filter((path) => !others.has(path));
    if (onlyHere.length > 0) parts.push(`only in ${stack}: ${onlyHere.join(", ")}`);
  });
  return parts.length > 0 ? `different properties (${parts.join("; ")})` : "different properties";
}

/** Matches resources across stacks and lists those that do not change the same way everywhere. */
export function compareStacks(stacks: readonly StackReportInput[]): StackComparison {
  const byKey = new Map<string, { type: string; name: string; cells: Array<ComparisonCell | undefined> }>();
  stacks.forEach((stack, stackIndex) => {
    const resources = [...stack.resources]
      .filter((resource) => resource.op !== "same")
      .sort((a, b) => compareText(a.urn, b.urn));
    for (const resource of resources) {
      const urn = tryParseUrn(resource.urn);
      const type = urn?.type ?? resource.type;
      const name = stripStackName(resource.name, [stack.name, urn?.stack ?? ""]);
      let key = `${type}\u0000${name}`;
      for (let n = 2; byKey.get(key)?.cells[stackIndex] !== undefined; n += 1)
        key = `${type}\u0000${name}\u0000${n}`;
      const entry = byKey.get(key) ?? { type, name, cells: stacks.map(() => undefined) };
      entry.cells[stackIndex] = cellOf(resource);
      byKey.set(key, entry);
    }
  });
  const names = stacks.map((stack) => stack.name);
  const rows: ComparisonRow[] = [];
  let identical = 0;
  for (const entry of byKey.values()) {
    const [first, ...rest] = entry.cells;
    if (first !== undefined && rest.every((cell) => cell !== undefined && sameCell(first, cell))) {
      identical += 1;
      continue;
    }
    rows.push({ ...entry, note: describeDifference(names, entry.cells) });
  }
  rows.sort((a, b) => compareText(a.type, b.type) || compareText(a.name, b.name));
  return { stacks: names, rows, identical };
}
