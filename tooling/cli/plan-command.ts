/**
 * `golive plan`: offline plans of a Pulumi program's stacks with the policy verdict, written to
 * `plans/<stack>.json` and `plans/<stack>.md`, or compared with the committed ones (`--check`).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_CHANGE_WINDOW, describeWindow, isInsideWindow } from "../../policies/lib/change-window";
import { clockFromEnv } from "../../policies/lib/clock";
import {
  firstDifference,
  orphanPlanFiles,
  planFilesOf,
  staleFiles,
  writePlanFiles,
  type PlanFile,
  type StaleFile,
} from "../plan/files";
import { REGENERATE_COMMAND } from "../plan/markdown";
import { DEFAULT_POLICY_CLOCK, POLICY_CLOCK_ENV } from "../plan/settings";
import { readProject, type PulumiProject } from "../plan/project";
import {
  DEFAULT_PROGRAM_TIMEOUT_MS,
  PolicyPackError,
  PROGRAM_TIMEOUT_ENV,
  ProgramError,
  StackPlanError,
} from "../plan/errors";
import { boundedDuration } from "../../config/schema/common";
import { outputDirProblem, outputFileProblem, writeOutput } from "./paths";
import { targetsOf } from "./targets";
import type { PlannedStack, StackTarget } from "../plan/run";
import { resultsOfPlan, sarifOfPlans, type PlannedStackResults } from "../results/plan-results";
import { EXIT, UsageError, type CommandIo } from "./io";

export const PLAN_USAGE = `Usage: golive plan [--stack NAME|all] [--program DIR] [--config FILE] [--preview] [--out DIR] [--check]
                   [--policy-pack DIR] [--sarif FILE] [--results FILE] [--mocks FILE]

Runs a Pulumi TypeScript program offline (mock providers, no cloud calls) for each stack, runs the
policy pack over what it would deploy, and writes plans/<stack>.json and plans/<stack>.md.

  --stack NAME|all  The stack to plan (default: all, every Pulumi.<stack>.yaml of the project).
  --program DIR     The Pulumi project (the directory with Pulumi.yaml); default: the current directory.
  --config FILE     A stack file to use instead of Pulumi.<stack>.yaml (the stack is --stack or its name).
  --preview         Run as \`pulumi preview\` (computed values stay unknown) instead of \`pulumi up\`;
                    its plans go to <program>/plans/preview unless --out says otherwise, so the
                    committed plans (of \`pulumi up\`) are never overwritten.
  --out DIR         Where plan files go (default: <program>/plans).
  --check           Write nothing; fail when the files in --out differ from a fresh plan.
  --policy-pack DIR The CrossGuard pack to run (default: golive's policies/).
  --sarif FILE      Also write the policy findings of every stack as SARIF 2.1.0 (for code scanning).
  --results FILE    Also write them as golive's JSON results (one entry per stack).
  --mocks FILE      Answers to pin for data sources and computed outputs (default: the program's
                    golive.mocks.yaml, if any); see docs/programs.md.
  --help            Show this help.

The policy clock is pinned to ${DEFAULT_POLICY_CLOCK} (set ${POLICY_CLOCK_ENV} to change it).
Each program may run ${DEFAULT_PROGRAM_TIMEOUT_MS / 60_000} minutes (set ${PROGRAM_TIMEOUT_ENV}, e.g. 10m, to change it).
Exit codes: 0 plans written (or current) and no mandatory violation; 1 a mandatory violation or a
stale plan; 2 bad usage or input (unknown stack, missing file, config error); 3 the policy pack failed.
`;

interface PlanArgs {
  readonly stack?: string;
  readonly program?: string;
  readonly config?: string;
  readonly preview: boolean;
  readonly out?: string;
  readonly policyPack?: string;
  readonly sarif?: string;
  readonly results?: string;
  readonly mocks?: string;
  readonly check: boolean;
  readonly help: boolean;
}

function parsePlanArgs(argv: readonly string[]): PlanArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        program: { type: "string" },
        config: { type: "string" },
        preview: { type: "boolean", default: false },
        out: { type: "string" },
        "policy-pack": { type: "string" },
        sarif: { type: "string" },
        results: { type: "string" },
        mocks: { type: "string" },
        check: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  for (const key of [
    "stack",
    "program",
    "config",
    "out",
    "policy-pack",
    "sarif",
    "results",
    "mocks",
  ] as const) {
    if (values[key] === "") throw new UsageError(`--${key} needs a value`);
  }
  return {
    ...(values.stack !== undefined ? { stack: values.stack } : {}),
    ...(values.program !== undefined ? { program: values.program } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values["policy-pack"] !== undefined ? { policyPack: values["policy-pack"] } : {}),
    ...(values.sarif !== undefined ? { sarif: values.sarif } : {}),
    ...(values.results !== undefined ? { results: values.results } : {}),
    ...(values.mocks !== undefined ? { mocks: values.mocks } : {}),
    preview: values.preview === true,
    check: values.check === true,
    help: values.help === true,
  };
}

/** A planned stack with the pack's policy metadata, for SARIF rules. */
function stackResults(stack: PlannedStack): PlannedStackResults {
  return {
    plan: stack.plan,
    policies: stack.policy.info.policies.map((policy) => ({
      name: policy.name,
      description: policy.description,
      enforcementLevel: policy.enforcementLevel,
      type: policy.type,
      tags: policy.tags,
      ...(policy.severity !== undefined ? { severity: policy.severity } : {}),
      ...(policy.remediationSteps !== undefined ? { remediationSteps: policy.remediationSteps } : {}),
      ...(policy.url !== undefined ? { url: policy.url } : {}),
      ...(policy.framework !== undefined ? { framework: policy.framework } : {}),
    })),
  };
}

