/**
 * `golive cost`: the monthly cost estimate of each stack (lib/cost), per component and resource,
 * fixed against usage-driven, with the types it could not price and the assumptions it used.
 * It runs the program offline as `golive plan` does (mock providers, no cloud calls, no policy
 * pack), or reads the cost section of plan files that `golive plan` wrote.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { formatUsd } from "../../lib/cost/format";
import type { CostEstimate } from "../../lib/cost/model";
import { parsePlan, PlanFileError } from "../diff/plan-diff";
import { recordProgram, type Recording } from "../engine/record";
import { planCost } from "../plan/cost";
import type { PlanResource } from "../plan/model";
import {
  PlanInputError,
  programOf,
  readProject,
  withProjectDefaults,
  type PulumiProject,
} from "../plan/project";
import { toPlanObject } from "../plan/values";
import { readStackFile, withPlaceholderSecrets } from "../stack-files";
import { EXIT, UsageError, type CommandIo } from "./io";
import { targetsOf } from "./targets";
import type { StackTarget } from "../plan/run";

export const COST_USAGE = `Usage: golive cost [--stack NAME|all] [--program DIR] [--config FILE] [--json] [--check-budget]
       golive cost PLAN.json...

The monthly cost estimate of each stack: total, fixed and usage-driven, per component and per
resource, the types that are not priced (by name), and every assumption used
(golive:billing.assumptions; docs/cost.md). Runs the program offline (mock providers, no cloud
calls), or reads the cost section of plans written by \`golive plan\`.

  --stack NAME|all  The stack to estimate (default: all, every Pulumi.<stack>.yaml of the project).
  --program DIR     The Pulumi project (the directory with Pulumi.yaml); default: the current directory.
  --config FILE     A stack file to use instead of Pulumi.<stack>.yaml.
  --json            Print the estimates as JSON ({"<stack>": estimate}).
  --check-budget    Exit 1 when an estimate passes 80% of golive:billing.monthlyBudgetUsd.
  --help            Show this help.

Exit codes: 0 estimated; 1 over budget (with --check-budget); 2 bad usage or input.
`;

interface CostArgs {
  readonly stack?: string;
  readonly program?: string;
  readonly config?: string;
  readonly json: boolean;
  readonly checkBudget: boolean;
  readonly help: boolean;
  readonly plans: readonly string[];
}

function parseCostArgs(argv: readonly string[]): CostArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        program: { type: "string" },
        config: { type: "string" },
        json: { type: "boolean", default: false },
        "check-budget": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  for (const key of ["stack", "program", "config"] as const) {
    if (values[key] === "") throw new UsageError(`--${key} needs a value`);
  }
  if (
    positionals.length > 0 &&
    (values.stack !== undefined || values.program !== undefined || values.config !== undefined)
  ) {
    throw new UsageError("give plan files or --stack/--program/--config, not both");
  }
  return {
    ...(values.stack !== undefined ? { stack: values.stack } : {}),
    ...(values.program !== undefined ? { program: values.program } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
    json: values.json === true,
    checkBudget: values["check-budget"] === true,
    help: values.help === true,
    plans: positionals,
  };
}

/** The recording's resources in the plan's shape (component URNs, inputs as plan values). */
export function planResourcesOf(recording: Recording, projectDir: string): PlanResource[] {
  const byUrn = new Map(recording.resources.map((resource) => [resource.urn, resource]));
  const componentOf = (parentUrn: string | undefined): string | undefined => {
    const seen = new Set<string>();
    while (parentUrn !== undefined && !seen.has(parentUrn)) {
      seen.add(parentUrn);
      const parent = byUrn.get(parentUrn);
      if (parent === undefined || parent.type === "pulumi:pulumi:Stack") return undefined;
      if (!parent.custom) return parent.urn;
      parentUrn = parent.parent;
    }
    return undefined;
  };
  return recording.resources.map((resource) => {
    const component = componentOf(resource.parent);
    const dependencies = [...new Set(resource.options.dependencies)];
    return {
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      custom: resource.custom,
      ...(component !== undefined ? { component } : {}),
      ...(resource.origin !== "registered" ? { origin: resource.origin } : {}),
      inputs: toPlanObject(resource.inputs, { projectDir }),
      ...(dependencies.length > 0 ? { dependencies } : {}),
    };
  });
}

