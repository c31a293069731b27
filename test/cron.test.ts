import { CronExpressionParser } from "cron-parser";
import { describe, expect, it } from "vitest";
import {
  CronError,
  checkTimeZone,
  nextRuns,
  parseCronSchedule,
  parseStandardCron,
  toEventBridgeCron,
  type CronErrorCode,
} from "../lib/cron";

// ---------------------------------------------------------------------------------------------
// An independent reading of EventBridge Scheduler cron, written from the AWS field table
// (minutes `, - * /`; hours `, - * /`; day-of-month `, - * ? /`; month `, - * /` with JAN-DEC;
// day-of-week `, - * ?` with 1-7 or SUN-SAT, 1 = Sunday; year). It refuses anything EventBridge
// would refuse or that AWS does not document, so a conversion that relies on it fails the test.
// ---------------------------------------------------------------------------------------------

type ValueSet = ReadonlySet<number>;

interface EventBridgeSchedule {
  readonly minutes: ValueSet;
  readonly hours: ValueSet;
  readonly daysOfMonth: ValueSet | "any";
  readonly months: ValueSet;
  /** 1 = Sunday … 7 = Saturday */
  readonly daysOfWeek: ValueSet | "any";
}

interface EventBridgeFieldRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly allowsStep: boolean;
  readonly allowsQuestionMark: boolean;
}

const MINUTES: EventBridgeFieldRule = {
  label: "minutes",
  min: 0,
  max: 59,
  allowsStep: true,
  allowsQuestionMark: false,
};
const HOURS: EventBridgeFieldRule = {
  label: "hours",
  min: 0,
  max: 23,
  allowsStep: true,
  allowsQuestionMark: false,
};
const DAY_OF_MONTH: EventBridgeFieldRule = {
  label: "day-of-month",
  min: 1,
  max: 31,
  allowsStep: true,
  allowsQuestionMark: true,
};
const MONTH: EventBridgeFieldRule = {
  label: "month",
  min: 1,
  max: 12,
  names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  allowsStep: true,
  allowsQuestionMark: false,
};
const DAY_OF_WEEK: EventBridgeFieldRule = {
  label: "day-of-week",
  min: 1,
  max: 7,
  names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
  allowsStep: false,
  allowsQuestionMark: true,
};

function eventBridgeValue(token: string, rule: EventBridgeFieldRule): number {
  const nameIndex = rule.names?.indexOf(token) ?? -1;
  const value = nameIndex >= 0 ? rule.min + nameIndex : /^\d+$/.test(token) ? Number(token) : Number.NaN;
  if (!(value >= rule.min && value <= rule.max))
    throw new Error(`EventBridge ${rule.label}: bad value "${token}"`);
  return value;
}

function eventBridgeField(text: string, rule: EventBridgeFieldRule): ValueSet | "any" {
  if (text === "?") {
    if (!rule.allowsQuestionMark) throw new Error(`EventBridge ${rule.label}: "?" not allowed`);
    return "any";
  }
  const values = new Set<number>();
  for (const item of text.split(",")) {
    const [base = "", step, ...rest] = item.split("/");
    if (rest.length > 0) throw new Error(`EventBridge ${rule.label}: bad item "${item}"`);
    if (step !== undefined) {
      if (!rule.allowsStep) throw new Error(`EventBridge ${rule.label}: "/" not allowed`);
      if (!/^[1-9]\d*$/.test(step)) throw new Error(`EventBridge ${rule.label}: bad step "${step}"`);
      // AWS documents "start/step" only; a range with a step is not relied upon.
      if (base.includes("-"))
        throw new Error(`EventBridge ${rule.label}: range with step "${item}" not documented`);
      const start = base === "*" ? rule.min : eventBridgeValue(base, rule);
      for (let value = start; value <= rule.max; value += Number(step)) values.add(value);
    } else if (base === "*") {
      for (let value = rule.min; value <= rule.max; value += 1) values.add(value);
    } else if (base.includes("-")) {
      const [from = "", to = ""] = base.split("-");
      const start = eventBridgeValue(from, rule);
      const end = eventBridgeValue(to, rule);
      if (start > end) throw new Error(`EventBridge ${rule.label}: wrapping range "${base}" not relied upon`);
      for (let value = start; value <= end; value += 1) values.add(value);
    } else {
      values.add(eventBridgeValue(base, rule));
    }
  }
  return values;
}

