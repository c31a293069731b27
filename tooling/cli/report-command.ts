/**
 * `golive report`: one Markdown PR comment from the `pulumi preview --json` output (and optionally
 * the `--event-log` file) of one or more stacks.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ReportInputError } from "../report/load";
import type { StackReportInput } from "../report/model";
import { DEFAULT_BUDGET, MIN_BUDGET, renderReportDetailed } from "../report/render";
import { buildStackReport } from "../report/stack";
import { EXIT, UsageError, type CommandIo } from "./io";

export const REPORT_USAGE = `Usage: golive report --stack NAME=PREVIEW.json[,EVENTS.ndjson] [--stack ...] [--out FILE] [--budget N]

Turns \`pulumi preview --json\` output into one Markdown PR comment.

  --stack NAME=PREVIEW[,EVENTS]  A stack's label, the stdout of \`pulumi preview --json\`, and optionally
                                 the file from \`--event-log\` (for policy results). Repeat per stack.
  --out FILE                     Write the comment to FILE instead of stdout.
  --budget N                     Maximum length in characters (default ${DEFAULT_BUDGET}, at least ${MIN_BUDGET}).
  --help                         Show this help.
`;

interface StackSpec {
  name: string;
  preview: string;
  events?: string;
}

interface ParsedArgs {
  help: boolean;
  stacks: StackSpec[];
  out?: string;
  budget: number;
}

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function parseStackSpec(value: string): StackSpec {
  const equals = value.indexOf("=");
  if (equals < 0) {
    throw new UsageError(`--stack expects NAME=PREVIEW.json[,EVENTS.ndjson], got "${value}"`);
  }
  const name = value.slice(0, equals);
  if (!STACK_NAME.test(name)) {
    throw new UsageError(
      `--stack "${value}": the name "${name}" must start with a letter or digit and use only letters, digits, ".", "_" and "-"`,
    );
  }
  const files = value.slice(equals + 1).split(",");
  const [preview, events, ...extra] = files;
  if (preview === undefined || preview === "" || extra.length > 0 || events === "") {
    throw new UsageError(
      `--stack "${value}": give one preview file and at most one event log, separated by a comma (NAME=PREVIEW.json,EVENTS.ndjson)`,
    );
  }
  return events === undefined ? { name, preview } : { name, preview, events };
}

function parseArgs(argv: readonly string[]): ParsedArgs {
  const args = [...argv];
  const parsed: ParsedArgs = { help: false, stacks: [], budget: DEFAULT_BUDGET };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "--help" || arg === "-h") {
      parsed.help = true;
      continue;
    }
    const match = /^(--stack|--out|--budget)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new UsageError(`unknown argument "${arg}"`);
    const flag = match[1] ?? "";
    let value = match[2];
    if (value === undefined) {
      value = args[i + 1];
      i += 1;
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    }
    if (flag === "--stack") {
      parsed.stacks.push(parseStackSpec(value));
    } else if (flag === "--out") {
      if (value === "") throw new UsageError("--out needs a file name");
      parsed.out = value;
    } else {
      if (!/^\d+$/.test(value) || Number(value) < MIN_BUDGET) {
        throw new UsageError(`--budget must be a whole number of at least ${MIN_BUDGET}, got "${value}"`);
      }
      parsed.budget = Number(value);
    }
  }
  if (!parsed.help && parsed.stacks.length === 0)
    throw new UsageError("give at least one --stack NAME=PREVIEW.json");
  const seen = new Set<string>();
  for (const stack of parsed.stacks) {
    if (seen.has(stack.name)) throw new UsageError(`the stack name "${stack.name}" is given twice`);
    seen.add(stack.name);
  }
  return parsed;
}

/** Reads a file named on the command line, relative to the command's working directory. */
async function readInput(io: CommandIo, file: string): Promise<string> {
  const resolved = path.resolve(io.cwd, file);
  try {
    return await readFile(resolved, "utf8");
  } catch (error) {
    // Node names the resolved path; the message names the file as the user wrote it.
    const reason = (error instanceof Error ? error.message : String(error)).split(resolved).join(file);
    throw new ReportInputError(file, `cannot read the file (${reason}). Check the path given to --stack.`);
  }
}

/**
 * Runs `golive report` (argv without "report"); resolves to the exit code. A preview that cannot be
 * read or parsed, or an `--out` that cannot be written, is bad input (2): a report has no "failed" verdict.
 */
export async function runReportCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`golive report: ${error.message}\n\n${REPORT_USAGE}`);
    return EXIT.badInput;
  }
  if (args.help) {
    io.stdout(REPORT_USAGE);
    return EXIT.ok;
  }
  try {
    const stacks: StackReportInput[] = [];
    for (const spec of args.stacks) {
      const preview = { file: spec.preview, text: await readInput(io, spec.preview) };
      const events =
        spec.events === undefined ? undefined : { file: spec.events, text: await readInput(io, spec.events) };
      stacks.push(
        buildStackReport(
          events === undefined ? { name: spec.name, preview } : { name: spec.name, preview, events },
        ),
      );
    }
    const report = renderReportDetailed(stacks, { budget: args.budget });
    if (args.out === undefined) {
      io.stdout(report.markdown);
    } else {
      const out = path.resolve(io.cwd, args.out);
      try {
        await writeFile(out, report.markdown, "utf8");
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).split(out).join(args.out);
        io.stderr(`golive report: cannot write ${args.out} (${reason}). Check the --out path.\n`);
        return EXIT.badInput;
      }
      const labels = report.labels.length > 0 ? report.labels.join(", ") : "none";
      io.stdout(
        `Wrote ${args.out} (${report.markdown.length} characters, detail: ${report.detail}, labels: ${labels})\n`,
      );
    }
    return EXIT.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`golive report: ${message}\n`);
    return EXIT.badInput;
  }
}
