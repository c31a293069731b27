/** BILL: a monthly budget with actual and forecast alerts, and cost anomaly detection routed to a channel. */
import { z } from "zod";
import { reportEstimateAgainstBudget } from "./bill-cost";
import { readConfigKey } from "./lib/config";
import type { Check, PolicySpec } from "./lib/define";
import { list, num, peekString, record, StackIndex } from "./lib/props";
import { T } from "./lib/types";
import { leaves, peek, UNKNOWN } from "./lib/unknowns";

interface Notification {
  readonly notificationType?: unknown;
  readonly comparisonOperator?: unknown;
  readonly threshold?: unknown;
  readonly thresholdType?: unknown;
  readonly subscriberSnsTopicArns?: unknown;
  readonly subscriberEmailAddresses?: unknown;
}

/** The parts of `golive:billing` the pack reads: what the stack declared it may spend. */
const billingConfigSchema = z.object({
  monthlyBudgetUsd: z.number().optional(),
  anomaly: z.object({ minImpactUsd: z.number().optional() }).optional(),
});

function billingConfig(check: Check): z.infer<typeof billingConfigSchema> {
  const read = readConfigKey(check.ctx.config, "golive:billing", billingConfigSchema);
  return read.ok ? (read.value ?? {}) : {};
}

/**
 * A budget narrowed to some services, tags or accounts does not watch the environment's spend.
 * Only filters that name something count: provider state may carry empty filter shapes.
 */
function isFiltered(budget: unknown): boolean {
  return ["costFilters", "filterExpression"].some((key) =>
    leaves(peek(budget, key)).some(
      (leaf) => !leaf.unknown && leaf.value !== null && leaf.value !== undefined && leaf.value !== "",
    ),
  );
}

const ACTUAL_PERCENT = 80;
const FORECAST_PERCENT = 100;

function alertsAt(notifications: readonly Notification[], type: string, percent: number): boolean {
  return notifications.some((notification) => {
    const subscribers = [notification.subscriberSnsTopicArns, notification.subscriberEmailAddresses].some(
      (list) => Array.isArray(list) && list.length > 0,
    );
    return (
      notification.notificationType === type &&
      notification.comparisonOperator === "GREATER_THAN" &&
      notification.thresholdType === "PERCENTAGE" &&
      typeof notification.threshold === "number" &&
      notification.threshold <= percent &&
      subscribers
    );
  });
}

const monthlyBudget: PolicySpec = {
  name: "bill-01-monthly-budget",
  id: "BILL-01",
  description:
    "A monthly cost budget exists for the environment and alerts subscribers at 80% of actual spend and at 100% of forecast spend.",
  severity: "medium",
  remediationSteps:
    "Set golive:billing (monthly limit, alert percentages); the billing component creates the budget with ACTUAL 80% and FORECASTED 100% notifications to the warning topic.",
  resource: {
    types: [T.budget],
    validate(resource, check) {
      const label = `budget "${resource.name}"`;
      if (peekString(resource.props, "budgetType") !== "COST")
        check.violation(`${label} is not a COST budget`);
      if (peekString(resource.props, "timeUnit") !== "MONTHLY") check.violation(`${label} is not MONTHLY`);
      const limit = num(resource.props, "limitAmount");
      if (limit !== UNKNOWN && (limit === undefined || limit <= 0))
        check.violation(`${label} has no limitAmount`);
      const notifications = check.known(
        () => list(resource.props, "notifications"),
        `the notifications of ${label}`,
      );
      if (notifications === UNKNOWN) return;
      const entries = (notifications ?? []) as Notification[];
      if (!alertsAt(entries, "ACTUAL", ACTUAL_PERCENT)) {
        check.violation(`${label} does not alert subscribers when actual spend passes ${ACTUAL_PERCENT}%`);
      }
      if (!alertsAt(entries, "FORECASTED", FORECAST_PERCENT)) {
        check.violation(
          `${label} does not alert subscribers when forecast spend passes ${FORECAST_PERCENT}%`,
        );
      }
    },
  },
  stack(resources, check) {
    reportEstimateAgainstBudget(resources, check);
    const budgets = resources.filter((resource) => resource.type === T.budget);
    if (budgets.length === 0) {
      check.absent("no monthly cost budget exists for this environment");
      return;
    }
    // The declared budget must be the one watched: an unfiltered monthly budget at or below it.
    const declared = billingConfig(check).monthlyBudgetUsd;
    if (declared === undefined) return;
    const watching = budgets.some((budget) => {
      if (peekString(budget.props, "timeUnit") !== "MONTHLY" || isFiltered(budget.props)) return false;
      const limit = num(budget.props, "limitAmount");
      return limit === UNKNOWN || (limit !== undefined && limit <= declared);
    });
    if (!watching) {
      const found = budgets
        .map((budget) => {
          const limit = num(budget.props, "limitAmount");
          const filtered = isFiltered(budget.props) ? ", filtered" : "";
          return `"${budget.name}" (${typeof limit === "number" ? `${limit} USD` : "no limit"}${filtered})`;
        })
        .join(", ");
      check.violation(
        `no unfiltered monthly budget at or below the declared golive:billing.monthlyBudgetUsd (${declared} USD); found ${found}`,
      );
    }
  },
};

