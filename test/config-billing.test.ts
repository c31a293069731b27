import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import { billingSchema } from "../config/schema/billing";
import { problemAt, problemsOf } from "./support/config-problems";
import { editKey, stackConfig } from "./support/stacks";

type Json = Record<string, unknown>;
const obj = (value: unknown) => value as Json;

describe("the committed stacks' billing sections", () => {
  it("prod: budget alerts at 80% actual and 100% forecast (BILL-01)", () => {
    const config = parseStackConfig(stackConfig("prod"));
    expect(config.billing.actualAlertPercent).toBe(80);
    expect(config.billing.forecastAlertPercent).toBe(100);
  });

  it("defaults: the anomaly monitor's minimum impact is 50 USD", () => {
    expect(billingSchema.parse({ monthlyBudgetUsd: 100 }).anomaly.minImpactUsd).toBe(50);
  });
});

describe("bad billing config", () => {
  it("a budget of 0", () => {
    const raw = editKey(stackConfig("prod"), "golive:billing", (billing) => {
      billing.monthlyBudgetUsd = 0;
    });
    const problem = problemAt(problemsOf(raw), "golive:billing.monthlyBudgetUsd");
    expect(problem.message).toBe("must be greater than 0");
    expect(problem.fix).toBe("pulumi config set --stack prod --path 'golive:billing.monthlyBudgetUsd' 500");
  });

  it("a budget of 0 is refused in staging too", () => {
    const raw = editKey(stackConfig("staging"), "golive:billing", (billing) => {
      billing.monthlyBudgetUsd = 0;
    });
    expect(problemAt(problemsOf(raw), "golive:billing.monthlyBudgetUsd").message).toBe(
      "must be greater than 0",
    );
  });

  it("a missing billing section", () => {
    const raw = stackConfig("prod");
    const values = { ...raw.values };
    delete values["golive:billing"];
    expect(problemAt(problemsOf({ ...raw, values }), "golive:billing").message).toContain("is required");
  });

  it("an anomaly threshold at or above the budget", () => {
    const raw = editKey(stackConfig("prod"), "golive:billing", (billing) => {
      obj(billing.anomaly).minImpactUsd = 1000;
    });
    expect(problemAt(problemsOf(raw), "golive:billing.anomaly.minImpactUsd").message).toContain(
      "below the monthly budget",
    );
  });

  it("prod budget alerts later than 80% actual / 100% forecast", () => {
    const raw = editKey(stackConfig("prod"), "golive:billing", (billing) => {
      billing.actualAlertPercent = 90;
      billing.forecastAlertPercent = 120;
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:billing.actualAlertPercent").message).toContain("BILL-01");
    expect(problemAt(problems, "golive:billing.forecastAlertPercent").message).toContain("BILL-01");
  });
});