function describeClock(clock: string): string {
  const at = new Date(clock);
  const day = new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: "UTC" }).format(at);
  const time = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  }).format(at);
  const inside = isInsideWindow(at, DEFAULT_CHANGE_WINDOW) ? "inside" : "outside";
  return `${day} ${time} UTC, ${inside} the default prod change window (${describeWindow(DEFAULT_CHANGE_WINDOW)})`;
}

/** Errors that are the input's fault: shown as their message, exit 2. */
function isInputError(error: unknown): error is Error {
  return (
    error instanceof Error &&
    ["PlanInputError", "StackFileError", "ConfigError", "UsageError"].includes(error.name)
  );
}

function relativeToCwd(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith("..") ? file : relative;
}

/** `142 resources (126 custom, 8 components, 7 providers, 1 stack)`: the parts add up to the total. */
export function resourceCounts(summary: PlannedStack["plan"]["summary"]): string {
  const stacks = summary.resources - summary.customResources - summary.components - summary.providers;
  const parts = [
    `${summary.customResources} custom`,
    `${summary.components} components`,
    `${summary.providers} providers`,
    ...(stacks > 0 ? [`${stacks} stack`] : []),
  ];
  return `${summary.resources} resources (${parts.join(", ")})`;
}

function summarize(planned: PlannedStack, files: readonly PlanFile[], cwd: string): string[] {
  const { plan } = planned;
  const { summary } = plan;
  const where = files.map((file) => relativeToCwd(file.file, cwd)).join(", ");
  const lines = [
    `${plan.stack}: ${resourceCounts(summary)}; policies: ${summary.mandatoryViolations} mandatory, ${summary.advisoryViolations} advisory, ` +
      `${summary.undeterminable ?? 0} undeterminable, ${summary.otherFindings} other ` +
      `→ ${summary.verdict === "fail" ? "BLOCKED" : "pass"} (${where})`,
  ];
  const shortUrn = (urn: string | undefined): string =>
    urn ? ` (${urn.slice(urn.lastIndexOf("::") + 2)})` : "";
  const isBlocking = (level: string): boolean => level === "mandatory" || level === "remediate";
  const violations = plan.policy.violations.filter((entry) => entry.kind === "violation");
  // Blocking violations first, then advisories (staging's are advisory, and named all the same).
  const ordered = [
    ...violations.filter((entry) => isBlocking(entry.level)),
    ...violations.filter((entry) => !isBlocking(entry.level)),
  ];
  for (const violation of ordered) {
    const blocking = isBlocking(violation.level);
    const mark = blocking ? "✗" : "!";
    const level = blocking ? "" : " [advisory]";
    lines.push(`  ${mark} ${violation.policy}${level}${shortUrn(violation.urn)}: ${violation.message}`);
  }
  for (const check of plan.deferredChecks ?? []) {
    lines.push(`  … left to the deploy-time run (values unknown offline): ${check}`);
  }
  return lines;
}

