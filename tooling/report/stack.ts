/** Builds one stack's report input from its preview output and optional engine event log. */
import { existsSync } from "node:fs";
import path from "node:path";
import { readEventLog, toOpCounts, toRawState, type EventLogData } from "./events";
import { EVENT_LOG_HINT, ReportInputError, loadReportInput } from "./load";
import { costChangeOfSteps } from "./cost";
import type { Diagnostic, OpCounts, StackReportInput } from "./model";
import type { PreviewDocument } from "./schemas";
import { foldReplacementSteps, toResourceChange, type RawStep } from "./steps";
import { compareText, stripColors } from "./text";

export interface InputFile {
  /** Name used in messages and shown in the report. */
  file: string;
  text: string;
}

export interface StackInputFiles {
  /** Label shown to reviewers, e.g. `staging`. */
  name: string;
  /** `pulumi preview --json` stdout; an engine event log is accepted here too. */
  preview: InputFile;
  /** `--event-log` output, for policy events (and counts when the preview lacks them). */
  events?: InputFile;
}

function stepsFromPreview(document: PreviewDocument): RawStep[] {
  return (document.steps ?? []).map((step) => {
    const raw: RawStep = {
      op: step.op,
      urn: step.urn,
      diffReasons: step.diffReasons ?? [],
      replaceReasons: step.replaceReasons ?? [],
    };
    const oldState = toRawState(step.oldState, false);
    if (oldState !== undefined) raw.old = oldState;
    const newState = toRawState(step.newState, false);
    if (newState !== undefined) raw.new = newState;
    if (step.detailedDiff !== null && step.detailedDiff !== undefined) {
      raw.detailedDiff = Object.entries(step.detailedDiff).map(([path, entry]) => ({
        path,
        kind: entry.kind,
        inputDiff: entry.inputDiff === true,
      }));
    }
    return raw;
  });
}

function diagnosticsFromPreview(document: PreviewDocument): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const entry of document.diagnostics ?? []) {
    if (entry.severity !== "warning" && entry.severity !== "error") continue;
    const message = stripColors(entry.message).trim();
    if (message === "") continue;
    const diagnostic: Diagnostic = { severity: entry.severity, message };
    if (typeof entry.urn === "string" && entry.urn !== "") diagnostic.urn = entry.urn;
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

function countSteps(steps: readonly RawStep[]): OpCounts {
  const counts: OpCounts = {};
  for (const step of steps) counts[step.op] = (counts[step.op] ?? 0) + 1;
  return counts;
}

function describeCounts(counts: OpCounts): string {
  const parts = Object.entries(counts)
    .filter(([op, count]) => op !== "same" && (count ?? 0) > 0)
    .sort(([a], [b]) => compareText(a, b))
    .map(([op, count]) => `${op} ${count ?? 0}`);
  return parts.length > 0 ? parts.join(", ") : "no changes";
}

/** Where the summary's change counts (`same` aside) differ from the steps', in words. */
export function describeDisagreement(
  summary: OpCounts,
  steps: OpCounts,
): { summary: string; steps: string } | undefined {
  const ops = new Set([...Object.keys(summary), ...Object.keys(steps)]);
  ops.delete("same");
  const key = (op: string): keyof OpCounts => op as keyof OpCounts;
  const differs = [...ops].some((op) => (summary[key(op)] ?? 0) !== (steps[key(op)] ?? 0));
  return differs ? { summary: describeCounts(summary), steps: describeCounts(steps) } : undefined;
}

/**
 * A file as the report names it: relative to the repository it is in (the nearest directory with
 * `.git` above the working directory), never an absolute local path; a file outside by its name.
 */
export function repositoryPath(file: string, cwd: string = process.cwd()): string {
  if (file === "-") return file;
  let root = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(root, ".git"))) break;
    const parent = path.dirname(root);
    if (parent === root) {
      root = path.resolve(cwd);
      break;
    }
    root = parent;
  }
  const relative = path.relative(root, path.resolve(cwd, file));
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return path.basename(file);
  return relative.split(path.sep).join("/");
}

/**
 * Parses and maps one stack's files. The preview decides the resources; the event log adds policy
 * results, and the counts and duration when the preview has none. Throws `ReportInputError`.
 */
export function buildStackReport(input: StackInputFiles): StackReportInput {
  const primary = loadReportInput(input.preview.file, input.preview.text);
  let steps: RawStep[];
  let counts: OpCounts | undefined;
  let durationSeconds: number | undefined;
  let maybeCorrupt = false;
  let diagnostics: Diagnostic[];
  let eventLog: EventLogData | undefined;
  let config: Record<string, unknown> = {};

  if (primary.format === "preview") {
    const { document } = primary;
    steps = stepsFromPreview(document);
    if (document.changeSummary !== null && document.changeSummary !== undefined) {
      counts = toOpCounts(document.changeSummary);
    }
    if (typeof document.duration === "number") durationSeconds = document.duration / 1e9;
    maybeCorrupt = document.maybeCorrupt === true;
    diagnostics = diagnosticsFromPreview(document);
    config = document.config ?? {};
  } else {
    eventLog = readEventLog(input.preview.file, primary.events);
    steps = eventLog.steps;
    counts = eventLog.counts;
    durationSeconds = eventLog.durationSeconds;
    maybeCorrupt = eventLog.maybeCorrupt === true;
    diagnostics = eventLog.diagnostics;
  }

  if (input.events !== undefined) {
    const secondary = loadReportInput(input.events.file, input.events.text);
    if (secondary.format !== "events") {
      throw new ReportInputError(
        input.events.file,
        `expected an engine event log but found \`pulumi preview --json\` output. ${EVENT_LOG_HINT}; the preview goes first: --stack NAME=PREVIEW.json,EVENTS.ndjson.`,
      );
    }
    eventLog = readEventLog(input.events.file, secondary.events);
    counts ??= eventLog.counts;
    durationSeconds ??= eventLog.durationSeconds;
    maybeCorrupt ||= eventLog.maybeCorrupt === true;
    // The preview repeats the log's diagnostics; use the log's only when the preview has none.
    if (diagnostics.length === 0) diagnostics = eventLog.diagnostics;
  }

  const folded = foldReplacementSteps(steps);
  const resources = folded
    .map(toResourceChange)
    .sort((a, b) => compareText(a.urn, b.urn) || compareText(a.op, b.op));
  const fromSteps = countSteps(folded);
  const disagreement = counts === undefined ? undefined : describeDisagreement(counts, fromSteps);
  if (disagreement !== undefined) {
    // The steps are what will happen; a summary that says otherwise is reported, not believed.
    diagnostics = [
      ...diagnostics,
      {
        severity: "warning",
        message: `The engine's summary (${disagreement.summary}) disagrees with its steps (${disagreement.steps}); the counts here are the steps'.`,
      },
    ];
  }
  const report: StackReportInput = {
    name: input.name,
    sources: [input.preview.file, ...(input.events ? [input.events.file] : [])].map((file) =>
      repositoryPath(file),
    ),
    resources,
    counts: disagreement !== undefined || counts === undefined ? fromSteps : counts,
    diagnostics,
  };
  if (durationSeconds !== undefined) report.durationSeconds = durationSeconds;
  if (maybeCorrupt) report.maybeCorrupt = true;
  if (eventLog !== undefined) report.policy = eventLog.policy;
  report.cost = costChangeOfSteps(folded, config);
  return report;
}