/** The smallest total impact (USD) that makes a subscription alert, when it says so plainly. */
function impactThreshold(subscription: unknown): number | typeof UNKNOWN | undefined {
  const legacy = num(subscription, "threshold");
  if (legacy !== undefined) return legacy;
  const dimension = record(subscription, "thresholdExpression", "dimension");
  if (dimension === UNKNOWN) return UNKNOWN;
  if (dimension === undefined || dimension.key !== "ANOMALY_TOTAL_IMPACT_ABSOLUTE") return undefined;
  const values = Array.isArray(dimension.values) ? dimension.values.map(Number) : [];
  return values.length > 0 && values.every(Number.isFinite) ? Math.min(...values) : undefined;
}

const anomalyDetection: PolicySpec = {
  name: "bill-02-cost-anomaly-detection",
  id: "BILL-02",
  description:
    "Cost anomaly detection is on (an anomaly monitor) and its subscription reaches an alert channel (an SNS topic or email).",
  severity: "medium",
  remediationSteps:
    "Keep golive:billing.anomaly on; the billing component creates the monitor and a subscription to the warning topic.",
  stack(resources, check) {
    const index = new StackIndex(resources);
    const monitors = index.ofType(T.anomalyMonitor);
    if (monitors.length === 0) {
      check.absent("no cost anomaly monitor exists");
      return;
    }
    const subscriptions = index.ofType(T.anomalySubscription);
    check.each(monitors, (monitor) => {
      const watching = subscriptions.filter((subscription) =>
        index
          .referencedBy(subscription, "monitorArnLists", [T.anomalyMonitor])
          .some((m) => m.urn === monitor.urn),
      );
      if (watching.length === 0) {
        check.violation(
          `anomaly monitor "${monitor.name}" has no subscription: anomalies reach no one`,
          monitor.urn,
        );
        return;
      }
      const routed = watching.some((subscription) => {
        const subscribers = list(subscription.props, "subscribers");
        if (subscribers === UNKNOWN) return true;
        const toTopic = index.referencedBy(subscription, "subscribers", [T.topic]).length > 0;
        const known = (subscribers ?? []).some((subscriber) => {
          const type = (subscriber as { type?: unknown }).type;
          return type === "SNS" || type === "EMAIL";
        });
        return toTopic || known;
      });
      if (!routed) {
        check.violation(
          `anomaly monitor "${monitor.name}" is not routed to an alert channel (SNS topic or email)`,
          monitor.urn,
        );
        return;
      }
      // A subscription that alerts only above the declared impact hides the anomalies the stack asked for.
      const declared = billingConfig(check).anomaly?.minImpactUsd;
      if (declared === undefined) return;
      const thresholds = watching.map((subscription) => impactThreshold(subscription.props));
      const heard = thresholds.some(
        (threshold) => threshold === UNKNOWN || threshold === undefined || threshold <= declared,
      );
      if (!heard) {
        check.violation(
          `anomaly monitor "${monitor.name}" alerts only above ${Math.min(...(thresholds as number[]))} USD of impact, more than the declared golive:billing.anomaly.minImpactUsd (${declared} USD)`,
          monitor.urn,
        );
      }
    });
  },
};

export const BILL_POLICIES: readonly PolicySpec[] = [monthlyBudget, anomalyDetection];
