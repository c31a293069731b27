/**
 * EventBridge Scheduler expressions: `cron(min hour day-of-month month day-of-week year)`,
 * `rate(n unit)` and `at(yyyy-mm-ddThh:mm:ss)`. Validation only, with a reason per problem.
 */

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Extra characters the field allows (`?`, `L`, `W`, `#`). */
  readonly special: RegExp;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: readonly FieldSpec[] = [
  { name: "minutes", min: 0, max: 59, special: /^$/ },
  { name: "hours", min: 0, max: 23, special: /^$/ },
  { name: "day-of-month", min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: "month", min: 1, max: 12, names: MONTHS, special: /^$/ },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, special: /^(\?|L|\d(L|#[1-5])|[A-Z]{3}(L|#[1-5]))$/ },
  { name: "year", min: 1970, max: 2199, special: /^$/ },
];

function value(token: string, field: FieldSpec): number | undefined {
  if (/^\d+$/.test(token)) {
    const number = Number(token);
    return number >= field.min && number <= field.max ? number : undefined;
  }
  const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? index + field.min : undefined;
}

function fieldProblem(text: string, field: FieldSpec): string | undefined {
  for (const item of text.split(",")) {
    if (item === "") return `${field.name} has an empty list item`;
    if (field.special.test(item.toUpperCase())) {
      if (item === "?" && text !== "?") return `${field.name}: ? cannot be part of a list`;
      continue;
    }
    const [range, step, extra] = item.split("/");
    if (extra !== undefined) return `${field.name}: "${item}" has two steps`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) {
      return `${field.name}: step "${step}" must be a positive number`;
    }
    if (range === "*") continue;
    const bounds = range!.split("-");
    if (bounds.length > 2) return `${field.name}: "${range}" is not a value or a range`;
    const values = bounds.map((token) => value(token, field));
    if (values.some((v) => v === undefined)) {
      return `${field.name}: "${range}" is outside ${field.min}-${field.max}${field.names ? ` (or ${field.names[0]}-${field.names.at(-1)})` : ""}`;
    }
  }
  return undefined;
}

/** Problems of a scheduler expression; empty when valid. */
export function scheduleExpressionProblems(expression: string): string[] {
  const trimmed = expression.trim();
  const cron = /^cron\((.*)\)$/.exec(trimmed);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      return [
        `cron() needs 6 fields (minutes hours day-of-month month day-of-week year); it has ${fields.length}`,
      ];
    }
    const problems = fields.flatMap((text, index) => fieldProblem(text, FIELDS[index]!) ?? []);
    const [, , dayOfMonth, , dayOfWeek] = fields;
    if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
      problems.push("exactly one of day-of-month and day-of-week must be ?");
    }
    return problems;
  }
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(trimmed);
  if (rate) {
    const amount = Number(rate[1]);
    const unit = rate[2]!;
    if (amount < 1) return ["rate() needs a positive amount"];
    if ((amount === 1) !== !unit.endsWith("s"))
      return [`rate(${amount} ${unit}) must use the ${amount === 1 ? "singular" : "plural"} unit`];
    return [];
  }
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(trimmed);
  if (at) return Number.isNaN(new Date(`${at[1]}Z`).getTime()) ? [`at(${at[1]}) is not a date-time`] : [];
  return [`"${expression}" is not cron(...), rate(...) or at(...)`];
}