function requireSet(field: ValueSet | "any", label: string): ValueSet {
  if (field === "any") throw new Error(`EventBridge ${label}: "?" not allowed`);
  return field;
}

function parseEventBridgeCron(expression: string): EventBridgeSchedule {
  const match = /^cron\((.*)\)$/.exec(expression);
  if (match?.[1] === undefined) throw new Error(`not a cron(...) expression: ${expression}`);
  const parts = match[1].split(" ");
  if (parts.length !== 6) throw new Error(`EventBridge cron needs six fields: ${expression}`);
  const [minutes = "", hours = "", dayOfMonth = "", month = "", dayOfWeek = "", year = ""] = parts;
  if (year !== "*") throw new Error(`year field should be "*": ${expression}`);
  const daysOfMonth = eventBridgeField(dayOfMonth, DAY_OF_MONTH);
  const daysOfWeek = eventBridgeField(dayOfWeek, DAY_OF_WEEK);
  if ((daysOfMonth === "any") === (daysOfWeek === "any")) {
    throw new Error(`exactly one of day-of-month and day-of-week must be "?": ${expression}`);
  }
  return {
    minutes: requireSet(eventBridgeField(minutes, MINUTES), "minutes"),
    hours: requireSet(eventBridgeField(hours, HOURS), "hours"),
    daysOfMonth,
    months: requireSet(eventBridgeField(month, MONTH), "month"),
    daysOfWeek,
  };
}

const DAY_MS = 86_400_000;

/** Occurrences strictly after `start`, in UTC, at most `limit` of them and before `until`. */
function eventBridgeOccurrences(
  schedule: EventBridgeSchedule,
  start: Date,
  limit: number,
  until: Date,
): number[] {
  const hours = [...schedule.hours].sort((a, b) => a - b);
  const minutes = [...schedule.minutes].sort((a, b) => a - b);
  const runs: number[] = [];
  for (let day = Math.floor(start.getTime() / DAY_MS) * DAY_MS; day < until.getTime(); day += DAY_MS) {
    const date = new Date(day);
    if (!schedule.months.has(date.getUTCMonth() + 1)) continue;
    const dayMatches =
      schedule.daysOfMonth === "any"
        ? schedule.daysOfWeek !== "any" && schedule.daysOfWeek.has(date.getUTCDay() + 1)
        : schedule.daysOfMonth.has(date.getUTCDate());
    if (!dayMatches) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const time = day + hour * 3_600_000 + minute * 60_000;
        if (time <= start.getTime() || time >= until.getTime()) continue;
        runs.push(time);
        if (runs.length >= limit) return runs;
      }
    }
  }
  return runs;
}

/** What cron-parser (the reference for standard cron) says the original expression does. */
function cronParserOccurrences(expression: string, start: Date, limit: number, until: Date): number[] {
  // cron-parser knows every Vixie macro except this alias.
  const original = expression === "@midnight" ? "@daily" : expression;
  const occurrences = CronExpressionParser.parse(original, { tz: "UTC", currentDate: start });
  const runs: number[] = [];
  while (runs.length < limit) {
    const time = occurrences.next().getTime();
    if (time >= until.getTime()) break;
    runs.push(time);
  }
  return runs;
}

const CHECK_STARTS = [
  "2024-01-01T00:00:00Z",
  "2024-02-28T22:59:00Z",
  "2023-12-31T23:58:30Z",
  "2025-06-15T12:34:00Z",
];
const CHECK_LIMIT = 60;
const CHECK_WINDOW_MS = 4 * 366 * DAY_MS;