function staleReport(stale: readonly StaleFile[], fresh: ReadonlyMap<string, string>, cwd: string): string {
  const lines = ["golive plan --check: these plan files are stale:"];
  for (const entry of stale) {
    const name = relativeToCwd(entry.file, cwd);
    if (entry.reason === "differs") {
      lines.push(`  ${name} differs from a fresh plan`);
      let committed = "";
      try {
        committed = readFileSync(entry.file, "utf8");
      } catch {
        committed = "";
      }
      const excerpt = firstDifference(committed, fresh.get(entry.file) ?? "");
      lines.push(...excerpt.split("\n").map((line) => `    ${line}`));
    } else if (entry.reason === "missing") {
      lines.push(`  ${name} is missing`);
    } else {
      lines.push(`  ${name} belongs to no stack; delete it`);
    }
  }
  lines.push(`Regenerate them with \`${REGENERATE_COMMAND}\` and commit the result.`);
  return `${lines.join("\n")}\n`;
}

function reportStackFailure(failure: StackPlanError, io: CommandIo): number {
  const cause = failure.failure;
  const where = `stack "${failure.stackName}" (${relativeToCwd(failure.configFile, io.cwd)})`;
  const inner = cause.cause instanceof Error ? cause.cause : cause;
  const debug = io.env.GOLIVE_DEBUG && inner.stack ? `${inner.stack}\n` : "";
  if (cause instanceof PolicyPackError) {
    io.stderr(`golive plan: ${where}: the policy pack failed: ${cause.message}\n${debug}`);
    return EXIT.internal;
  }
  if (cause instanceof ProgramError) {
    io.stderr(`golive plan: ${where}: the program failed: ${cause.message}\n${debug}`);
    return EXIT.badInput;
  }
  if (isInputError(cause)) {
    io.stderr(`golive plan: ${where}:\n${cause.message}\n`);
    return EXIT.badInput;
  }
  throw failure;
}

