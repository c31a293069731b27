/**
 * The estimate on everything golive plans: both stacks and the five examples, each run under the
 * recording engine as `golive plan` runs it (`pulumi up` against mocks). Two checks per stack:
 *
 * - completeness: every type the program creates has a catalogue entry (priced, free or not priced
 *   with a reason); a new resource type without one fails here;
 * - golden estimates (test/golden/cost/<stack>.json): the total, fixed and usage parts and each
 *   resource's monthly cost. `UPDATE_GOLDEN=1 npx vitest run test/cost-stacks.test.ts` rewrites
 *   them; review the diff like a price change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RawConfig } from "../config/load";
import { coverageOf, priceCatalogue } from "../lib/cost/catalogue";
import type { CostEstimate } from "../lib/cost/model";
import { PRICERS } from "../lib/cost/pricers";
import type { Recording } from "../tooling/engine/record";
import { planResourcesOf } from "../tooling/cli/cost-command";
import { planCost } from "../tooling/plan/cost";
import { readStackFile, withPlaceholderSecrets } from "../tooling/stack-files";
import { recordStack } from "./support/record-stack";
import { REPO_ROOT, stackConfig } from "./support/stacks";

const EXAMPLES = ["budgetzen-notifications", "piggybong", "bee-mvp", "alaska-pay", "dirt-free-crm"] as const;
const ENVIRONMENTS = ["staging", "prod"] as const;
const goldenDir = path.join(REPO_ROOT, "test", "golden", "cost");
const updateGoldens = process.env.UPDATE_GOLDEN === "1";

interface Case {
  readonly name: string;
  readonly environment: (typeof ENVIRONMENTS)[number];
  readonly config: () => RawConfig;
}

const CASES: Case[] = [
  ...ENVIRONMENTS.map((environment) => ({
    name: environment,
    environment,
    config: () => stackConfig(environment),
  })),
  ...EXAMPLES.flatMap((example) =>
    ENVIRONMENTS.map((environment) => ({
      name: `${example}.${environment}`,
      environment,
      config: () =>
        withPlaceholderSecrets(
          readStackFile(path.join(REPO_ROOT, "examples", example, `Pulumi.${environment}.yaml`), environment),
        ).config,
    })),
  ),
];

/** What the golden keeps: totals and each resource's monthly cost, so a diff reads like a bill. */
function goldenOf(cost: CostEstimate): unknown {
  return {
    monthlyUsd: cost.monthlyUsd,
    fixedUsd: cost.fixedUsd,
    usageUsd: cost.usageUsd,
    budget: cost.budget ?? null,
    byComponent: Object.fromEntries(cost.byComponent.map((entry) => [entry.component, entry.monthlyUsd])),
    byResource: Object.fromEntries(cost.byResource.map((entry) => [entry.name, entry.monthlyUsd])),
    unpriced: cost.unpriced.map((entry) => `${entry.type}: ${entry.resources.join(", ")}`),
    assumptions: cost.assumptions.map(
      (entry) => `${entry.key}=${JSON.stringify(entry.value)} (${entry.source})`,
    ),
  };
}

describe.each(CASES)("cost of $name", ({ name, environment, config }) => {
  let recording: Recording;
  let cost: CostEstimate;

  it("runs under the engine and is estimated", async () => {
    recording = await recordStack(environment, { preview: false, config: config() });
    cost = planCost(planResourcesOf(recording, REPO_ROOT), recording.config);
    expect(cost.monthlyUsd).toBeGreaterThan(0);
  }, 300_000);

  it("has a catalogue entry for every type the program creates", () => {
    const catalogue = priceCatalogue();
    const custom = [...new Set(recording.resources.filter((r) => r.custom).map((r) => r.type))]
      .filter((type) => !type.startsWith("pulumi:providers:"))
      .sort();
    const missing = custom.filter((type) => coverageOf(catalogue, type).kind === "unknown");
    expect(
      missing,
      "add these types to lib/cost/prices.json (priced, free or notPriced with a reason)",
    ).toEqual([]);
    const pricedWithoutPricer = custom.filter(
      (type) => coverageOf(catalogue, type).kind === "priced" && PRICERS[type] === undefined,
    );
    expect(pricedWithoutPricer).toEqual([]);
    // Nothing is counted as zero silently: anything not priced is named.
    expect(cost.unpriced.filter((entry) => entry.kind === "unknown")).toEqual([]);
  });

  it("matches its golden estimate", () => {
    const file = path.join(goldenDir, `${name}.json`);
    const text = `${JSON.stringify(goldenOf(cost), null, 2)}\n`;
    if (updateGoldens) {
      mkdirSync(goldenDir, { recursive: true });
      writeFileSync(file, text);
    }
    expect(
      existsSync(file),
      `missing ${file}: run UPDATE_GOLDEN=1 npx vitest run test/cost-stacks.test.ts`,
    ).toBe(true);
    expect(text).toBe(readFileSync(file, "utf8"));
  });
});

describe("cost in preview mode", () => {
  it("prices the prod stack as `pulumi preview` runs it the same as `pulumi up`", async () => {
    const recording = await recordStack("prod", { preview: true });
    const cost = planCost(planResourcesOf(recording, REPO_ROOT), recording.config);
    const golden = JSON.parse(readFileSync(path.join(goldenDir, "prod.json"), "utf8")) as {
      monthlyUsd: number;
    };
    expect(cost.monthlyUsd).toBe(golden.monthlyUsd);
    expect(cost.notes.join("\n")).not.toContain("not known until apply");
  }, 300_000);
});
