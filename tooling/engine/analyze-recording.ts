/**
 * Runs a policy pack over a recording as the engine does during `pulumi preview` or `pulumi up`:
 * for every registered resource (the stack, components, providers including default ones, and
 * custom resources), `Remediate` then `Analyze` on its inputs, several resources at a time; then
 * `AnalyzeStack` on every resource's final outputs.
 *
 * In an update (not a dry run) the engine stops at the first resource with a mandatory violation:
 * that resource is invalid, the deployment bails and `AnalyzeStack` is not called. A preview
 * reports everything and still runs `AnalyzeStack`.
 */
import {
  analyzerResourceFor,
  analyzerStackResourceFor,
  type PolicyDiagnostic,
  type PolicyNotApplicable,
  type PolicyPackClient,
  type PolicyRemediation,
} from "./analyzer";
import type { Recording } from "./record";
import type { RecordedObject } from "./wire";

export type AnalysisPhase = "remediate" | "analyze" | "analyzeStack";

export interface RecordingDiagnostic extends PolicyDiagnostic {
  readonly phase: AnalysisPhase;
}

export interface RecordingNotApplicable extends PolicyNotApplicable {
  readonly phase: AnalysisPhase;
  /** The resource, for `Analyze`/`Remediate` (stack policies apply to no single resource). */
  readonly urn?: string;
}

export interface RecordingRemediation extends PolicyRemediation {
  readonly urn: string;
}

export interface RecordingAnalysis {
  /** In the order the engine reports them: by resource in registration order, then the stack's. */
  readonly diagnostics: RecordingDiagnostic[];
  readonly notApplicable: RecordingNotApplicable[];
  /** Property changes remediation policies made; later analysis saw the changed properties. */
  readonly remediations: RecordingRemediation[];
  /** Set when an update stopped at a resource with a mandatory violation. */
  readonly stoppedAt?: string;
  /** True when a mandatory violation makes the CLI fail (preview and update alike). */
  readonly failed: boolean;
}

export interface AnalyzeRecordingOptions {
  /** Preview (true) or update (false); defaults to how the recording was made. */
  readonly dryRun?: boolean;
  /** Resources analyzed at once (default 16); 1 sends one request at a time. */
  readonly concurrency?: number;
}

function isMandatory(diagnostic: PolicyDiagnostic): boolean {
  // The engine reports a remediate-level violation that still fires as mandatory.
  return diagnostic.enforcementLevel === "mandatory" || diagnostic.enforcementLevel === "remediate";
}

/** Requests in flight to the pack at once: enough to hide the round trips, few enough to keep order cheap. */
export const ANALYZE_CONCURRENCY = 16;

/** `map` with at most `limit` calls pending; results in input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Analyzes every resource of a recording with a started pack, as the engine would. */
export async function analyzeRecording(
  recording: Recording,
  client: PolicyPackClient,
  options: AnalyzeRecordingOptions = {},
): Promise<RecordingAnalysis> {
  const dryRun = options.dryRun ?? recording.preview;
  const diagnostics: RecordingDiagnostic[] = [];
  const notApplicable: RecordingNotApplicable[] = [];
  const remediations: RecordingRemediation[] = [];
  // Resources read with `.get()` are not deployed, so the engine does not analyze them.
  const analyzed = recording.resources.filter((resource) => resource.origin !== "read");

  // The engine analyzes resources as their registrations arrive, concurrently; each resource's
  // Remediate comes before its Analyze. Results are taken in registration order, so an update
  // stops at the first invalid resource exactly as the sequential engine loop would report it.
  const results = await mapConcurrently(
    analyzed,
    options.concurrency ?? ANALYZE_CONCURRENCY,
    async (resource) => {
      let input = analyzerResourceFor(resource, recording);
      const remediated = await client.remediate(input);
      for (const remediation of remediated.remediations) {
        if (remediation.diagnostic === undefined && remediation.properties !== undefined) {
          const properties: RecordedObject = remediation.properties;
          input = { ...input, properties };
        }
      }
      return { resource, remediated, analyzed: await client.analyze(input) };
    },
  );

  for (const { resource, remediated, analyzed: result } of results) {
    for (const entry of remediated.notApplicable) {
      notApplicable.push({ ...entry, phase: "remediate", urn: resource.urn });
    }
    for (const remediation of remediated.remediations) {
      if (remediation.diagnostic !== undefined) {
        diagnostics.push({
          phase: "remediate",
          policyName: remediation.policyName,
          policyPackName: remediation.policyPackName,
          policyPackVersion: remediation.policyPackVersion,
          description: remediation.description,
          message: remediation.diagnostic,
          enforcementLevel: "advisory",
          urn: resource.urn,
        });
      } else if (remediation.properties !== undefined) {
        remediations.push({ ...remediation, urn: resource.urn });
      }
    }
    for (const entry of result.notApplicable)
      notApplicable.push({ ...entry, phase: "analyze", urn: resource.urn });
    let mandatory = false;
    for (const diagnostic of result.diagnostics) {
      const level = diagnostic.enforcementLevel === "remediate" ? "mandatory" : diagnostic.enforcementLevel;
      // The engine shows a resource's violation against that resource, whatever URN the pack gave.
      diagnostics.push({ ...diagnostic, enforcementLevel: level, urn: resource.urn, phase: "analyze" });
      mandatory ||= isMandatory(diagnostic);
    }
    if (mandatory && !dryRun) {
      return { diagnostics, notApplicable, remediations, stoppedAt: resource.urn, failed: true };
    }
  }

  const stack = await client.analyzeStack(
    analyzed.map((resource) => analyzerStackResourceFor(resource, recording)),
  );
  for (const diagnostic of stack.diagnostics) diagnostics.push({ ...diagnostic, phase: "analyzeStack" });
  for (const entry of stack.notApplicable) notApplicable.push({ ...entry, phase: "analyzeStack" });

  return { diagnostics, notApplicable, remediations, failed: diagnostics.some(isMandatory) };
}