/** Runs `golive plan` (argv without "plan"); resolves to the exit code. */
export async function runPlanCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let args: PlanArgs;
  try {
    args = parsePlanArgs(argv);
  } catch (error) {
    io.stderr(`golive plan: ${(error as Error).message}\n\n${PLAN_USAGE}`);
    return EXIT.badInput;
  }
  if (args.help) {
    io.stdout(PLAN_USAGE);
    return EXIT.ok;
  }

  const clock = io.env[POLICY_CLOCK_ENV]?.trim() || DEFAULT_POLICY_CLOCK;
  const clockProblem = clockFromEnv({ [POLICY_CLOCK_ENV]: clock }).error;
  if (clockProblem !== undefined) {
    io.stderr(`golive plan: ${clockProblem}\n`);
    return EXIT.badInput;
  }

  let project: PulumiProject;
  let targets: StackTarget[];
  try {
    project = readProject(path.resolve(io.cwd, args.program ?? "."));
    targets = targetsOf(args, project, io.cwd);
  } catch (error) {
    if (!isInputError(error)) throw error;
    io.stderr(`golive plan: ${error.message}\n`);
    return EXIT.badInput;
  }
  // Preview plans never land on the committed plans of `pulumi up`.
  const outDir = path.resolve(
    io.cwd,
    args.out ?? (args.preview ? path.join(project.dir, "plans", "preview") : path.join(project.dir, "plans")),
  );
  const pathProblems = [
    ...(args.check ? [] : [outputDirProblem(outDir, "--out")]),
    ...(args.sarif !== undefined ? [outputFileProblem(path.resolve(io.cwd, args.sarif), "--sarif")] : []),
    ...(args.results !== undefined
      ? [outputFileProblem(path.resolve(io.cwd, args.results), "--results")]
      : []),
  ].filter((problem): problem is string => problem !== undefined);
  if (pathProblems.length > 0) {
    io.stderr(pathProblems.map((problem) => `golive plan: ${problem}\n`).join(""));
    return EXIT.badInput;
  }
  let programTimeoutMs = DEFAULT_PROGRAM_TIMEOUT_MS;
  const timeoutSetting = io.env[PROGRAM_TIMEOUT_ENV]?.trim();
  if (timeoutSetting) {
    const parsed = boundedDuration(24 * 3_600_000, "a day at most").safeParse(timeoutSetting);
    if (!parsed.success) {
      io.stderr(
        `golive plan: ${PROGRAM_TIMEOUT_ENV}: ${parsed.error.issues[0]?.message ?? "is not a duration"}\n`,
      );
      return EXIT.badInput;
    }
    programTimeoutMs = parsed.data;
  }
  if (args.preview && args.out === undefined) {
    io.stdout(
      `golive plan: --preview writes to ${relativeToCwd(outDir, io.cwd)}, apart from the committed plans\n`,
    );
  }
  const pinnedBy = io.env[POLICY_CLOCK_ENV]?.trim() ? POLICY_CLOCK_ENV : "golive plan's default";
  io.stdout(`golive plan: policy clock pinned to ${clock} (${describeClock(clock)}; set by ${pinnedBy})\n`);

  // Progress goes to stderr on a terminal and off it alike: the first plan takes a minute.
  const progress = (message: string) => io.stderr(`… ${message}\n`);
  let planned: PlannedStack[];
  try {
    // Loaded here, after the input is checked: it loads the Pulumi SDK, which takes seconds.
    const { planStacks } = await import("../plan/run.js");
    planned = await planStacks({
      project,
      targets,
      preview: args.preview,
      clock,
      baseEnv: io.env,
      ...(args.policyPack !== undefined ? { packDir: path.resolve(io.cwd, args.policyPack) } : {}),
      onProgress: progress,
      programTimeoutMs,
      hardTimeout: io.ownsProcess === true,
      ...(progress !== undefined ? { onProgress: progress } : {}),
      ...(args.mocks !== undefined ? { mocksFile: path.resolve(io.cwd, args.mocks) } : {}),
    });
  } catch (error) {
    if (!(error instanceof StackPlanError)) throw error;
    return reportStackFailure(error, io);
  }

  const expected: PlanFile[] = [];
  let blocked = false;
  for (const stack of planned) {
    const files = planFilesOf(outDir, stack.stack, stack.json, stack.markdown);
    expected.push(...files);
    if (!args.check) {
      const failed = writeOutput(() => writePlanFiles(files), outDir, "--out");
      if (failed !== undefined) {
        io.stderr(`golive plan: ${failed}\n`);
        return EXIT.badInput;
      }
    }
    blocked ||= stack.plan.summary.verdict === "fail";
    io.stdout(`${summarize(stack, files, io.cwd).join("\n")}\n`);
    for (const log of stack.policy.logs.filter(
      (entry) => entry.severity === "error" || entry.severity === "warning",
    )) {
      io.stderr(`  policy pack ${log.severity}: ${log.message}\n`);
    }
  }

  for (const [option, file, render] of [
    ["--sarif", args.sarif, () => `${JSON.stringify(sarifOfPlans(planned.map(stackResults)), null, 2)}\n`],
    [
      "--results",
      args.results,
      () =>
        `${JSON.stringify(
          planned.map((stack) => resultsOfPlan(stack.plan)),
          null,
          2,
        )}\n`,
    ],
  ] as const) {
    if (file === undefined) continue;
    const target = path.resolve(io.cwd, file);
    const failed = writeOutput(() => writeFileSync(target, render(), "utf8"), target, option);
    if (failed !== undefined) {
      io.stderr(`golive plan: ${failed}\n`);
      return EXIT.badInput;
    }
    io.stdout(`golive plan: ${option} ${relativeToCwd(target, io.cwd)} written\n`);
  }

  let stale: StaleFile[] = [];
  if (args.check) {
    stale = staleFiles(expected);
    if (args.config === undefined && (args.stack === undefined || args.stack === "all")) {
      stale.push(
        ...orphanPlanFiles(
          outDir,
          targets.map((target) => target.stack),
        ),
      );
    }
    if (stale.length > 0) {
      io.stderr(staleReport(stale, new Map(expected.map((file) => [file.file, file.content])), io.cwd));
    } else {
      io.stdout(`golive plan --check: ${expected.length} plan files are current.\n`);
    }
  }
  if (blocked) {
    io.stderr("golive plan: mandatory policy violations; a deploy would be blocked (see above).\n");
  }
  return blocked || stale.length > 0 ? EXIT.failed : EXIT.ok;
}
