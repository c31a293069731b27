/**
 * Reading a standard five-field cron expression (minute hour day-of-month month day-of-week) into
 * a structure the EventBridge conversion can work from. Values are checked here with messages a
 * person can act on, then cron-parser is asked as well, so anything it rejects is rejected too.
 */
import { CronExpressionParser } from "cron-parser";
import { CronError } from "./errors";

export type CronFieldName = "minute" | "hour" | "dayOfMonth" | "month" | "dayOfWeek";

/** One comma-separated item of a field, with names already turned into numbers. */
export type CronAtom =
  /** `*` */
  | { readonly kind: "all" }
  /** `5`, `MON` */
  | { readonly kind: "value"; readonly value: number }
  /** `1-5`, `MON-FRI` */
  | { readonly kind: "range"; readonly from: number; readonly to: number }
  /** `*\/15`: from the field's minimum to its maximum. */
  | { readonly kind: "all-step"; readonly step: number }
  /** `5/15`: from a value to the field's maximum. */
  | { readonly kind: "start-step"; readonly from: number; readonly step: number }
  /** `1-10/2` */
  | { readonly kind: "range-step"; readonly from: number; readonly to: number; readonly step: number };

export interface CronField {
  readonly name: CronFieldName;
  /** The field as written. */
  readonly text: string;
  readonly atoms: readonly CronAtom[];
  /**
   * True only for a bare `*`. This is the definition cron-parser (and Vixie cron) use to decide
   * whether day-of-month and day-of-week are "restricted", so `*\/1` or `0-6` count as restricted.
   */
  readonly isAll: boolean;
  /** Every value the field matches, ascending; day-of-week uses 0-6 with Sunday as 0. */
  readonly values: readonly number[];
}

export interface StandardCron {
  /** The input, trimmed. */
  readonly source: string;
  /** Five fields separated by single spaces, after `@macro` expansion. */
  readonly expression: string;
  readonly fields: Readonly<Record<CronFieldName, CronField>>;
}

interface FieldSpec {
  readonly name: CronFieldName;
  /** How a person calls the field. */
  readonly label: string;
  readonly min: number;
  /** Day-of-week allows 7 as a second Sunday. */
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES: Readonly<Record<string, number>> = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};

/** Index = cron day-of-week number (0 = Sunday). */
export const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

const DAY_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries(
  DAY_NAMES.map((name, index) => [name, index]),
);

export const FIELD_SPECS: readonly FieldSpec[] = [
  { name: "minute", label: "minute", min: 0, max: 59 },
  { name: "hour", label: "hour", min: 0, max: 23 },
  { name: "dayOfMonth", label: "day-of-month", min: 1, max: 31 },
  { name: "month", label: "month", min: 1, max: 12, names: MONTH_NAMES },
  { name: "dayOfWeek", label: "day-of-week", min: 0, max: 7, names: DAY_NUMBERS },
];

/** Only the macros with an exact five-field meaning; `@reboot` and seconds-based ones have none. */
const MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const FIELD_LAYOUT = "minute hour day-of-month month day-of-week";

