/**
 * The plan files of a stack, writing them, and `--check`: comparing what is committed with what a
 * fresh run produces.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface PlanFile {
  /** Absolute path. */
  readonly file: string;
  readonly content: string;
}

export function planFilesOf(outDir: string, stack: string, json: string, markdown: string): PlanFile[] {
  return [
    { file: path.join(outDir, `${stack}.json`), content: json },
    { file: path.join(outDir, `${stack}.md`), content: markdown },
  ];
}

export function writePlanFiles(files: readonly PlanFile[]): void {
  for (const { file, content } of files) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content, "utf8");
  }
}

export interface StaleFile {
  readonly file: string;
  readonly reason: "missing" | "differs" | "no such stack";
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Committed files that differ from, or are missing for, a fresh plan. */
export function staleFiles(expected: readonly PlanFile[]): StaleFile[] {
  const stale: StaleFile[] = [];
  for (const { file, content } of expected) {
    const committed = readIfExists(file);
    if (committed === undefined) stale.push({ file, reason: "missing" });
    else if (committed !== content) stale.push({ file, reason: "differs" });
  }
  return stale;
}

/** Plan files in `outDir` for stacks that no longer exist. */
export function orphanPlanFiles(outDir: string, stacks: readonly string[]): StaleFile[] {
  if (!existsSync(outDir)) return [];
  const known = new Set(stacks.flatMap((stack) => [`${stack}.json`, `${stack}.md`]));
  return readdirSync(outDir)
    .filter((name) => /\.(json|md)$/.test(name) && !known.has(name))
    .sort()
    .map((name) => ({ file: path.join(outDir, name), reason: "no such stack" as const }));
}

/** A unified-style excerpt of the first differing lines, so CI logs show what changed. */
export function firstDifference(committed: string, fresh: string, context = 2): string {
  const before = committed.split("\n");
  const after = fresh.split("\n");
  let index = 0;
  while (index < before.length && index < after.length && before[index] === after[index]) index += 1;
  const start = Math.max(0, index - context);
  const lines = [`@@ line ${index + 1} @@`];
  for (let i = start; i < index; i += 1) lines.push(`  ${before[i]}`);
  for (let i = index; i < Math.min(before.length, index + 3); i += 1) lines.push(`- ${before[i]}`);
  for (let i = index; i < Math.min(after.length, index + 3); i += 1) lines.push(`+ ${after[i]}`);
  return lines.join("\n");
}
