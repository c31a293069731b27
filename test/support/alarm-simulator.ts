/**
 * A small evaluator of CloudWatch alarm semantics, for replaying scenarios against the alarms a
 * stack really declares (read from a recording, the inputs the engine received):
 *
 * - metric alarms: `period` (a sliding window ending at the evaluation time, evaluated every
 *   minute), `statistic` (Average, Sum, Minimum, Maximum, SampleCount) or `extendedStatistic`
 *   (pNN, computed from the raw values only, as CloudWatch does: a metric published as aggregates
 *   has no percentile), `unit` (only datapoints published with that unit count), `evaluationPeriods`,
 *   `datapointsToAlarm` (M of N) and `treatMissingData` (missing, ignore, breaching, notBreaching);
 * - metric math (`metricQueries`: `+ - * /`, parentheses, numbers and query ids; a period with a
 *   missing input has no value);
 * - composite alarms (`ALARM("name")` joined with AND / OR, parentheses);
 * - notifications: a transition into ALARM of an alarm with actions notifies its severity
 *   (`[critical]` / `[warning]` at the start of its description, which golive sets by construction).
 *
 * Metrics live in an in-memory store of raw datapoints keyed by namespace, name and the exact set
 * of dimensions, as CloudWatch keys them: an alarm whose dimensions differ from the publisher's
 * sees nothing.
 */
import type { RecordedResource, Recording } from "../../tooling/engine/record";

export interface Datapoint {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Seconds since the scenario's start. */
  readonly at: number;
  readonly value: number;
  readonly unit?: string;
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface Notification {
  /** Seconds since the scenario's start. */
  readonly at: number;
  readonly alarm: string;
  readonly severity: "critical" | "warning";
}

interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly period: number;
  readonly stat: string;
  readonly unit?: string;
}

interface MetricAlarmDef {
  readonly kind: "metric";
  readonly name: string;
  readonly severity?: "critical" | "warning";
  readonly notifies: boolean;
  /** Either one metric or metric math queries. */
  readonly metric?: MetricRef;
  readonly queries?: readonly { id: string; expression?: string; metric?: MetricRef; returnData: boolean }[];
  readonly period: number;
  readonly threshold: number;
  readonly comparison: string;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: string;
}

interface CompositeAlarmDef {
  readonly kind: "composite";
  readonly name: string;
  readonly severity?: "critical" | "warning";
  readonly notifies: boolean;
  readonly rule: string;
}

export type AlarmDef = MetricAlarmDef | CompositeAlarmDef;

type Obj = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

function severityOf(description: unknown): "critical" | "warning" | undefined {
  const match = /^\[(critical|warning)\]/.exec(str(description) ?? "");
  return match ? (match[1] as "critical" | "warning") : undefined;
}

function dimensionsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, dimension] of Object.entries((value as Obj | undefined) ?? {})) {
    if (typeof dimension !== "string") throw new Error(`dimension ${key} is not known: record in up mode`);
    out[key] = dimension;
  }
  return out;
}

function hasActions(inputs: Obj): boolean {
  return (
    inputs.actionsEnabled !== false && Array.isArray(inputs.alarmActions) && inputs.alarmActions.length > 0
  );
}

