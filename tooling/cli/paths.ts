/**
 * Where commands write: checked before any work starts, so a bad `--out` or `--sarif` is bad input
 * (exit 2, the path named), never a hang on a virtual file system or an "internal error".
 */
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

/** Kernel file systems: writing plan files there hangs, fails or does something else entirely. */
const VIRTUAL_ROOTS = ["/proc", "/sys", "/dev"];

function virtualRoot(target: string): string | undefined {
  return VIRTUAL_ROOTS.find((root) => target === root || target.startsWith(`${root}/`));
}

function statOf(target: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(target);
  } catch {
    return undefined;
  }
}

/** The nearest existing directory at or above `target`, and a problem if something else is in the way. */
function existingAncestor(target: string, option: string): { dir: string } | { problem: string } {
  let current = target;
  for (;;) {
    const stat = statOf(current);
    if (stat !== undefined) {
      if (!stat.isDirectory()) {
        return { problem: `${option} ${target}: ${current} is a file, not a directory` };
      }
      return { dir: current };
    }
    const parent = path.dirname(current);
    if (parent === current) return { problem: `${option} ${target}: no part of the path exists` };
    current = parent;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why `dir` cannot take output files, or undefined. */
export function outputDirProblem(dir: string, option: string): string | undefined {
  const root = virtualRoot(dir);
  if (root !== undefined) {
    return `${option} ${dir} is under ${root}, a kernel file system; give a directory on disk`;
  }
  const ancestor = existingAncestor(dir, option);
  if ("problem" in ancestor) return `${ancestor.problem}; ${option} takes a directory`;
  if (!writable(ancestor.dir)) return `${option} ${dir}: ${ancestor.dir} is not writable`;
  return undefined;
}

/** Why `file` cannot be written, or undefined. */
export function outputFileProblem(file: string, option: string): string | undefined {
  const root = virtualRoot(file);
  if (root !== undefined) {
    return `${option} ${file} is under ${root}, a kernel file system; give a file on disk`;
  }
  if (statOf(file)?.isDirectory()) return `${option} ${file} is a directory; give a file name`;
  const parent = path.dirname(file);
  const parentStat = statOf(parent);
  if (parentStat === undefined) return `${option} ${file}: the directory ${parent} does not exist`;
  if (!parentStat.isDirectory()) return `${option} ${file}: ${parent} is a file, not a directory`;
  if (!writable(parent)) return `${option} ${file}: ${parent} is not writable`;
  return undefined;
}

/** Runs a write; a file-system error becomes a message naming the path (undefined when it worked). */
export function writeOutput(write: () => void, target: string, option: string): string | undefined {
  try {
    write();
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `${option} ${target}: cannot write there (${code ?? (error as Error).message})`;
  }
}
