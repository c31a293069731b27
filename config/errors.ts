/**
 * One error for every config problem at once: each names the full key path, what is wrong, and the
 * `pulumi config` command that fixes it. It extends Pulumi's RunError so the CLI prints the message
 * without a stack trace.
 */
import { RunError } from "@pulumi/pulumi/errors";
import { z } from "zod";
import { isPlaceholder } from "../lib/placeholders";

export interface ConfigProblem {
  /** Full key path, e.g. `golive:database.network.allowedCidrs[0]`. */
  readonly key: string;
  readonly message: string;
  readonly fix: string;
}

export class ConfigError extends RunError {
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly stackName: string | undefined,
    readonly source = "configuration",
  ) {
    super(formatProblems(problems, stackName, source));
    this.name = "ConfigError";
  }
}

export function formatProblems(
  problems: readonly ConfigProblem[],
  stack: string | undefined,
  source: string,
): string {
  const where = stack ? `the ${source} of stack "${stack}"` : `the ${source}`;
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = [`golive: ${where} has ${count}; nothing was deployed.`, ""];
  problems.forEach((problem, index) => {
    lines.push(`  ${index + 1}. ${problem.key}`);
    lines.push(`     ${problem.message}`);
    lines.push(`     fix: ${problem.fix}`);
  });
  return lines.join("\n");
}

type PathSegment = PropertyKey;

/** `["database", "network", "allowedCidrs", 0]` → `golive:database.network.allowedCidrs[0]`. */
export function keyPath(namespace: string, path: readonly PathSegment[]): string {
  const [top, ...rest] = path;
  let key = `${namespace}:${String(top)}`;
  for (const segment of rest) {
    if (typeof segment === "number") key += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(segment))) key += `.${String(segment)}`;
    else key += `["${String(segment)}"]`;
  }
  return key;
}