/** Empty when the EventBridge expression runs exactly when the standard one does; else the first difference. */
function differences(
  standard: string,
  eventBridge: string,
  starts = CHECK_STARTS,
  limit = CHECK_LIMIT,
): string[] {
  const schedule = parseEventBridgeCron(eventBridge);
  const problems: string[] = [];
  for (const startText of starts) {
    const start = new Date(startText);
    const until = new Date(start.getTime() + CHECK_WINDOW_MS);
    const expected = cronParserOccurrences(standard, start, limit, until);
    const actual = eventBridgeOccurrences(schedule, start, limit, until);
    const index = expected.findIndex((time, i) => actual[i] !== time);
    if (index >= 0 || expected.length !== actual.length) {
      const at = index >= 0 ? index : Math.min(expected.length, actual.length);
      const show = (time: number | undefined) =>
        time === undefined ? "nothing" : new Date(time).toISOString();
      problems.push(
        `from ${startText}: run #${at} cron ${show(expected[at])} vs EventBridge ${show(actual[at])}`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

const CONVERSIONS: ReadonlyArray<readonly [standard: string, eventBridge: string]> = [
  ["*/5 * * * *", "cron(0/5 * * * ? *)"],
  ["0 4 * * 1", "cron(0 4 ? * MON *)"],
  ["0 0 1 * *", "cron(0 0 1 * ? *)"],
  ["0 */6 * * *", "cron(0 0/6 * * ? *)"],
  ["0 0 * * 0", "cron(0 0 ? * SUN *)"],
  ["0 7,19 * * *", "cron(0 7,19 * * ? *)"],
  ["0 2 * * 0", "cron(0 2 ? * SUN *)"],
  ["30 8 * * 1-5", "cron(30 8 ? * MON-FRI *)"],
  ["0 0 * * 7", "cron(0 0 ? * SUN *)"],
  ["0 12 1,15 * *", "cron(0 12 1,15 * ? *)"],
  // ranges reaching Sunday through 7
  ["0 0 * * 5-7", "cron(0 0 ? * SUN,FRI,SAT *)"],
  ["0 0 * * 6-7", "cron(0 0 ? * SUN,SAT *)"],
  ["0 0 * * 0-6", "cron(0 0 ? * * *)"],
  ["0 0 * * 1-7", "cron(0 0 ? * * *)"],
  ["0 9 * * 2-4", "cron(0 9 ? * TUE-THU *)"],
  ["0 0 * * 5,0,3", "cron(0 0 ? * SUN,WED,FRI *)"],
  // names, any case
  ["0 9 * * MON-FRI", "cron(0 9 ? * MON-FRI *)"],
  ["0 9 * * mon,wed,fri", "cron(0 9 ? * MON,WED,FRI *)"],
  ["0 9 * * SAT,SUN", "cron(0 9 ? * SUN,SAT *)"],
  ["0 0 1 JAN,jul *", "cron(0 0 1 1,7 ? *)"],
  ["15 10 * MAR-OCT *", "cron(15 10 * 3-10 ? *)"],
  // steps
  ["1-10/2 * * * *", "cron(1,3,5,7,9 * * * ? *)"],
  ["5/15 * * * *", "cron(5/15 * * * ? *)"],
  ["0-30/10 9-17 * * 1-5", "cron(0,10,20,30 9-17 ? * MON-FRI *)"],
  ["0 0 */2 * *", "cron(0 0 1/2 * ? *)"],
  ["0 0 */1 * *", "cron(0 0 1/1 * ? *)"],
  ["0 0 1 */3 *", "cron(0 0 1 1/3 ? *)"],
  ["0 0 * * */2", "cron(0 0 ? * SUN,TUE,THU,SAT *)"],
  // cron-parser reads 1/2 as 1-7/2 = MON,WED,FRI and 7 = Sunday
  ["0 0 * * 1/2", "cron(0 0 ? * SUN,MON,WED,FRI *)"],
  // everything else
  ["* * * * *", "cron(* * * * ? *)"],
  ["0 22-23,0-2 * * *", "cron(0 22-23,0-2 * * ? *)"],
  ["0 0 1-7 * *", "cron(0 0 1-7 * ? *)"],
  ["0 0 29 2 *", "cron(0 0 29 2 ? *)"],
  ["0 0 31 4,5 *", "cron(0 0 31 4,5 ? *)"],
  ["  0   4 * *\t1 ", "cron(0 4 ? * MON *)"],
  ["@daily", "cron(0 0 * * ? *)"],
  ["@midnight", "cron(0 0 * * ? *)"],
  ["@hourly", "cron(0 * * * ? *)"],
  ["@weekly", "cron(0 0 ? * SUN *)"],
  ["@monthly", "cron(0 0 1 * ? *)"],
  ["@yearly", "cron(0 0 1 1 ? *)"],
];

const REJECTIONS: ReadonlyArray<readonly [expression: string, code: CronErrorCode, mentions: string]> = [
  ["0 0 1 * 1", "day-fields-conflict", '"0 0 1 * *" and "0 0 * * 1"'],
  ["0 0 */2 * 1-5", "day-fields-conflict", "either one"],
  ["0 0 1-7 * MON", "day-fields-conflict", "cannot express"],
  ["0 0 0 * * *", "field-count", "6 fields"],
  ["0 0 0 1 * ? 2024", "field-count", "Quartz"],
  ["0 4 *", "field-count", "3 fields"],
  ["", "field-count", "empty"],
  ["cron(0 4 ? * MON *)", "field-count", "EventBridge schedule expression"],
  ["rate(5 minutes)", "field-count", "EventBridge schedule expression"],
  ["@reboot", "unsupported-macro", "@daily"],
  ["@secondly", "unsupported-macro", "@hourly"],
  ["0 0 ? * MON", "unsupported-syntax", 'write "*"'],
  ["0 0 L * *", "unsupported-syntax", '"L"'],
  ["0 0 15W * *", "unsupported-syntax", '"W"'],
  ["0 0 * * 5#3", "unsupported-syntax", '"#"'],
  ["H 0 * * *", "unsupported-syntax", '"H"'],
  ["0 0 1 * $", "unsupported-syntax", "characters"],
  ["60 * * * *", "invalid-value", "0-59"],
  ["0 24 * * *", "invalid-value", "0-23"],
  ["0 0 0 * *", "invalid-value", "1-31"],
  ["0 0 * 13 *", "invalid-value", "1-12"],
  ["0 0 * * 8", "invalid-value", "0 and 7 are Sunday"],
  ["0 0 * * FRI-MON", "invalid-value", '"5-7"'],
  ["0 23-1 * * *", "invalid-value", "backwards"],
  ["*/90 * * * *", "invalid-value", "steps by 90"],
  ["*/0 * * * *", "invalid-value", "at least 1"],
  ["0 0 30 2 *", "invalid-value", "never runs"],
  ["0 0 * * 0,7", "invalid-value", "more than once"],
  ["0 0 * * FUNDAY", "invalid-value", "FUNDAY"],
  ["0 0 1,,2 * *", "invalid-value", "empty list item"],
  ["*,5 * * * *", "invalid-value", '"*" already matches'],
  ["0 0 1-/2 * *", "invalid-value", "malformed range"],
];

function conversionError(expression: string): CronError {
  try {
    toEventBridgeCron(expression);
  } catch (error) {
    if (error instanceof CronError) return error;
    throw error;
  }
  throw new Error(`expected "${expression}" to be rejected`);
}

describe("toEventBridgeCron", () => {
  it.each(CONVERSIONS)("converts %j to %s", (standard, eventBridge) => {
    expect(toEventBridgeCron(standard)).toBe(eventBridge);
  });

  it.each(CONVERSIONS)("%j converted runs exactly when cron-parser says the original runs", (standard) => {
    expect(differences(standard, toEventBridgeCron(standard))).toEqual([]);
  });

  it("the cross-check notices a conversion that changes meaning", () => {
    // Cron day numbers copied over unchanged (1 = Monday becomes 1 = Sunday) must be caught …
    expect(differences("0 4 * * 1", "cron(0 4 ? * 1 *)")).not.toEqual([]);
    // … and so must a dropped step, a shifted step start and a lost day-of-month.
    expect(differences("*/5 * * * *", "cron(* * * * ? *)")).not.toEqual([]);
    expect(differences("*/5 * * * *", "cron(1/5 * * * ? *)")).not.toEqual([]);
    expect(differences("0 12 1,15 * *", "cron(0 12 1 * ? *)")).not.toEqual([]);
    // The reader refuses what EventBridge refuses.
    expect(() => parseEventBridgeCron("cron(0 4 * * MON *)")).toThrow(/exactly one/);
    expect(() => parseEventBridgeCron("cron(0 4 ? * */2 *)")).toThrow(/"\/" not allowed/);
    expect(() => parseEventBridgeCron("cron(1-10/2 4 * * ? *)")).toThrow(/not documented/);
  });

  it.each(REJECTIONS)("rejects %j (%s)", (expression, code, mentions) => {
    const error = conversionError(expression);
    expect(error.code).toBe(code);
    expect(error.subject).toBe("expression");
    expect(error.message).toContain(mentions);
    expect(error.message).not.toContain("\n");
  });

  it("matches cron-parser on generated expressions (property check)", () => {
    // Deterministic generator so a failure can be reproduced from the printed expression.
    let seed = 20240229;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const monthNames = ["jan", "FEB", "Mar", "apr", "MAY", "jun", "JUL", "aug", "SEP", "oct", "NOV", "dec"];
    const dayNames = ["SUN", "mon", "TUE", "wed", "THU", "fri", "SAT"];
    const item = (min: number, max: number, names?: readonly string[]): string => {
      const value = (): string => {
        const number = min + random(max - min + 1);
        const name = names?.[number - min];
        return name !== undefined && random(2) === 0 ? name : String(number);
      };
      const a = min + random(max - min + 1);
      const b = a + random(max - a + 1);
      const step = 1 + random(Math.max(1, Math.floor((max - min) / 2)));
      switch (random(6)) {
        case 0:
          return value();
        case 1:
          return `${a}-${b}`;
        case 2:
          return `*/${step}`;
        case 3:
          return `${a}/${step}`;
        case 4:
          return `${a}-${b}/${step}`;
        default:
          return `${value()},${value()}`;
      }
    };
    const field = (min: number, max: number, names?: readonly string[]): string =>
      random(3) === 0 ? "*" : item(min, max, names);
    let compared = 0;
    for (let round = 0; round < 400; round += 1) {
      const dayOfMonthRestricted = random(3) === 0;
      const dayOfWeekRestricted = !dayOfMonthRestricted && random(2) === 0;
      const expression = [
        field(0, 59),
        field(0, 23),
        dayOfMonthRestricted ? item(1, 28) : "*",
        field(1, 12, monthNames),
        dayOfWeekRestricted ? item(0, 7, dayNames.concat("SUN")) : "*",
      ].join(" ");
      let eventBridge: string;
      try {
        eventBridge = toEventBridgeCron(expression);
      } catch (error) {
        // Only documented refusals, never a crash (duplicates and such are generated on purpose).
        expect(error, expression).toBeInstanceOf(CronError);
        continue;
      }
      // Fewer occurrences per expression than the table check: breadth matters more here.
      expect(
        differences(expression, eventBridge, CHECK_STARTS.slice(0, 2), 20),
        `${expression} → ${eventBridge}`,
      ).toEqual([]);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(250);
  });
});

describe("parseStandardCron", () => {
  it("reads fields, names and steps into values", () => {
    const cron = parseStandardCron("0-30/10 9-17 * jan-mar 5-7");
    expect(cron.expression).toBe("0-30/10 9-17 * jan-mar 5-7");
    expect(cron.fields.minute.values).toEqual([0, 10, 20, 30]);
    expect(cron.fields.hour.values).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(cron.fields.month.values).toEqual([1, 2, 3]);
    expect(cron.fields.dayOfWeek.values).toEqual([0, 5, 6]);
    expect(cron.fields.dayOfMonth.isAll).toBe(true);
    expect(cron.fields.dayOfWeek.isAll).toBe(false);
  });

  it("agrees with cron-parser on the days of week", () => {
    for (const text of ["*/2", "1/2", "5-7", "0-6", "MON-FRI", "sun,sat", "1-7/3"]) {
      const ours = parseStandardCron(`0 0 * * ${text}`).fields.dayOfWeek.values;
      const theirs = [
        ...new Set(
          CronExpressionParser.parse(`0 0 * * ${text}`).fields.dayOfWeek.values.map((day) => Number(day) % 7),
        ),
      ];
      expect(ours, text).toEqual(theirs.sort((a, b) => a - b));
    }
  });

  it("expands macros", () => {
    expect(parseStandardCron("@weekly").expression).toBe("0 0 * * 0");
    expect(parseStandardCron("@ANNUALLY").expression).toBe("0 0 1 1 *");
  });
});

/** The 18 jobs of the seed deployment guide, as written there. */
const SEED_JOBS: ReadonlyArray<readonly [name: string, schedule: string, eventBridge: string]> = [
  ["process-opportunity-offers", "0 8 * * *", "cron(0 8 * * ? *)"],
  ["check-stale-opportunities", "0 9 * * *", "cron(0 9 * * ? *)"],
  ["process-promotion-deliveries", "*/30 * * * *", "cron(0/30 * * * ? *)"],
  ["schedule-birthday-promotions", "0 6 * * *", "cron(0 6 * * ? *)"],
  ["schedule-anniversary-promotions", "0 6 * * *", "cron(0 6 * * ? *)"],
  ["send-review-requests", "0 */6 * * *", "cron(0 0/6 * * ? *)"],
  ["sync-google-reviews", "0 2 * * *", "cron(0 2 * * ? *)"],
  ["process-loyalty-tier-upgrades", "0 3 * * *", "cron(0 3 * * ? *)"],
  ["award-birthday-points", "0 0 * * *", "cron(0 0 * * ? *)"],
  ["award-anniversary-points", "0 0 * * *", "cron(0 0 * * ? *)"],
  ["calculate-daily-metrics", "0 1 * * *", "cron(0 1 * * ? *)"],
  ["generate-weekly-report", "0 4 * * 1", "cron(0 4 ? * MON *)"],
  ["check-system-health", "*/15 * * * *", "cron(0/15 * * * ? *)"],
  ["cleanup-old-notifications", "0 2 * * 0", "cron(0 2 ? * SUN *)"],
  ["cleanup-old-logs", "0 3 * * 0", "cron(0 3 ? * SUN *)"],
  ["cleanup-expired-sessions", "0 4 * * *", "cron(0 4 * * ? *)"],
  ["archive-old-opportunities", "0 5 * * 0", "cron(0 5 ? * SUN *)"],
  ["generate-scheduled-reports", "0 6 * * *", "cron(0 6 * * ? *)"],
];

describe("parseCronSchedule", () => {
  it("accepts all 18 seed jobs", () => {
    expect(SEED_JOBS).toHaveLength(18);
    for (const [name, schedule, eventBridge] of SEED_JOBS) {
      const result = parseCronSchedule(schedule, "America/Chicago");
      if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
      expect(result.schedule.eventBridgeExpression, name).toBe(eventBridge);
      expect(result.schedule.timeZone).toBe("America/Chicago");
      expect(result.schedule.description.length, name).toBeGreaterThan(5);
    }
  });

  it("returns the normalised expression and a description", () => {
    const result = parseCronSchedule(" 0 4 * * 1 ", "Europe/Berlin");
    expect(result).toEqual({
      ok: true,
      schedule: {
        source: "0 4 * * 1",
        expression: "0 4 * * 1",
        timeZone: "Europe/Berlin",
        description: "At 04:00, only on Monday",
        eventBridgeExpression: "cron(0 4 ? * MON *)",
      },
    });
    const daily = parseCronSchedule("@daily", "UTC");
    expect(daily.ok && daily.schedule.expression).toBe("0 0 * * *");
    expect(daily.ok && daily.schedule.description).toBe("At 00:00");
  });

  it("describes day-of-week steps the way they run", () => {
    // cron-parser runs 1/2 on Sunday (7) too; the description must say so.
    const result = parseCronSchedule("0 0 * * 1/2", "UTC");
    expect(result.ok && result.schedule.description).toMatch(/Sunday.*Monday.*Wednesday.*Friday/);
  });

  it("reports expression problems as values, naming the subject", () => {
    const result = parseCronSchedule("0 0 1 * 1", "UTC");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(CronError);
    expect(result.error.subject).toBe("expression");
    expect(result.error.code).toBe("day-fields-conflict");
  });

  it.each([
    ["", "empty"],
    ["Mars/Olympus_Mons", "not a known time zone"],
    ["america/new_york", 'write "America/New_York"'],
    ["+02:00", "UTC offset"],
  ])("rejects time zone %j", (timeZone, mentions) => {
    const result = parseCronSchedule("0 4 * * *", timeZone);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.subject).toBe("timeZone");
    expect(result.error.code).toBe("invalid-time-zone");
    expect(result.error.message).toContain(mentions);
    expect(checkTimeZone(timeZone)?.message).toBe(result.error.message);
  });

  it.each(["UTC", "Europe/London", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "Australia/Lord_Howe"])(
    "accepts time zone %s",
    (timeZone) => {
      expect(checkTimeZone(timeZone)).toBeUndefined();
    },
  );
});

describe("nextRuns", () => {
  const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

  it("evaluates in the time zone, winter and summer", () => {
    expect(iso(nextRuns("0 4 * * 1", "Europe/Berlin", new Date("2024-01-01T00:00:00Z"), 3))).toEqual([
      "2024-01-01T03:00:00.000Z",
      "2024-01-08T03:00:00.000Z",
      "2024-01-15T03:00:00.000Z",
    ]);
    expect(iso(nextRuns("0 4 * * 1", "Europe/Berlin", new Date("2024-07-01T00:00:00Z"), 1))).toEqual([
      "2024-07-01T02:00:00.000Z",
    ]);
    expect(iso(nextRuns("0 9 * * MON-FRI", "America/New_York", new Date("2024-03-08T00:00:00Z"), 2))).toEqual(
      ["2024-03-08T14:00:00.000Z", "2024-03-11T13:00:00.000Z"],
    );
  });

  it("starts strictly after `from`", () => {
    expect(iso(nextRuns("*/15 * * * *", "UTC", new Date("2024-05-05T10:15:00Z"), 2))).toEqual([
      "2024-05-05T10:30:00.000Z",
      "2024-05-05T10:45:00.000Z",
    ]);
  });

  it("skips a local time that does not exist when clocks go forward", () => {
    // 2024-03-31 in Berlin jumps from 02:00 to 03:00: there is no 02:30 that day.
    expect(iso(nextRuns("30 2 * * *", "Europe/Berlin", new Date("2024-03-30T00:00:00Z"), 3))).toEqual([
      "2024-03-30T01:30:00.000Z",
      "2024-04-01T00:30:00.000Z",
      "2024-04-02T00:30:00.000Z",
    ]);
  });

  it("runs a repeated local time once when clocks go back", () => {
    // 2024-10-27 in Berlin: 02:00-02:59 happens at 00:00Z (CEST) and again at 01:00Z (CET).
    expect(iso(nextRuns("*/30 * * * *", "Europe/Berlin", new Date("2024-10-26T23:50:00Z"), 5))).toEqual([
      "2024-10-27T00:00:00.000Z",
      "2024-10-27T00:30:00.000Z",
      "2024-10-27T02:00:00.000Z",
      "2024-10-27T02:30:00.000Z",
      "2024-10-27T03:00:00.000Z",
    ]);
    expect(iso(nextRuns("*/30 * * * *", "Europe/Berlin", new Date("2024-10-27T00:10:00Z"), 2))).toEqual([
      "2024-10-27T00:30:00.000Z",
      "2024-10-27T02:00:00.000Z",
    ]);
  });

  it("agrees with the EventBridge reading in UTC", () => {
    for (const [standard] of CONVERSIONS) {
      const start = new Date("2024-02-27T21:07:00Z");
      const schedule = parseEventBridgeCron(toEventBridgeCron(standard));
      const expected = eventBridgeOccurrences(
        schedule,
        start,
        5,
        new Date(start.getTime() + CHECK_WINDOW_MS),
      );
      expect(
        nextRuns(standard, "UTC", start, expected.length).map((date) => date.getTime()),
        standard,
      ).toEqual(expected);
    }
  });

  it("refuses bad input", () => {
    expect(nextRuns("0 4 * * *", "UTC", new Date(), 0)).toEqual([]);
    expect(() => nextRuns("0 4 * * *", "UTC", new Date(), -1)).toThrow(RangeError);
    expect(() => nextRuns("0 4 * * *", "UTC", new Date(), 1.5)).toThrow(RangeError);
    expect(() => nextRuns("0 4 * * *", "UTC", new Date("nope"), 1)).toThrow(RangeError);
    expect(() => nextRuns("0 0 1 * 1", "UTC", new Date(), 1)).toThrow(CronError);
    expect(() => nextRuns("0 4 * * *", "Nowhere/Town", new Date(), 1)).toThrow(/not a known time zone/);
  });
});
