/**
 * The cost estimate of a stack checked two ways, for test/cost-stacks.test.ts (golive's stacks) and
 * test/cost-examples.test.ts (the five examples), each stack run under the recording engine as
 * `golive plan` runs it (`pulumi up` against mocks):
 *
 * - completeness: every type the program creates has a catalogue entry (priced, free or not priced
 *   with a reason); a new resource type without one fails here;
 * - golden estimates (test/golden/cost/<stack>.json): the total, fixed and usage parts and each
 *   resource's monthly cost. `UPDATE_GOLDEN=1 npx vitest run test/cost-stacks.test.ts
 *   test/cost-examples.test.ts` rewrites them; review the diff like a price change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RawConfig } from "../../config/load";
import { coverageOf, priceCatalogue } from "../../lib/cost/catalogue";
import type { CostEstimate } from "../../lib/cost/model";
import { PRICERS } from "../../lib/cost/pricers";
import type { Recording } from "../../tooling/engine/record";
import { planResourcesOf } from "../../tooling/cli/cost-command";
import { planCost } from "../../tooling/plan/cost";
import { readStackFile, withPlaceholderSecrets } from "../../tooling/stack-files";
import { recordStack } from "./record-stack";
import { REPO_ROOT, stackConfig } from "./stacks";

export const COST_GOLDEN_DIR = path.join(REPO_ROOT, "test", "golden", "cost");
const updateGoldens = process.env.UPDATE_GOLDEN === "1";
const ENVIRONMENTS = ["staging", "prod"] as const;

interface CostCase {
  readonly name: string;
  readonly environment: (typeof ENVIRONMENTS)[number];
  readonly config: () => RawConfig;
}

/** golive's own two stacks, from the committed stack files. */
export const GOLIVE_STACK_CASES: readonly CostCase[] = ENVIRONMENTS.map((environment) => ({
  name: environment,
  environment,
  config: () => stackConfig(environment),
}));

/** Both stacks of each example (examples/<name>/Pulumi.<stack>.yaml, secrets as placeholders). */
export function exampleCostCases(examples: readonly string[]): CostCase[] {
  return examples.flatMap((example) =>
    ENVIRONMENTS.map((environment) => ({
      name: `${example}.${environment}`,
      environment,
      config: () =>
        withPlaceholderSecrets(
          readStackFile(path.join(REPO_ROOT, "examples", example, `Pulumi.${environment}.yaml`), environment),
        ).config,
    })),
  );
}

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

/** The completeness and golden checks, one `describe` per case. */
export function describeCostCases(cases: readonly CostCase[]): void {
  describe.each(cases)("cost of $name", ({ name, environment, config }) => {
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
      const file = path.join(COST_GOLDEN_DIR, `${name}.json`);
      const text = `${JSON.stringify(goldenOf(cost), null, 2)}\n`;
      if (updateGoldens) {
        mkdirSync(COST_GOLDEN_DIR, { recursive: true });
        writeFileSync(file, text);
      }
      expect(
        existsSync(file),
        `missing ${file}: run UPDATE_GOLDEN=1 npx vitest run test/cost-stacks.test.ts test/cost-examples.test.ts`,
      ).toBe(true);
      expect(text).toBe(readFileSync(file, "utf8"));
    });
  });
}