/** The command that sets a key; `--path` only where the key is nested. */
export function setCommand(
  key: string,
  value: string,
  opts: { secret?: boolean; stack?: string } = {},
): string {
  const flags = [
    opts.stack ? `--stack ${opts.stack}` : "",
    opts.secret ? "--secret" : "",
    /[.[]/.test(key) ? "--path" : "",
  ]
    .filter(Boolean)
    .join(" ");
  return `pulumi config set ${flags ? `${flags} ` : ""}'${key}' ${value}`;
}

export function removeCommand(key: string, stack?: string): string {
  const flags = [stack ? `--stack ${stack}` : "", /[.[]/.test(key) ? "--path" : ""].filter(Boolean).join(" ");
  return `pulumi config rm ${flags ? `${flags} ` : ""}'${key}'`;
}

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

function exampleOf(schema: z.ZodType): string | undefined {
  const meta = z.globalRegistry.get(schema) as { example?: unknown } | undefined;
  return typeof meta?.example === "string" ? meta.example : undefined;
}

/** The `example` metadata of the field at `path`, looking through wrappers. */
export function exampleAt(root: z.ZodType, path: readonly PathSegment[]): string | undefined {
  let schema: z.ZodType | undefined = root;
  let index = 0;
  while (schema) {
    const found = exampleOf(schema);
    const def = defOf(schema);
    if (found !== undefined && index >= path.length) return found;
    switch (def.type) {
      case "optional":
      case "default":
      case "prefault":
      case "nullable":
      case "readonly":
        schema = def.innerType;
        continue;
      case "pipe":
        schema = def.in;
        continue;
      case "union":
        schema = def.options?.[0];
        continue;
    }
    if (index >= path.length) return found;
    const segment = path[index++];
    if (def.type === "object") schema = def.shape?.[String(segment)];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return undefined;
  }
  return undefined;
}

/** Edit distance, to suggest the key a typo meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function knownKeysAt(root: z.ZodType, path: readonly PathSegment[]): string[] {
  let schema: z.ZodType | undefined = root;
  const walk = [...path];
  while (schema) {
    const def = defOf(schema);
    if (["optional", "default", "prefault", "nullable", "readonly"].includes(def.type)) {
      schema = def.innerType;
    } else if (def.type === "pipe") {
      schema = def.in;
    } else if (walk.length === 0) {
      return def.type === "object" ? Object.keys(def.shape ?? {}) : [];
    } else {
      const segment = walk.shift();
      schema =
        def.type === "object"
          ? def.shape?.[String(segment)]
          : def.type === "array"
            ? def.element
            : def.type === "record"
              ? def.valueType
              : undefined;
    }
  }
  return [];
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping of keys to values",
  array: "a list",
  record: "a mapping of keys to values",
};

/** What the stack file holds, for a message; never the value of a secret. */
export function describeInput(input: unknown, secret: boolean): string {
  if (input === undefined) return "nothing";
  // The engine passes every top-level value as a string: `null`, `1` or `true` arrive as text.
  if (input === null || input === "null" || input === "") return "no value (null or empty)";
  if (secret) return typeof input === "string" ? "text (not shown: it is a secret)" : "a value (not shown)";
  if (
    typeof input === "number" ||
    (typeof input === "string" && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(input))
  ) {
    return `the number ${String(input)}`;
  }
  if (typeof input === "boolean" || input === "true" || input === "false")
    return `the value ${String(input)}`;
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a mapping";
  const text = typeof input === "string" ? input : JSON.stringify(input);
  return `the text "${text.length > 40 ? `${text.slice(0, 37)}...` : text}"`;
}

interface ZodIssueFields {
  readonly code: string;
  readonly message: string;
  readonly input?: unknown;
  readonly expected?: string;
  readonly origin?: string;
  readonly maximum?: number | bigint;
  readonly minimum?: number | bigint;
  readonly inclusive?: boolean;
  readonly values?: readonly unknown[];
  readonly errors?: readonly (readonly z.core.$ZodIssue[])[];
}

/** Zod's own wording ("Invalid input", "Too big: expected number to be <=9007199254740991") in plain words. */
function plainMessage(issue: ZodIssueFields, secret: boolean): string {
  if (isPlaceholder(issue.input)) {
    return "is encrypted (secure:) in the stack file, which an offline plan cannot decrypt; golive reads this key as plain config, so set it without --secret (only golive:providedSecrets values are secrets)";
  }
  const custom = !/^(Invalid|Too (big|small))/.test(issue.message);
  switch (issue.code) {
    case "invalid_type": {
      const expected = TYPE_NAMES[issue.expected ?? ""] ?? issue.expected ?? "another type";
      if (issue.input === undefined) return `is required (${expected})`;
      const base = custom ? issue.message : `must be ${expected}`;
      return `${base}; the stack file has ${describeInput(issue.input, secret)}`;
    }
    case "too_big": {
      if (custom) return issue.message;
      const max = Number(issue.maximum);
      if (!Number.isFinite(max) || max >= Number.MAX_SAFE_INTEGER) return "is too large";
      const unit = issue.origin === "array" ? " items" : issue.origin === "string" ? " characters" : "";
      return issue.inclusive === false ? `must be below ${max}${unit}` : `must be at most ${max}${unit}`;
    }
    case "too_small": {
      if (custom) return issue.message;
      const min = Number(issue.minimum);
      if (!Number.isFinite(min) || min <= Number.MIN_SAFE_INTEGER) return "is too small";
      const unit = issue.origin === "array" ? " items" : issue.origin === "string" ? " characters" : "";
      return issue.inclusive === false ? `must be above ${min}${unit}` : `must be at least ${min}${unit}`;
    }
    case "invalid_value":
      if (custom) return issue.message;
      return `must be one of ${(issue.values ?? []).map((value) => String(value)).join(", ")}; the stack file has ${describeInput(issue.input, secret)}`;
    case "invalid_union": {
      if (custom) return issue.message;
      // The accepted form that came closest, by its fewest problems.
      const closestForm = [...(issue.errors ?? [])].sort((a, b) => a.length - b.length)[0] ?? [];
      const reasons = closestForm.map((inner) => {
        const where = inner.path.length > 0 ? `${inner.path.map(String).join(".")}: ` : "";
        return `${where}${plainMessage(inner, secret)}`;
      });
      return reasons.length > 0
        ? `does not match an accepted form (${reasons.join("; ")})`
        : "does not match an accepted form";
    }
    default:
      return issue.message;
  }
}

/**
 * One problem per distinct problem: the same message at the same key of several list items (a
 * bad setting in 18 jobs) becomes one problem that lists the items.
 */
export function mergeRepeatedProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const groups = new Map<string, ConfigProblem[]>();
  for (const problem of problems) {
    const id = `${problem.key.replace(/\[\d+\]/g, "[*]")}\u0000${problem.message}`;
    groups.set(id, [...(groups.get(id) ?? []), problem]);
  }
  return [...groups.values()].map((group) => {
    if (group.length === 1) return group[0]!;
    const first = group[0]!;
    return {
      key: first.key.replace(/\[\d+\]/g, "[*]"),
      message: `${first.message} (in ${group.length} places: ${group.map((problem) => problem.key).join(", ")})`,
      fix: first.fix,
    };
  });
}

/** Turn zod issues into problems with keys, plain messages and fixes. Never includes a secret's value. */
export function problemsFromZod(
  root: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  namespace: string,
  stack?: string,
  secretTopKeys: ReadonlySet<string> = new Set(),
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(root, issue.path);
      for (const unknownKey of issue.keys) {
        const key = keyPath(namespace, [...issue.path, unknownKey]);
        const guess = closest(unknownKey, known);
        problems.push({
          key,
          message: `is not a golive setting${guess ? ` (did you mean "${guess}"?)` : ""}; known here: ${known.join(", ")}`,
          fix: guess
            ? `rename it to ${keyPath(namespace, [...issue.path, guess])} in Pulumi.${stack ?? "<stack>"}.yaml, or ${removeCommand(key, stack)}`
            : removeCommand(key, stack),
        });
      }
      continue;
    }
    const key = keyPath(namespace, issue.path);
    const secret = issue.path.length > 0 && secretTopKeys.has(String(issue.path[0]));
    const message = plainMessage(issue, secret);
    const value = secret ? "<value>" : (exampleAt(root, issue.path) ?? "<value>");
    problems.push({ key, message, fix: setCommand(key, value, { secret, stack }) });
  }
  return mergeRepeatedProblems(problems);
}