async function estimateStack(project: PulumiProject, target: StackTarget): Promise<CostEstimate> {
  const raw = withProjectDefaults(readStackFile(target.configFile, target.stack), project);
  const { config } = withPlaceholderSecrets(raw);
  const previous = process.cwd();
  process.chdir(project.dir);
  let recording: Recording;
  try {
    recording = await recordProgram({
      program: programOf(project),
      project: project.name,
      stack: target.stack,
      config: config.values,
      secretKeys: [...config.secretKeys].filter((key) => key in config.values),
      preview: false,
      rootDirectory: project.dir,
    });
  } finally {
    process.chdir(previous);
  }
  return planCost(planResourcesOf(recording, project.dir), recording.config);
}

function readPlanCost(file: string, cwd: string): { stack: string; cost: CostEstimate } {
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    throw new PlanFileError(file, `cannot be read (${(error as Error).message})`);
  }
  const plan = parsePlan(text, file);
  if (plan.cost === undefined) {
    throw new PlanFileError(file, "has no cost section; regenerate it with `npm run plan`");
  }
  return { stack: plan.stack, cost: plan.cost };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

/** The estimate as terminal text. */
export function formatCostText(stack: string, cost: CostEstimate): string {
  const lines = [
    `${stack}: ${formatUsd(cost.monthlyUsd)}/month (${formatUsd(cost.fixedUsd)} fixed, ${formatUsd(cost.usageUsd)} usage-driven; price catalogue ${cost.catalogueVersion})`,
  ];
  if (cost.budget !== undefined) {
    lines.push(
      cost.budget.exceeded
        ? `  ⚠ ${cost.budget.percent}% of the ${formatUsd(cost.budget.monthlyBudgetUsd)} monthly budget, above ${cost.budget.warnPercent}% (BILL-01)`
        : `  ${cost.budget.percent}% of the ${formatUsd(cost.budget.monthlyBudgetUsd)} monthly budget`,
    );
  }
  const width = Math.max(
    12,
    ...cost.byComponent.map((component) => (component.component || "(top level)").length),
  );
  lines.push("  by component:");
  for (const component of cost.byComponent) {
    lines.push(
      `    ${pad(component.component || "(top level)", width)}  ${pad(formatUsd(component.monthlyUsd), 10)} (${formatUsd(component.fixedUsd)} fixed, ${formatUsd(component.usageUsd)} usage)`,
    );
  }
  const top = [...cost.byResource]
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd || (a.urn < b.urn ? -1 : 1))
    .slice(0, 10);
  lines.push("  largest resources:");
  for (const resource of top)
    lines.push(`    ${pad(resource.name, width)}  ${formatUsd(resource.monthlyUsd)}`);
  if (cost.unpriced.length > 0) {
    lines.push("  not priced (not in the total):");
    for (const type of cost.unpriced)
      lines.push(`    ${type.type} (${type.resources.join(", ")}): ${type.reason}`);
  }
  lines.push("  assumptions:");
  for (const assumption of cost.assumptions) {
    lines.push(
      `    ${assumption.key} = ${JSON.stringify(assumption.value)} (${assumption.source}): ${assumption.description}`,
    );
  }
  lines.push(...cost.notes.map((note) => `  note: ${note}`));
  return `${lines.join("\n")}\n`;
}

export async function runCostCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let args: CostArgs;
  try {
    args = parseCostArgs(argv);
  } catch (error) {
    io.stderr(`golive cost: ${(error as Error).message}\n\n${COST_USAGE}`);
    return EXIT.badInput;
  }
  if (args.help) {
    io.stdout(COST_USAGE);
    return EXIT.ok;
  }
  const estimates: Array<{ stack: string; cost: CostEstimate }> = [];
  try {
    if (args.plans.length > 0) {
      for (const file of args.plans) estimates.push(readPlanCost(file, io.cwd));
    } else {
      const project = readProject(path.resolve(io.cwd, args.program ?? "."));
      for (const target of targetsOf(args, project, io.cwd)) {
        estimates.push({ stack: target.stack, cost: await estimateStack(project, target) });
      }
    }
  } catch (error) {
    if (
      error instanceof PlanInputError ||
      error instanceof PlanFileError ||
      (error instanceof Error && (error.name === "ConfigError" || error.name === "StackFileError"))
    ) {
      io.stderr(`golive cost: ${error.message}\n`);
      return EXIT.badInput;
    }
    throw error;
  }
  if (args.json) {
    io.stdout(
      `${JSON.stringify(Object.fromEntries(estimates.map(({ stack, cost }) => [stack, cost])), null, 2)}\n`,
    );
  } else {
    io.stdout(estimates.map(({ stack, cost }) => formatCostText(stack, cost)).join("\n"));
  }
  const over = estimates.filter(({ cost }) => cost.budget?.exceeded === true);
  if (args.checkBudget && over.length > 0) {
    io.stderr(`golive cost: over 80% of the monthly budget: ${over.map(({ stack }) => stack).join(", ")}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
