/**
 * The `golive` command: offline plans, plan diffs, PR reports from real previews, database checks.
 * `bin/golive` runs this file through tsx; `runGolive` is the in-process entry tests use.
 */
import { runCostCommand } from "./cost-command";
import { runDbCommand } from "./db-command";
import { runDiffCommand } from "./diff-command";
import { EXIT, type CommandIo } from "./io";
import { runPlanCommand } from "./plan-command";
import { runReportCommand } from "./report-command";

export const GOLIVE_USAGE = `Usage: golive <command> [options]

Commands:
  plan      Offline plans of the stacks with the policy verdict (plans/<stack>.json and .md).
  diff      The change between two offline plans, as a PR comment.
  cost      The monthly cost estimate of each stack, with its assumptions.
  report    A PR comment from \`pulumi preview --json\` (and --event-log) output.
  db check  Apply migrations to a fresh Postgres and check row level security and user isolation.

Run \`golive <command> --help\` for a command's options.
`;

/** Runs a golive command line (without the program name); resolves to the exit code. */
export async function runGolive(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "plan":
      return runPlanCommand(rest, io);
    case "diff":
      return runDiffCommand(rest, io);
    case "cost":
      return runCostCommand(rest, io);
    case "report":
      return runReportCommand(rest, io);
    case "db":
      return runDbCommand(rest, io);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.stdout(GOLIVE_USAGE);
      return command === undefined ? EXIT.badInput : EXIT.ok;
    default:
      io.stderr(`golive: unknown command "${command}"\n\n${GOLIVE_USAGE}`);
      return EXIT.badInput;
  }
}

function writeAll(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (text === "") resolve();
    else stream.write(text, () => resolve());
  });
}

/** The process entry: runs the command, then exits (the Pulumi SDK can leave handles open). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const pending: Promise<void>[] = [];
  const io: CommandIo = {
    stdout: (text) => pending.push(writeAll(process.stdout, text)),
    stderr: (text) => pending.push(writeAll(process.stderr, text)),
    isTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    ownsProcess: true,
  };
  let code: number;
  try {
    code = await runGolive(argv, io);
  } catch (error) {
    // Anything unexpected is a bug in golive: the message first, the stack only on request.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`golive: internal error: ${message}\n`);
    if (process.env.GOLIVE_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    else io.stderr("Set GOLIVE_DEBUG=1 for the stack trace, and please report it.\n");
    code = EXIT.internal;
  }
  await Promise.all(pending);
  process.exit(code);
}

if (require.main === module) void main();
