/**
 * Standard five-field cron → EventBridge Scheduler `cron(minutes hours day-of-month month
 * day-of-week year)`.
 *
 * Differences handled here:
 * - EventBridge needs `?` in exactly one of day-of-month / day-of-week. Standard cron runs a job on
 *   days matching EITHER field when both are restricted; EventBridge cannot express that, so such
 *   an expression is refused instead of being changed into something that runs on other days.
 * - Day-of-week numbering: cron 0-7 (0 and 7 = Sunday) vs EventBridge 1-7 (1 = Sunday). Days are
 *   written as names (`SUN`-`SAT`), which mean the same in both, and ranges never wrap.
 * - EventBridge's day-of-week field has no `/`, so steps there become explicit day lists.
 * - `*\/n` becomes `<first value>/n`, the form AWS documents; `a-b/n` (not documented for
 *   EventBridge) becomes the explicit list of values it stands for.
 * - Month names become numbers; the year field is always `*`.
 */
import { CronError } from "./errors";
import {
  DAY_NAMES,
  FIELD_SPECS,
  parseStandardCron,
  type CronAtom,
  type CronField,
  type StandardCron,
} from "./expression";

function fieldMinimum(field: CronField): number {
  const spec = FIELD_SPECS.find((candidate) => candidate.name === field.name);
  if (spec === undefined) throw new Error(`unknown cron field ${field.name}`);
  return spec.min;
}

function atomText(atom: CronAtom, minimum: number): string {
  switch (atom.kind) {
    case "all":
      return "*";
    case "value":
      return String(atom.value);
    case "range":
      return `${atom.from}-${atom.to}`;
    case "all-step":
      return `${minimum}/${atom.step}`;
    case "start-step":
      return `${atom.from}/${atom.step}`;
    case "range-step": {
      const values: number[] = [];
      for (let value = atom.from; value <= atom.to; value += atom.step) values.push(value);
      return values.join(",");
    }
  }
}

/** Minute, hour, day-of-month and month: same syntax in both dialects apart from the steps above. */
function numericFieldText(field: CronField): string {
  const minimum = fieldMinimum(field);
  return field.atoms.map((atom) => atomText(atom, minimum)).join(",");
}

/** Day-of-week from its resolved values (0-6, Sunday = 0) as EventBridge day names. */
export function eventBridgeDaysOfWeek(values: readonly number[]): string {
  if (values.length === 7) return "*";
  const runs: string[] = [];
  let index = 0;
  while (index < values.length) {
    const start = values[index] ?? 0;
    let end = start;
    while (values[index + 1] === end + 1) {
      end += 1;
      index += 1;
    }
    const startName = DAY_NAMES[start] ?? "";
    const endName = DAY_NAMES[end] ?? "";
    runs.push(
      start === end ? startName : end === start + 1 ? `${startName},${endName}` : `${startName}-${endName}`,
    );
    index += 1;
  }
  return runs.join(",");
}

function dayFieldsConflict(cron: StandardCron): CronError {
  const { minute, hour, dayOfMonth, month, dayOfWeek } = cron.fields;
  const byDate = [minute.text, hour.text, dayOfMonth.text, month.text, "*"].join(" ");
  const byWeekday = [minute.text, hour.text, "*", month.text, dayOfWeek.text].join(" ");
  return new CronError(
    "day-fields-conflict",
    "expression",
    `"${cron.expression}" restricts both day-of-month ("${dayOfMonth.text}") and day-of-week ("${dayOfWeek.text}"). ` +
      `Standard cron runs on days matching either one, which EventBridge Scheduler cannot express (one of the two must be "?"). ` +
      `Set one of them to "*", or split it into two jobs: "${byDate}" and "${byWeekday}".`,
  );
}

/** Converts an already-read expression; see {@link toEventBridgeCron}. */
export function eventBridgeCronFromStandard(cron: StandardCron): string {
  const { minute, hour, dayOfMonth, month, dayOfWeek } = cron.fields;
  let dayOfMonthText: string;
  let dayOfWeekText: string;
  if (dayOfMonth.isAll && dayOfWeek.isAll) {
    dayOfMonthText = "*";
    dayOfWeekText = "?";
  } else if (dayOfMonth.isAll) {
    dayOfMonthText = "?";
    dayOfWeekText = eventBridgeDaysOfWeek(dayOfWeek.values);
  } else if (dayOfWeek.isAll) {
    dayOfMonthText = numericFieldText(dayOfMonth);
    dayOfWeekText = "?";
  } else {
    throw dayFieldsConflict(cron);
  }
  const fields = [
    numericFieldText(minute),
    numericFieldText(hour),
    dayOfMonthText,
    numericFieldText(month),
    dayOfWeekText,
    "*",
  ];
  return `cron(${fields.join(" ")})`;
}

/**
 * Converts a standard five-field cron expression (see `parseStandardCron` for what is accepted)
 * into EventBridge Scheduler's `cron(...)` form, e.g. `"0 4 * * 1"` → `"cron(0 4 ? * MON *)"`.
 * The time zone is not part of the expression: pass it as the schedule's
 * `scheduleExpressionTimezone`.
 *
 * @throws {CronError} when the expression is invalid or cannot be expressed in EventBridge.
 */
export function toEventBridgeCron(expression: string): string {
  return eventBridgeCronFromStandard(parseStandardCron(expression));
}
