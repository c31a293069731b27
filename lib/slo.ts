/**
 * Uptime as an objective (ALERT-01): the uptime target is a share of time over a 30-day period, so
 * its error budget is `1 - target` of that period. Alarms watch how fast the budget burns, over a
 * long and a short window at once (the multi-window, multi-burn-rate alerting of Google's SRE
 * workbook, "Alerting on SLOs"):
 *
 * - fast burn pages: 2% of the month's budget gone in an hour (burn rate 14.4), confirmed by the
 *   last 5 minutes still burning at that rate, so a recovered incident stops paging;
 * - slow burn warns: 5% gone in 6 hours (burn rate 6), confirmed by the last 30 minutes.
 *
 * The measured error ratio is the share of Route 53 checkers that see the app unhealthy,
 * `(100 - HealthCheckPercentageHealthy) / 100` per period: a full outage is 1 (every checker fails:
 * Route 53 publishes 0%, not nothing), one checker's blip among ~16 is ~0.06 for a minute.
 */

/** The period the objective is measured over. */
export const SLO_PERIOD_DAYS = 30;

export interface BurnRateTier {
  readonly key: "fast-burn" | "slow-burn";
  readonly severity: "critical" | "warning";
  /** The long window: how much budget was spent. */
  readonly longWindowSeconds: number;
  /** The short window: is it still burning now. */
  readonly shortWindowSeconds: number;
  /** The share of the period's budget that, spent within the long window, alarms. */
  readonly budgetShare: number;
}

/** Fast burn pages, slow burn warns. */
export const BURN_RATE_TIERS: readonly BurnRateTier[] = [
  {
    key: "fast-burn",
    severity: "critical",
    longWindowSeconds: 3600,
    shortWindowSeconds: 300,
    budgetShare: 0.02,
  },
  {
    key: "slow-burn",
    severity: "warning",
    longWindowSeconds: 21_600,
    shortWindowSeconds: 1800,
    budgetShare: 0.05,
  },
];

/** The error budget as a fraction: 99.9% leaves 0.001. */
export function errorBudget(targetPercent: number): number {
  if (!(targetPercent > 0 && targetPercent < 100)) {
    throw new RangeError(`an uptime target must be between 0 and 100 percent, not ${targetPercent}`);
  }
  return round((100 - targetPercent) / 100);
}

/**
 * The burn rate that spends `budgetShare` of the period's budget within `windowSeconds`:
 * 2% in 1 h of 30 days is 14.4.
 */
export function burnRateThreshold(
  budgetShare: number,
  windowSeconds: number,
  periodDays = SLO_PERIOD_DAYS,
): number {
  return round((budgetShare * periodDays * 86_400) / windowSeconds);
}

/** How fast an error ratio spends the budget: 1 spends it exactly over the period. */
export function burnRate(errorRatio: number, targetPercent: number): number {
  return errorRatio / errorBudget(targetPercent);
}

/** The burn rate of a healthy-checker share in percent (what Route 53 publishes). */
export function burnRateOfHealthyPercent(healthyPercent: number, targetPercent: number): number {
  return burnRate((100 - healthyPercent) / 100, targetPercent);
}

/**
 * The same as CloudWatch metric math over the query `metricId` (HealthCheckPercentageHealthy in
 * percent): `(100 - m) / (100 - target)`. The objective stays readable in the expression.
 */
export function burnRateExpression(metricId: string, targetPercent: number): string {
  return `(100 - ${metricId}) / ${formatNumber(round(100 - targetPercent))}`;
}

/** The objective an expression of {@link burnRateExpression}'s form encodes, or undefined. */
export function objectiveOfExpression(expression: string): number | undefined {
  const match = /^\s*\(\s*100\s*-\s*[a-z][A-Za-z0-9_]*\s*\)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(expression);
  if (!match) return undefined;
  const budget = Number(match[1]);
  return budget > 0 && budget < 100 ? round(100 - budget) : undefined;
}

/**
 * Minutes of full outage (every checker failing) before a tier's long window crosses its burn
 * rate: `threshold × budget × window`. The short window is crossed sooner.
 */
export function fullOutageMinutesToAlarm(tier: BurnRateTier, targetPercent: number): number {
  const threshold = burnRateThreshold(tier.budgetShare, tier.longWindowSeconds);
  return round((threshold * errorBudget(targetPercent) * tier.longWindowSeconds) / 60);
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

function formatNumber(value: number): string {
  return String(value);
}