/** Longest month length, February counted as 29 so leap days stay allowed. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function invalid(message: string): CronError {
  return new CronError("invalid-value", "expression", message);
}

function unsupported(message: string): CronError {
  return new CronError("unsupported-syntax", "expression", message);
}

function expandMacro(source: string): string {
  if (!source.startsWith("@")) return source;
  const expansion = MACROS[source.toLowerCase()];
  if (expansion === undefined) {
    const known = Object.keys(MACROS).join(", ");
    throw new CronError(
      "unsupported-macro",
      "expression",
      `"${source}" is not a macro that can be scheduled; use one of ${known}, or write the five fields (${FIELD_LAYOUT}).`,
    );
  }
  return expansion;
}

function splitFields(source: string, expanded: string): string[] {
  if (/^(cron|rate|at)\(/i.test(expanded)) {
    throw new CronError(
      "field-count",
      "expression",
      `"${source}" is an EventBridge schedule expression; write standard five-field cron (${FIELD_LAYOUT}) instead, for example "0 4 * * 1" — it is converted for EventBridge automatically.`,
    );
  }
  const parts = expanded.split(/\s+/).filter((part) => part.length > 0);
  if (parts.length === 5) return parts;
  if (parts.length === 0) {
    throw new CronError(
      "field-count",
      "expression",
      `the cron expression is empty; write five fields (${FIELD_LAYOUT}), for example "0 4 * * *" for 04:00 every day.`,
    );
  }
  const extra =
    parts.length === 6
      ? " A sixth field is either seconds (first) or a year (last): schedules run with minute precision and every year, so drop it."
      : parts.length === 7
        ? " Seven fields is the Quartz format (seconds … year): drop the first and the last field."
        : "";
  throw new CronError(
    "field-count",
    "expression",
    `"${source}" has ${parts.length} fields but standard cron has exactly five (${FIELD_LAYOUT}).${extra}`,
  );
}

function parseNumber(token: string, spec: FieldSpec, fieldText: string): number {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) {
      const hint = spec.name === "dayOfWeek" ? " (0 and 7 are Sunday)" : "";
      throw invalid(
        `${spec.label} value ${token} in "${fieldText}" is outside ${spec.min}-${spec.max}${hint}.`,
      );
    }
    return value;
  }
  const upper = token.toUpperCase();
  const named = spec.names?.[upper];
  if (named !== undefined) return named;
  if (/^[LW]$/i.test(token) || /^\d+[LW]$/i.test(token) || /^L?W$/i.test(token)) {
    throw unsupported(
      `${spec.label} "${fieldText}" uses "L"/"W" (last day / nearest weekday), which is not standard five-field cron; list the days explicitly instead.`,
    );
  }
  if (/^H/i.test(token)) {
    throw unsupported(
      `${spec.label} "${fieldText}" uses "H" (hashed value), which is not supported; write a fixed value.`,
    );
  }
  if (spec.names !== undefined) {
    const names = Object.keys(spec.names).join(", ");
    throw invalid(
      `${spec.label} "${fieldText}" has "${token}", which is neither a number nor one of ${names}.`,
    );
  }
  throw invalid(
    `${spec.label} "${fieldText}" has "${token}", which is not a number between ${spec.min} and ${spec.max}.`,
  );
}

function parseStep(token: string, spec: FieldSpec, fieldText: string): number {
  if (!/^\d+$/.test(token) || Number(token) === 0) {
    throw invalid(
      `${spec.label} "${fieldText}" has step "${token}"; a step is a whole number of at least 1.`,
    );
  }
  const step = Number(token);
  const span = spec.max - spec.min + 1;
  if (step >= span) {
    // `*/90` looks like "every 90 minutes" but cron steps restart within each field.
    throw invalid(
      `${spec.label} "${fieldText}" steps by ${step}, which does not repeat within ${spec.min}-${spec.max}, so it would match only once; cron cannot express intervals longer than the field. Use a smaller step or list the values.`,
    );
  }
  return step;
}

function parseRange(text: string, spec: FieldSpec, fieldText: string): { from: number; to: number } {
  const bounds = text.split("-");
  const [fromText, toText] = bounds;
  if (
    bounds.length !== 2 ||
    fromText === undefined ||
    toText === undefined ||
    fromText === "" ||
    toText === ""
  ) {
    throw invalid(
      `${spec.label} "${fieldText}" has a malformed range "${text}"; write it as "from-to", for example "1-5".`,
    );
  }
  const from = parseNumber(fromText, spec, fieldText);
  const to = parseNumber(toText, spec, fieldText);
  if (from > to) {
    const hint =
      spec.name === "dayOfWeek"
        ? ' Ranges cannot wrap past Saturday: use 7 for a Sunday at the end (e.g. "5-7" for Friday to Sunday) or list the days (e.g. "FRI,SAT,SUN,MON").'
        : ' Ranges cannot wrap around: split it into two, e.g. "22-23,0-2".';
    throw invalid(`${spec.label} range "${text}" in "${fieldText}" runs backwards.${hint}`);
  }
  return { from, to };
}

function parseAtom(item: string, spec: FieldSpec, fieldText: string): CronAtom {
  const slash = item.split("/");
  if (slash.length > 2) {
    throw invalid(`${spec.label} "${fieldText}" has more than one "/" in "${item}".`);
  }
  const [base = "", stepText] = slash;
  if (stepText === undefined) {
    if (base === "*") return { kind: "all" };
    if (base.includes("-")) return { kind: "range", ...parseRange(base, spec, fieldText) };
    return { kind: "value", value: parseNumber(base, spec, fieldText) };
  }
  const step = parseStep(stepText, spec, fieldText);
  if (base === "*") return { kind: "all-step", step };
  if (base.includes("-")) return { kind: "range-step", ...parseRange(base, spec, fieldText), step };
  return { kind: "start-step", from: parseNumber(base, spec, fieldText), step };
}

function stepValues(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

function atomValues(atom: CronAtom, spec: FieldSpec): number[] {
  switch (atom.kind) {
    case "all":
      return stepValues(spec.min, spec.max, 1);
    case "value":
      return [atom.value];
    case "range":
      return stepValues(atom.from, atom.to, 1);
    case "all-step":
      return stepValues(spec.min, spec.max, atom.step);
    case "start-step":
      return stepValues(atom.from, spec.max, atom.step);
    case "range-step":
      return stepValues(atom.from, atom.to, atom.step);
  }
}

function describeValue(value: number, spec: FieldSpec): string {
  if (spec.name !== "dayOfWeek") return String(value);
  return value === 0 ? "SUN (0 and 7 are both Sunday)" : (DAY_NAMES[value] ?? String(value));
}

function parseField(text: string, spec: FieldSpec): CronField {
  if (text.includes("?")) {
    throw unsupported(
      `${spec.label} "${text}" uses "?", which is not standard five-field cron; write "*" (the "?" EventBridge needs is added automatically).`,
    );
  }
  if (text.includes("#")) {
    throw unsupported(
      `${spec.label} "${text}" uses "#" (nth weekday of the month), which is not standard five-field cron and is not converted; list the days of month instead or split the job.`,
    );
  }
  if (!/^[A-Za-z0-9*,/-]+$/.test(text)) {
    throw unsupported(
      `${spec.label} "${text}" contains characters cron does not allow; use digits, names, and "* , - /".`,
    );
  }
  const items = text.split(",");
  if (items.some((item) => item === "")) {
    throw invalid(`${spec.label} "${text}" has an empty list item; remove the doubled or trailing comma.`);
  }
  const atoms = items.map((item) => parseAtom(item, spec, text));
  if (atoms.length > 1 && atoms.some((atom) => atom.kind === "all")) {
    throw invalid(
      `${spec.label} "${text}" lists "*" with other values; "*" already matches every value, so write just "*".`,
    );
  }
  const seen = new Set<number>();
  for (const atom of atoms) {
    // Day-of-week 7 is Sunday; fold it so the set reads 0-6. Within one item (`0-7`) that is
    // fine; across items (`0,7`) it is a duplicate, which cron-parser rejects as well.
    const folded = new Set(
      atomValues(atom, spec).map((value) => (spec.name === "dayOfWeek" ? value % 7 : value)),
    );
    for (const value of folded) {
      if (seen.has(value)) {
        throw invalid(
          `${spec.label} "${text}" matches ${describeValue(value, spec)} more than once; list each value once.`,
        );
      }
      seen.add(value);
    }
  }
  return {
    name: spec.name,
    text,
    atoms,
    isAll: atoms.length === 1 && atoms[0]?.kind === "all",
    values: [...seen].sort((a, b) => a - b),
  };
}

function assertDayExists(fields: Record<CronFieldName, CronField>, expression: string): void {
  // With day-of-week unrestricted the day-of-month alone decides; "30 2" would never run.
  if (!fields.dayOfWeek.isAll) return;
  const longestSelectedMonth = Math.max(
    ...fields.month.values.map((month) => DAYS_IN_MONTH[month - 1] ?? 31),
  );
  const earliestDay = Math.min(...fields.dayOfMonth.values);
  if (earliestDay > longestSelectedMonth) {
    throw invalid(
      `"${expression}" never runs: day-of-month "${fields.dayOfMonth.text}" does not occur in month "${fields.month.text}".`,
    );
  }
}

/**
 * Reads a standard five-field cron expression (or one of the macros `@yearly`, `@annually`,
 * `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`).
 *
 * Accepted per field: `*`, numbers, names (`JAN`-`DEC`, `SUN`-`SAT`, any case), ranges `a-b`,
 * steps `*\/n`, `a/n`, `a-b/n`, and comma lists of those. Day-of-week 0 and 7 are both Sunday.
 * Rejected with a {@link CronError}: six or seven fields, `?`, `L`, `W`, `#`, `H`, backwards
 * ranges, steps that cannot repeat within their field, duplicate values, days that never occur.
 */
export function parseStandardCron(input: string): StandardCron {
  const source = input.trim();
  const expanded = expandMacro(source);
  const parts = splitFields(source, expanded);
  const fields = Object.fromEntries(
    FIELD_SPECS.map((spec, index) => [spec.name, parseField(parts[index] ?? "", spec)]),
  ) as Record<CronFieldName, CronField>;
  const expression = parts.join(" ");
  assertDayExists(fields, expression);
  try {
    CronExpressionParser.parse(expression, { tz: "UTC" });
  } catch (error) {
    // The checks above should have caught it; keep cron-parser's own words as the reason.
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(
      `"${expression}" is not a valid cron expression (${reason}); check each of the fields ${FIELD_LAYOUT}.`,
    );
  }
  return { source, expression, fields };
}
