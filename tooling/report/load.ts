/**
 * Reads an input file's text: `pulumi preview --json` stdout (one JSON document, possibly preceded or
 * followed by other text) or an engine event log in any layout: JSON lines, concatenated or
 * pretty-printed event objects, a JSON array of events, or the `{"events": [...]}` form the Pulumi
 * Cloud API returns. The format is detected from the content, not the file name.
 */
import { previewDocumentSchema, formatIssues, type PreviewDocument } from "./schemas";
import { isRecord } from "../../lib/records";

/** Bad input: the message names the file, what is wrong, and what was expected. */
export class ReportInputError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "ReportInputError";
  }
}

export const PREVIEW_HINT = "Pass the stdout of `pulumi preview --json`";
export const EVENT_LOG_HINT =
  'Pass the file written by `pulumi preview --event-log FILE` (one JSON event per line) or a `{"events": [...]}` document';

/** One engine event with its kind (`resourcePreEvent`...) and where it was in the file, for errors. */
export interface EngineEvent {
  kind: string;
  payload: unknown;
  where: string;
}

export type LoadedInput =
  { format: "preview"; document: PreviewDocument } | { format: "events"; events: EngineEvent[] };

const PREVIEW_KEYS = ["steps", "changeSummary", "diagnostics", "duration", "config", "maybeCorrupt"];
const ENVELOPE_KEYS = new Set(["sequence", "timestamp", "type"]);

/** The event kind of an envelope: its `type`, or the single `...Event` key it carries. */
function eventKind(envelope: Record<string, unknown>): string | undefined {
  if (typeof envelope.type === "string" && envelope.type in envelope) return envelope.type;
  return Object.keys(envelope).find((key) => !ENVELOPE_KEYS.has(key) && key.endsWith("Event"));
}

function toEvents(file: string, items: unknown[], where: (index: number) => string): EngineEvent[] {
  return items.map((item, index) => {
    if (!isRecord(item)) {
      throw new ReportInputError(
        file,
        `${where(index)}: expected an engine event object, got ${describe(item)}. ${EVENT_LOG_HINT}.`,
      );
    }
    const kind = eventKind(item);
    if (kind === undefined) {
      throw new ReportInputError(
        file,
        `${where(index)}: not an engine event (no \`type\` and no \`...Event\` key; keys: ${Object.keys(item).slice(0, 6).join(", ") || "none"}). ${EVENT_LOG_HINT}.`,
      );
    }
    return { kind, payload: item[kind], where: where(index) };
  });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

type ParseResult = { ok: true; value: unknown } | { ok: false; message: string };

function tryParse(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Index of the brace closing the JSON object that starts at `start`, or undefined. */
function closingBrace(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{" || char === "[") depth += 1;
    else if (char === "}" || char === "]") {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return undefined;
}

/** Finds a JSON object starting at the beginning of a line, with any text before or after it. */
function extractEmbeddedObject(text: string): unknown {
  let start = text.startsWith("{") ? 0 : text.indexOf("\n{");
  for (let tries = 0; start >= 0 && tries < 200; tries += 1) {
    const open = text[start] === "{" ? start : start + 1;
    const close = closingBrace(text, open);
    if (close !== undefined) {
      const parsed = tryParse(text.slice(open, close + 1));
      if (parsed.ok && isRecord(parsed.value)) return parsed.value;
    }
    start = text.indexOf("\n{", open + 1);
  }
  return undefined;
}

function looksLikeEventLine(line: string): boolean {
  const parsed = tryParse(line);
  return parsed.ok && isRecord(parsed.value) && eventKind(parsed.value) !== undefined;
}

/**
 * Splits text made of JSON values one after another (pretty-printed or concatenated event
 * objects, as `--event-log` and tools that re-indent it write them). Undefined when anything but
 * whitespace lies between the values or one does not parse.
 */
function concatenatedValues(text: string): unknown[] | undefined {
  const values: unknown[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === undefined) break;
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    if (char !== "{" && char !== "[") return undefined;
    const close = closingBrace(text, at);
    if (close === undefined) return undefined;
    const parsed = tryParse(text.slice(at, close + 1));
    if (!parsed.ok) return undefined;
    values.push(parsed.value);
    at = close + 1;
  }
  return values;
}

function isEventObject(value: unknown): boolean {
  return isRecord(value) && eventKind(value) !== undefined;
}

function fromDocument(file: string, value: unknown): LoadedInput {
  if (Array.isArray(value)) {
    // A JSON array of engine events (what `jq -s` or a log collector makes of the event log).
    return { format: "events", events: toEvents(file, value, (index) => `[${index}]`) };
  }
  if (!isRecord(value)) {
    throw new ReportInputError(file, `expected a JSON object, got ${describe(value)}. ${PREVIEW_HINT}.`);
  }
  if (Array.isArray(value.events)) {
    return { format: "events", events: toEvents(file, value.events, (index) => `events[${index}]`) };
  }
  if (!PREVIEW_KEYS.some((key) => key in value) && eventKind(value) !== undefined) {
    return { format: "events", events: toEvents(file, [value], () => "line 1") };
  }
  const keys = Object.keys(value);
  if (keys.length > 0 && !PREVIEW_KEYS.some((key) => key in value)) {
    throw new ReportInputError(
      file,
      `this JSON is neither \`pulumi preview --json\` output (no ${PREVIEW_KEYS.map((key) => `\`${key}\``).join("/")} key) nor an event log (keys: ${keys.slice(0, 6).join(", ")}). ${PREVIEW_HINT}.`,
    );
  }
  const result = previewDocumentSchema.safeParse(value);
  if (!result.success) {
    throw new ReportInputError(
      file,
      `invalid \`pulumi preview --json\` output: ${formatIssues(result.error)}.`,
    );
  }
  return { format: "preview", document: result.data };
}

/** Detects the format of an input file and parses it. Throws `ReportInputError` on bad input. */
export function loadReportInput(file: string, text: string): LoadedInput {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") {
    throw new ReportInputError(file, `the file is empty. ${PREVIEW_HINT}, or an engine event log.`);
  }
  const whole = tryParse(trimmed);
  if (whole.ok) return fromDocument(file, whole.value);

  const lines = trimmed.split(/\r?\n/);
  if (lines.length > 1 && looksLikeEventLine(lines[0] ?? "")) {
    const items: unknown[] = [];
    const lineNumbers: number[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === "") return;
      const parsed = tryParse(line);
      if (!parsed.ok) {
        throw new ReportInputError(
          file,
          `line ${index + 1}: not valid JSON (${parsed.message}). ${EVENT_LOG_HINT}.`,
        );
      }
      items.push(parsed.value);
      lineNumbers.push(index + 1);
    });
    return {
      format: "events",
      events: toEvents(file, items, (index) => `line ${lineNumbers[index] ?? "?"}`),
    };
  }

  // Several JSON values one after another: pretty-printed or concatenated events (or arrays of them).
  const values = concatenatedValues(trimmed);
  if (values !== undefined && values.length > 1) {
    const items = values.flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]));
    if (items.length > 0 && items.every((item) => isEventObject(item))) {
      return { format: "events", events: toEvents(file, items, (index) => `event ${index + 1}`) };
    }
  }

  const embedded = extractEmbeddedObject(trimmed);
  if (embedded !== undefined) return fromDocument(file, embedded);
  throw new ReportInputError(
    file,
    `no JSON document or event log found (${whole.message}). ${PREVIEW_HINT} (text before the JSON is ignored), or an engine event log.`,
  );
}
