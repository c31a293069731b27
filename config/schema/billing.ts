/**
 * `golive:billing`: the environment's monthly budget and cost anomaly detection (BILL-01, BILL-02).
 * Each environment has its own AWS account (ENV-01), so both watch the whole account.
 */
import { z } from "zod";
import { billingAssumptionsSchema } from "../../lib/cost/assumptions";
import type { AreaRuleIssue } from "./cdn";
import { example, usdAmount, usdCents } from "./common";

const thresholdPercent = z
  .number()
  .int("must be a whole percent")
  .min(1, "must be at least 1")
  .max(1000, "must be at most 1000");

/** `golive:billing`. */
export const billingSchema = z
  .strictObject({
    /** The monthly budget in USD (BILL-01). */
    monthlyBudgetUsd: usdAmount,
    /** Notify when actual spend passes this percent of the budget (BILL-01: 80). */
    actualAlertPercent: example(thresholdPercent, "80").default(80),
    /** Notify when forecast spend passes this percent of the budget (BILL-01: 100). */
    forecastAlertPercent: example(thresholdPercent, "100").default(100),
    anomaly: z
      .strictObject({
        /** Alert on anomalies whose total impact is at least this many USD. */
        minImpactUsd: example(usdAmount, "50").default(50),
        /**
         * An existing AWS services monitor to subscribe to. AWS allows one per account, and accounts
         * that opened Cost Explorer may already have the default one.
         */
        existingMonitorArn: example(
          z
            .string()
            .regex(
              /^arn:aws:ce::\d{12}:anomalymonitor\/[0-9a-f-]+$/,
              "must be an anomaly monitor ARN (arn:aws:ce::<account>:anomalymonitor/<id>)",
            ),
          "arn:aws:ce::123456789012:anomalymonitor/12345678-abcd-ef01-2345-6789abcdef01",
        ).optional(),
      })
      .prefault({}),
    /** What the cost estimate cannot read from the stack (log volumes, backup sizes, plans); docs/cost.md. */
    assumptions: billingAssumptionsSchema.prefault({}),
  })
  .superRefine((billing, ctx) => {
    if (usdCents(billing.anomaly.minImpactUsd) >= usdCents(billing.monthlyBudgetUsd)) {
      ctx.addIssue({
        code: "custom",
        path: ["anomaly", "minImpactUsd"],
        message: `must be below the monthly budget (${billing.monthlyBudgetUsd} USD), or no anomaly would ever alert`,
      });
    }
  });

export type BillingConfig = z.infer<typeof billingSchema>;

/** Rules of `golive:billing` per environment. */
export function checkBillingRules(billing: BillingConfig, environment: "staging" | "prod"): AreaRuleIssue[] {
  const issues: AreaRuleIssue[] = [];
  if (environment !== "prod") return issues;
  if (billing.actualAlertPercent > 80) {
    issues.push({
      key: "golive:billing.actualAlertPercent",
      message: `prod warns at 80% of actual spend at the latest (BILL-01); it is ${billing.actualAlertPercent}`,
      fix: "pulumi config set --path 'golive:billing.actualAlertPercent' 80",
    });
  }
  if (billing.forecastAlertPercent > 100) {
    issues.push({
      key: "golive:billing.forecastAlertPercent",
      message: `prod warns at 100% of forecast spend at the latest (BILL-01); it is ${billing.forecastAlertPercent}`,
      fix: "pulumi config set --path 'golive:billing.forecastAlertPercent' 100",
    });
  }
  return issues;
}
