/**
 * A parser of the Prometheus text exposition format (version 0.0.4) as real endpoints serve it.
 *
 * Tolerant where real endpoints differ from the specification, because Supabase's endpoint
 * concatenates several exporters (node, postgres, auth, PostgREST, the pooler) into one text:
 * - the same family may get `# HELP` and `# TYPE` more than once (`go_*`, `process_*` from each
 *   exporter); the samples of every block are kept;
 * - a label may be repeated on one line (older pooler series carry `supabase_project_ref` twice);
 *   the first value is kept;
 * - families without `# TYPE` are untyped; OpenMetrics exemplars (`# {trace_id="…"} 1.0`) and
 *   sample timestamps are read past and not used; `# EOF` ends nothing.
 *
 * Strict where it matters: an HTML error page, a truncated line or a value that is not a number
 * throws {@link PrometheusParseError} with the line number instead of quietly dropping samples,
 * because a monitoring input that is half understood is worse than one that fails.
 *
 * The maintained-parser route was measured and rejected: `parse-prometheus-text-format@1.1.1` (the
 * only text-format parser on npm) reads Supabase's sample, but turns an HTML error page into a
 * metric named `<html><body>502` with the value "Bad", keeps a truncated line with an empty value
 * and folds an exemplar into the timestamp (see docs/alerts.md).
 */

export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** NaN and ±Infinity are legal values. */
  readonly value: number;
  readonly timestampMs?: number;
}

export class PrometheusParseError extends Error {
  override readonly name = "PrometheusParseError";
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`metrics line ${line}: ${detail}`);
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TIMESTAMP = /^-?\d+$/;

/** A Go `ParseFloat`-style number as Prometheus writes it, or undefined. */
export function parsePrometheusValue(text: string): number | undefined {
  if (FLOAT.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === "nan") return Number.NaN;
  if (lower === "+inf" || lower === "inf") return Number.POSITIVE_INFINITY;
  if (lower === "-inf") return Number.NEGATIVE_INFINITY;
  return undefined;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/** Parses `{a="1",b="2"}` starting at `text[start] === "{"`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, lineNumber: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let at = start + 1;
  const fail = (detail: string): never => {
    throw new PrometheusParseError(lineNumber, detail);
  };
  for (;;) {
    while (text[at] === " ") at += 1;
    if (text[at] === "}") return [labels, at + 1];
    const name = LABEL_NAME.exec(text.slice(at))?.[0];
    if (name === undefined) fail(`expected a label name at column ${at + 1}`);
    at += name!.length;
    while (text[at] === " ") at += 1;
    if (text[at] !== "=") fail(`expected "=" after label ${name!}`);
    at += 1;
    while (text[at] === " ") at += 1;
    if (text[at] !== '"') fail(`the value of label ${name!} must be in double quotes`);
    at += 1;
    let value = "";
    for (;;) {
      const char = text[at];
      if (char === undefined) fail(`the value of label ${name!} is not closed`);
      if (char === '"') break;
      if (char === "\\") {
        const next = text[at + 1];
        if (next === "n") value += "\n";
        else if (next === "\\" || next === '"') value += next;
        else fail(`label ${name!} has an unknown escape "\\${next ?? ""}"`);
        at += 2;
        continue;
      }
      value += char;
      at += 1;
    }
    at += 1;
    // A label repeated on one line (seen on Supabase's pooler series): the first value stands.
    if (!Object.hasOwn(labels, name!)) labels[name!] = value;
    while (text[at] === " ") at += 1;
    if (text[at] === ",") {
      at += 1;
      continue;
    }
    if (text[at] === "}") return [labels, at + 1];
    fail(`expected "," or "}" after the value of label ${name!}`);
  }
}

/**
 * Every sample of an exposition text, in order.
 * @throws {PrometheusParseError} on a malformed line, or when the text holds no sample at all.
 */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  const lines = text.split("\n");
  for (const [index, rawLine] of lines.entries()) {
    const lineNumber = index + 1;
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      const parts = trimmed.slice(1).trim().split(/\s+/);
      if (parts[0] === "HELP" || parts[0] === "TYPE") {
        const metric = parts[1];
        if (metric === undefined || !METRIC_NAME.test(metric) || METRIC_NAME.exec(metric)?.[0] !== metric) {
          throw new PrometheusParseError(lineNumber, `# ${parts[0]} needs a metric name`);
        }
        if (parts[0] === "TYPE") {
          const type = parts[2];
          if (type === undefined || !TYPES.has(type) || parts.length !== 3) {
            throw new PrometheusParseError(
              lineNumber,
              `# TYPE ${metric} must be one of ${[...TYPES].join(", ")}`,
            );
          }
          // A family typed again (another exporter's block) is fine: its samples are kept too.
        }
      }
      continue;
    }
    const name = METRIC_NAME.exec(trimmed)?.[0];
    if (name === undefined) {
      throw new PrometheusParseError(lineNumber, `${quote(trimmed)} does not start with a metric name`);
    }
    let labels: Record<string, string> = {};
    let rest = trimmed.slice(name.length);
    if (rest.startsWith("{")) {
      const [parsed, end] = parseLabels(trimmed, name.length, lineNumber);
      labels = parsed;
      rest = trimmed.slice(end);
    }
    if (!/^\s/.test(rest)) {
      throw new PrometheusParseError(lineNumber, `${name} must be followed by a space and its value`);
    }
    // An OpenMetrics exemplar follows " # "; it is not part of the sample.
    const exemplarAt = rest.indexOf(" # ");
    const fields = (exemplarAt >= 0 ? rest.slice(0, exemplarAt) : rest).trim().split(/\s+/);
    if (fields.length > 2) {
      throw new PrometheusParseError(lineNumber, `${name} has more than a value and a timestamp`);
    }
    const value = parsePrometheusValue(fields[0]!);
    if (value === undefined) {
      throw new PrometheusParseError(lineNumber, `${name} has the value ${quote(fields[0]!)}, not a number`);
    }
    const timestamp = fields[1];
    if (timestamp !== undefined && !FLOAT.test(timestamp)) {
      throw new PrometheusParseError(
        lineNumber,
        `${name} has the timestamp ${quote(timestamp)}, not a number`,
      );
    }
    samples.push({
      name,
      labels,
      value,
      ...(timestamp !== undefined && TIMESTAMP.test(timestamp) ? { timestampMs: Number(timestamp) } : {}),
    });
  }
  if (samples.length === 0) {
    throw new PrometheusParseError(lines.length, "the text holds no samples; is this the metrics endpoint?");
  }
  return samples;
}
