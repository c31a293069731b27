/**
 * The cost estimate of golive's own stacks (the five examples: test/cost-examples.test.ts, in the
 * end-to-end tier): completeness of the price catalogue and the golden estimates
 * (test/support/cost-cases.ts), and the same price in preview as in up.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planResourcesOf } from "../tooling/cli/cost-command";
import { planCost } from "../tooling/plan/cost";
import { COST_GOLDEN_DIR, describeCostCases, GOLIVE_STACK_CASES } from "./support/cost-cases";
import { recordStack } from "./support/record-stack";
import { REPO_ROOT } from "./support/stacks";

describeCostCases(GOLIVE_STACK_CASES);

describe("cost in preview mode", () => {
  it("prices the prod stack as `pulumi preview` runs it the same as `pulumi up`", async () => {
    const recording = await recordStack("prod", { preview: true });
    const cost = planCost(planResourcesOf(recording, REPO_ROOT), recording.config);
    const golden = JSON.parse(readFileSync(path.join(COST_GOLDEN_DIR, "prod.json"), "utf8")) as {
      monthlyUsd: number;
    };
    expect(cost.monthlyUsd).toBe(golden.monthlyUsd);
    expect(cost.notes.join("\n")).not.toContain("not known until apply");
  }, 300_000);
});
