/** Reads engine events: resource steps, policy violations, the run summary and diagnostics. */
import type { z } from "zod";
import { ReportInputError, type EngineEvent } from "./load";
import { STEP_OPS, type Diagnostic, type OpCounts, type PolicyReport, type PolicyViolation } from "./model";
import {
  diagnosticEventSchema,
  formatIssues,
  policyEventSchema,
  resourceEventSchema,
  summaryEventSchema,
  type ResourceState,
} from "./schemas";
import type { RawResourceState, RawStep } from "./steps";
import { compareText, oneLine, stripColors } from "./text";
import { isRecord } from "../../lib/records";

export interface EventLogData {
  steps: RawStep[];
  policy: PolicyReport;
  counts?: OpCounts;
  durationSeconds?: number;
  maybeCorrupt?: boolean;
  diagnostics: Diagnostic[];
}

function parsePayload<T extends z.ZodType>(file: string, event: EngineEvent, schema: T): z.infer<T> {
  const result = schema.safeParse(event.payload);
  if (!result.success) {
    throw new ReportInputError(file, `${event.where}: invalid ${event.kind}: ${formatIssues(result.error)}.`);
  }
  return result.data;
}

/** Normalises resource state from either format; `emptyOutputsAreUnknown` for events before a step ran. */
export function toRawState(
  state: ResourceState | null | undefined,
  emptyOutputsAreUnknown: boolean,
): RawResourceState | undefined {
  if (state === null || state === undefined) return undefined;
  const raw: RawResourceState = { additionalSecretOutputs: state.additionalSecretOutputs ?? [] };
  if (typeof state.type === "string" && state.type !== "") raw.type = state.type;
  if (typeof state.id === "string") raw.id = state.id;
  if (typeof state.protect === "boolean") raw.protect = state.protect;
  if (typeof state.retainOnDelete === "boolean") raw.retainOnDelete = state.retainOnDelete;
  if (state.inputs !== null && state.inputs !== undefined) raw.inputs = state.inputs;
  const outputs = state.outputs ?? undefined;
  if (outputs !== undefined && !(emptyOutputsAreUnknown && Object.keys(outputs).length === 0))
    raw.outputs = outputs;
  return raw;
}

/** Keeps the ops the engine knows; the summary may carry others, which are not steps. */
export function toOpCounts(summary: Record<string, number>): OpCounts {
  const counts: OpCounts = {};
  for (const op of STEP_OPS) {
    const count = summary[op];
    if (count !== undefined && count > 0) counts[op] = count;
  }
  return counts;
}

const KNOWN_SEVERITIES = new Set(["low", "medium", "high", "critical"]);

function violationKey(violation: PolicyViolation): string {
  return [
    violation.policyPack,
    violation.policyPackVersion,
    violation.policyName,
    violation.enforcementLevel,
    violation.severity ?? "",
    violation.resourceUrn ?? "",
    violation.message,
  ].join("\u0000");
}

/** Reads the events of one event log. Throws `ReportInputError` naming the event on bad input. */
export function readEventLog(file: string, events: readonly EngineEvent[]): EventLogData {
  const data: EventLogData = { steps: [], policy: { packs: [], violations: [] }, diagnostics: [] };
  const preEventUrns = new Set<string>();
  const outputSteps: RawStep[] = [];
  const packs = new Map<string, string>();
  const violations = new Map<string, PolicyViolation>();

  for (const event of events) {
    switch (event.kind) {
      case "resourcePreEvent":
      case "resOutputsEvent": {
        const { metadata } = parsePayload(file, event, resourceEventSchema);
        const step: RawStep = {
          op: metadata.op,
          urn: metadata.urn,
          diffReasons: metadata.diffs ?? [],
          replaceReasons: metadata.keys ?? [],
        };
        if (typeof metadata.type === "string" && metadata.type !== "") step.type = metadata.type;
        const oldState = toRawState(metadata.old, false);
        if (oldState !== undefined) step.old = oldState;
        // Before a step runs, the event's new outputs are an empty placeholder, not "no outputs".
        const newState = toRawState(metadata.new, event.kind === "resourcePreEvent");
        if (newState !== undefined) step.new = newState;
        if (metadata.detailedDiff !== null && metadata.detailedDiff !== undefined) {
          step.detailedDiff = Object.entries(metadata.detailedDiff).map(([path, entry]) => ({
            path,
            kind: entry.diffKind,
            inputDiff: entry.inputDiff === true,
          }));
        }
        if (event.kind === "resourcePreEvent") {
          preEventUrns.add(`${metadata.op} ${metadata.urn}`);
          data.steps.push(step);
        } else {
          outputSteps.push(step);
        }
        break;
      }
      case "policyEvent": {
        const payload = parsePayload(file, event, policyEventSchema);
        const violation: PolicyViolation = {
          policyPack: payload.policyPackName,
          policyPackVersion: payload.policyPackVersion,
          policyName: payload.policyName,
          enforcementLevel: payload.enforcementLevel,
          message: oneLine(stripColors(payload.message)),
        };
        const severity = payload.severity?.toLowerCase();
        if (severity !== undefined && KNOWN_SEVERITIES.has(severity)) violation.severity = severity;
        if (typeof payload.resourceUrn === "string" && payload.resourceUrn !== "") {
          violation.resourceUrn = payload.resourceUrn;
        }
        violations.set(violationKey(violation), violation);
        packs.set(payload.policyPackName, payload.policyPackVersion);
        break;
      }
      case "policyAnalyzeSummaryEvent":
      case "policyRemediateSummaryEvent":
      case "policyAnalyzeStackSummaryEvent": {
        if (isRecord(event.payload)) {
          const { policyPackName, policyPackVersion } = event.payload;
          if (typeof policyPackName === "string" && typeof policyPackVersion === "string") {
            packs.set(policyPackName, policyPackVersion);
          }
        }
        break;
      }
      case "summaryEvent": {
        const payload = parsePayload(file, event, summaryEventSchema);
        if (payload.resourceChanges !== null && payload.resourceChanges !== undefined) {
          data.counts = toOpCounts(payload.resourceChanges);
        }
        if (typeof payload.durationSeconds === "number") data.durationSeconds = payload.durationSeconds;
        if (payload.maybeCorrupt === true) data.maybeCorrupt = true;
        for (const [name, version] of Object.entries(payload.PolicyPacks ?? {})) packs.set(name, version);
        break;
      }
      case "diagnosticEvent": {
        const payload = parsePayload(file, event, diagnosticEventSchema);
        if (payload.severity !== "warning" && payload.severity !== "error") break;
        const message = stripColors(payload.message).trim();
        if (message === "") break;
        const diagnostic: Diagnostic = { severity: payload.severity, message };
        if (typeof payload.urn === "string" && payload.urn !== "") diagnostic.urn = payload.urn;
        data.diagnostics.push(diagnostic);
        break;
      }
      default:
        break;
    }
  }
  // Outputs events stand in only for steps whose pre-event is missing (a truncated log).
  for (const step of outputSteps) {
    if (!preEventUrns.has(`${step.op} ${step.urn}`)) {
      preEventUrns.add(`${step.op} ${step.urn}`);
      data.steps.push(step);
    }
  }
  data.policy = {
    packs: [...packs.entries()]
      .map(([name, version]) => ({ name, version }))
      .sort((a, b) => compareText(a.name, b.name)),
    violations: [...violations.values()],
  };
  return data;
}