/** The alarms of a recording (up mode, so dimensions are known), as the simulator reads them. */
export function alarmsOf(recording: Recording): AlarmDef[] {
  const defs: AlarmDef[] = [];
  for (const resource of recording.resources) {
    if (resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm") defs.push(metricAlarmDef(resource));
    if (resource.type === "aws:cloudwatch/compositeAlarm:CompositeAlarm") {
      const inputs = resource.inputs as Obj;
      defs.push({
        kind: "composite",
        name: str(inputs.alarmName) ?? resource.name,
        severity: severityOf(inputs.alarmDescription),
        notifies: hasActions(inputs),
        rule: str(inputs.alarmRule) ?? "",
      });
    }
  }
  return defs;
}

function metricAlarmDef(resource: RecordedResource): MetricAlarmDef {
  const inputs = resource.inputs as Obj;
  const name = str(inputs.name) ?? resource.name;
  const evaluationPeriods = num(inputs.evaluationPeriods) ?? 1;
  const base = {
    kind: "metric" as const,
    name,
    severity: severityOf(inputs.alarmDescription),
    notifies: hasActions(inputs),
    threshold: num(inputs.threshold) ?? 0,
    comparison: str(inputs.comparisonOperator) ?? "GreaterThanThreshold",
    evaluationPeriods,
    datapointsToAlarm: num(inputs.datapointsToAlarm) ?? evaluationPeriods,
    treatMissingData: str(inputs.treatMissingData) ?? "missing",
  };
  const queries = inputs.metricQueries as Obj[] | undefined;
  if (queries && queries.length > 0) {
    const parsed = queries.map((query) => {
      const metric = query.metric as Obj | undefined;
      return {
        id: str(query.id)!,
        expression: str(query.expression),
        returnData: query.returnData === true,
        metric: metric
          ? {
              namespace: str(metric.namespace)!,
              metricName: str(metric.metricName)!,
              dimensions: dimensionsOf(metric.dimensions),
              period: num(metric.period)!,
              stat: str(metric.stat)!,
              unit: str(metric.unit),
            }
          : undefined,
      };
    });
    const period = Math.max(...parsed.map((query) => query.metric?.period ?? 0));
    return { ...base, queries: parsed, period };
  }
  const period = num(inputs.period)!;
  return {
    ...base,
    period,
    metric: {
      namespace: str(inputs.namespace)!,
      metricName: str(inputs.metricName)!,
      dimensions: dimensionsOf(inputs.dimensions),
      period,
      stat: str(inputs.statistic) ?? str(inputs.extendedStatistic)!,
      unit: str(inputs.unit),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics and metric math

/** Nearest-rank percentile of raw values. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function statistic(values: readonly number[], stat: string): number | undefined {
  if (values.length === 0) return undefined;
  switch (stat) {
    case "Average":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "Sum":
      return values.reduce((a, b) => a + b, 0);
    case "Minimum":
      return Math.min(...values);
    case "Maximum":
      return Math.max(...values);
    case "SampleCount":
      return values.length;
    default: {
      const match = /^p(\d+(?:\.\d+)?)$/.exec(stat);
      if (!match) throw new Error(`unknown statistic ${stat}`);
      return percentile(values, Number(match[1]));
    }
  }
}

/** Evaluates `+ - * /`, parentheses, numbers and ids; undefined when an id has no value. */
export function evaluateExpression(
  expression: string,
  values: Readonly<Record<string, number | undefined>>,
): number | undefined {
  const tokens = expression.match(/\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|[-+*/()]/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[at++];
  const primary = (): number | undefined => {
    const token = next();
    if (token === undefined) throw new Error(`unexpected end of ${expression}`);
    if (token === "(") {
      const value = sum();
      if (next() !== ")") throw new Error(`missing ) in ${expression}`);
      return value;
    }
    if (token === "-") {
      const value = primary();
      return value === undefined ? undefined : -value;
    }
    if (/^\d/.test(token)) return Number(token);
    if (!(token in values)) throw new Error(`${expression} names ${token}, which is no query`);
    return values[token];
  };
  const product = (): number | undefined => {
    let value = primary();
    while (peek() === "*" || peek() === "/") {
      const op = next();
      const right = primary();
      value =
        value === undefined || right === undefined ? undefined : op === "*" ? value * right : value / right;
    }
    return value;
  };
  const sum = (): number | undefined => {
    let value = product();
    while (peek() === "+" || peek() === "-") {
      const op = next();
      const right = product();
      value =
        value === undefined || right === undefined ? undefined : op === "+" ? value + right : value - right;
    }
    return value;
  };
  const result = sum();
  if (at !== tokens.length) throw new Error(`cannot read ${expression}`);
  return result;
}

function seriesKey(
  namespace: string,
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
): string {
  return JSON.stringify([namespace, metricName, Object.entries(dimensions).sort()]);
}

function breaches(value: number, comparison: string, threshold: number): boolean {
  switch (comparison) {
    case "GreaterThanThreshold":
      return value > threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
    default:
      throw new Error(`unknown comparison ${comparison}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The simulator

export class AlarmSimulator {
  /** Raw datapoints by series (namespace, name, exact dimensions), in publishing order. */
  private readonly series = new Map<string, Datapoint[]>();
  private readonly states = new Map<string, AlarmState>();
  readonly notifications: Notification[] = [];
  /** State changes, in order: who went where when. */
  readonly transitions: { at: number; alarm: string; to: AlarmState }[] = [];

  constructor(readonly alarms: readonly AlarmDef[]) {
    for (const alarm of alarms) this.states.set(alarm.name, "INSUFFICIENT_DATA");
  }

  publish(point: Datapoint): void {
    const key = seriesKey(point.namespace, point.metricName, point.dimensions);
    const points = this.series.get(key);
    if (points) points.push(point);
    else this.series.set(key, [point]);
  }

  state(name: string): AlarmState {
    const state = this.states.get(name);
    if (state === undefined) throw new Error(`no alarm named ${name}`);
    return state;
  }

  private values(metric: MetricRef, from: number, to: number): number[] {
    const points = this.series.get(seriesKey(metric.namespace, metric.metricName, metric.dimensions)) ?? [];
    const values: number[] = [];
    // Newest last: walk back until the window starts.
    for (let i = points.length - 1; i >= 0; i -= 1) {
      const point = points[i]!;
      if (point.at < from) break;
      if (point.at < to && (metric.unit === undefined || point.unit === metric.unit))
        values.push(point.value);
    }
    return values;
  }

  /** The alarm's value for the period ending at `end`, or undefined (missing data). */
  private periodValue(alarm: MetricAlarmDef, end: number): number | undefined {
    if (alarm.metric) {
      return statistic(this.values(alarm.metric, end - alarm.metric.period, end), alarm.metric.stat);
    }
    const values: Record<string, number | undefined> = {};
    const queries = alarm.queries ?? [];
    for (const query of queries) {
      if (query.metric) {
        values[query.id] = statistic(
          this.values(query.metric, end - query.metric.period, end),
          query.metric.stat,
        );
      }
    }
    for (const query of queries) {
      if (query.expression) values[query.id] = evaluateExpression(query.expression, values);
    }
    const returned = queries.find((query) => query.returnData);
    if (!returned) throw new Error(`alarm ${alarm.name} returns no query`);
    return values[returned.id];
  }

  private evaluateMetric(alarm: MetricAlarmDef, now: number): AlarmState {
    const outcomes: (boolean | undefined)[] = [];
    for (let i = 0; i < alarm.evaluationPeriods; i += 1) {
      const value = this.periodValue(alarm, now - i * alarm.period);
      outcomes.push(value === undefined ? undefined : breaches(value, alarm.comparison, alarm.threshold));
    }
    const present = outcomes.filter((outcome): outcome is boolean => outcome !== undefined);
    const missing = outcomes.length - present.length;
    let breaching = present.filter(Boolean).length;
    if (alarm.treatMissingData === "breaching") breaching += missing;
    if (present.length === 0 && alarm.treatMissingData !== "breaching") {
      if (alarm.treatMissingData === "notBreaching") return "OK";
      if (alarm.treatMissingData === "ignore") return this.state(alarm.name);
      return "INSUFFICIENT_DATA";
    }
    return breaching >= alarm.datapointsToAlarm ? "ALARM" : "OK";
  }

  private evaluateRule(rule: string): boolean {
    const tokens = rule.match(/ALARM\("[^"]*"\)|ALARM\([^)"]*\)|AND|OR|NOT|\(|\)/g) ?? [];
    let at = 0;
    const term = (): boolean => {
      const token = tokens[at++];
      if (token === "(") {
        const value = or();
        at += 1;
        return value;
      }
      if (token === "NOT") return !term();
      const match = /^ALARM\("?([^")]*)"?\)$/.exec(token ?? "");
      if (!match) throw new Error(`cannot read the rule ${rule}`);
      return this.state(match[1]!) === "ALARM";
    };
    const and = (): boolean => {
      let value = term();
      while (tokens[at] === "AND") {
        at += 1;
        const right = term();
        value = value && right;
      }
      return value;
    };
    const or = (): boolean => {
      let value = and();
      while (tokens[at] === "OR") {
        at += 1;
        const right = and();
        value = value || right;
      }
      return value;
    };
    return or();
  }

  /** Evaluates every alarm at `now` (metric alarms first, then composites), recording notifications. */
  evaluate(now: number): void {
    const ordered = [
      ...this.alarms.filter((a) => a.kind === "metric"),
      ...this.alarms.filter((a) => a.kind === "composite"),
    ];
    for (const alarm of ordered) {
      const next =
        alarm.kind === "metric"
          ? this.evaluateMetric(alarm, now)
          : this.evaluateRule(alarm.rule)
            ? "ALARM"
            : "OK";
      const previous = this.state(alarm.name);
      if (next === previous) continue;
      this.states.set(alarm.name, next);
      this.transitions.push({ at: now, alarm: alarm.name, to: next });
      if (next === "ALARM" && alarm.notifies && alarm.severity) {
        this.notifications.push({ at: now, alarm: alarm.name, severity: alarm.severity });
      }
    }
  }

  /** Runs minute by minute from `from` to `to` (seconds), calling `tick` to publish before each evaluation. */
  run(from: number, to: number, tick: (at: number, sim: AlarmSimulator) => void): void {
    for (let at = from; at <= to; at += 60) {
      tick(at, this);
      // CloudWatch evaluates after the minute's datapoints arrived.
      this.evaluate(at + 60);
    }
  }

  /**
   * Who was paged (critical) and who was told (warning), and when (minutes after the start); what
   * happened before 0 (history to warm the windows up) is not counted.
   */
  summary(): { pages: { alarm: string; minute: number }[]; warnings: { alarm: string; minute: number }[] } {
    const minute = (at: number) => at / 60;
    const counted = this.notifications.filter((n) => n.at >= 0);
    return {
      pages: counted
        .filter((n) => n.severity === "critical")
        .map((n) => ({ alarm: n.alarm, minute: minute(n.at) })),
      warnings: counted
        .filter((n) => n.severity === "warning")
        .map((n) => ({ alarm: n.alarm, minute: minute(n.at) })),
    };
  }
}

/** An alarm as the simulator reads it, from the inputs golive gives a MetricAlarm (no recording needed). */
export function alarmFromInputs(inputs: Record<string, unknown>): AlarmDef {
  return metricAlarmDef({
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    name: String(inputs.name),
    inputs,
  } as unknown as RecordedResource);
}
