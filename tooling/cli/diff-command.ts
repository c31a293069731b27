/**
 * `golive diff BASE HEAD`: the change between two offline plans (files, or `plans/` directories
 * paired by stack) as the Markdown comment `golive report` renders for a real preview.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_BUDGET, MIN_BUDGET, renderReportDetailed } from "../report/render";
import type { StackReportInput } from "../report/model";
import { EXIT, UsageError, type CommandIo } from "./io";
import { diffPlans, parsePlan, PlanFileError, type PlanPair } from "../diff/plan-diff";

export const DIFF_USAGE = `Usage: golive diff BASE HEAD [--out FILE] [--budget N] [--title TEXT]

Compares two offline plans and writes the change as the Markdown comment \`golive report\` writes
for a real preview. BASE and HEAD are plan files (plans/<stack>.json), or two plans/ directories
whose plans are paired by stack (a plan only in HEAD is a new stack, one only in BASE a removed one).

  --out FILE     Write the comment to FILE instead of stdout.
  --budget N     Maximum length in characters (default ${DEFAULT_BUDGET}, at least ${MIN_BUDGET}).
  --title TEXT   The comment's heading (default "Offline plan diff").
  --help         Show this help.

Exit codes: 0 written; 2 bad usage or a file that is not a golive plan.
`;

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function readPlan(file: string, cwd: string): { file: string; plan: ReturnType<typeof parsePlan> } {
  const display = path.relative(cwd, file).startsWith("..") ? file : path.relative(cwd, file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new PlanFileError(display, "cannot be read; check the path (plan files are plans/<stack>.json)");
  }
  return { file: display, plan: parsePlan(text, display) };
}

function planFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort();
}

/** Pairs plans: two files, or two directories by file name. */
export function pairPlans(base: string, head: string, cwd: string): PlanPair[] {
  const basePath = path.resolve(cwd, base);
  const headPath = path.resolve(cwd, head);
  const baseIsDir = isDirectory(basePath);
  const headIsDir = isDirectory(headPath);
  if (baseIsDir !== headIsDir && existsSync(basePath) && existsSync(headPath)) {
    throw new UsageError("give two plan files or two plans/ directories, not one of each");
  }
  if (!baseIsDir && !headIsDir) return [{ before: readPlan(basePath, cwd), after: readPlan(headPath, cwd) }];
  for (const [name, dir] of [
    [base, basePath],
    [head, headPath],
  ] as const) {
    if (!isDirectory(dir)) throw new PlanFileError(name, "is not a directory of plan files");
  }
  const names = [...new Set([...planFilesIn(basePath), ...planFilesIn(headPath)])].sort();
  if (names.length === 0)
    throw new PlanFileError(head, "holds no plan files (plans/<stack>.json); run `npm run plan`");
  return names.map((name): PlanPair => {
    const before = existsSync(path.join(basePath, name))
      ? readPlan(path.join(basePath, name), cwd)
      : undefined;
    const after = existsSync(path.join(headPath, name))
      ? readPlan(path.join(headPath, name), cwd)
      : undefined;
    return { ...(before ? { before } : {}), ...(after ? { after } : {}) };
  });
}

/** Runs `golive diff` (argv without "diff"); resolves to the exit code. */
export async function runDiffCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let values: { out?: string; budget?: string; title?: string; help?: boolean };
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: {
        out: { type: "string" },
        budget: { type: "string" },
        title: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    });
    values = parsed.values;
    positionals = parsed.positionals;
    if (values.help !== true && positionals.length !== 2) {
      throw new UsageError(`give two plans, BASE and HEAD (got ${positionals.length})`);
    }
    if (values.budget !== undefined && (!/^\d+$/.test(values.budget) || Number(values.budget) < MIN_BUDGET)) {
      throw new UsageError(
        `--budget must be a whole number of at least ${MIN_BUDGET}, got "${values.budget}"`,
      );
    }
  } catch (error) {
    io.stderr(`golive diff: ${(error as Error).message}\n\n${DIFF_USAGE}`);
    return EXIT.badInput;
  }
  if (values.help === true) {
    io.stdout(DIFF_USAGE);
    return EXIT.ok;
  }
  let stacks: StackReportInput[];
  try {
    stacks = pairPlans(positionals[0]!, positionals[1]!, io.cwd).map((pair) => diffPlans(pair));
  } catch (error) {
    if (error instanceof PlanFileError || error instanceof UsageError) {
      io.stderr(`golive diff: ${error.message}\n`);
      return EXIT.badInput;
    }
    throw error;
  }
  const report = renderReportDetailed(stacks, {
    budget: values.budget !== undefined ? Number(values.budget) : DEFAULT_BUDGET,
    title: values.title ?? "Offline plan diff",
  });
  if (values.out === undefined) {
    io.stdout(report.markdown);
    return EXIT.ok;
  }
  const out = path.resolve(io.cwd, values.out);
  try {
    await writeFile(out, report.markdown, "utf8");
  } catch (error) {
    io.stderr(
      `golive diff: cannot write ${values.out} (${(error as Error).message}); check the --out path\n`,
    );
    return EXIT.badInput;
  }
  const labels = report.labels.length > 0 ? report.labels.join(", ") : "none";
  io.stdout(
    `Wrote ${values.out} (${report.markdown.length} characters, detail: ${report.detail}, labels: ${labels})\n`,
  );
  return EXIT.ok;
}
