/**
 * A recording and its policy analysis turned into the plan document. Pure and deterministic: the
 * same recording and analysis give the same document, whatever the machine or the time.
 */
import type { RecordingAnalysis } from "../engine/analyze-recording";
import type { AnalyzerInfo } from "../engine/analyzer";
import type { RecordedResource, Recording } from "../engine/record";
import { isProviderType, parseProviderReference, ROOT_STACK_TYPE } from "../engine/urn";
import { planCost } from "./cost";
import { planVerdict, type ChecklistEntry } from "./coverage";
import { compareCodeUnits } from "./json";
import {
  PLAN_FORMAT,
  type PlanDiagnostic,
  type PlanDocument,
  type PlanResource,
  type PlanResourceOptions,
} from "./model";
import {
  collectSecretTexts,
  Redactor,
  relativePath,
  secretConfigTexts,
  toPlanObject,
  type PlanValueContext,
} from "./values";

export interface PlanSource {
  /** Absolute project directory (where Pulumi.yaml is). */
  readonly projectDir: string;
  /** Program entry, relative to the project directory. */
  readonly program: string;
  /** The stack file as it should be named in the plan (relative to the project directory). */
  readonly config: string;
  /** The stack file's absolute path, replaced by `config` wherever a message names it. */
  readonly configFile?: string;
  readonly placeholderSecrets: readonly string[];
  /** Value checks the placeholders leave to the deploy-time run (`check (names)`). */
  readonly deferredChecks?: readonly string[];
}

export interface PlanPolicyInput {
  readonly info: AnalyzerInfo;
  readonly analysis: RecordingAnalysis;
  readonly clock: string;
  readonly checklist: readonly ChecklistEntry[];
}

/** The nearest enclosing component of a resource (custom parents are looked through). */
function componentOf(
  resource: RecordedResource,
  byUrn: ReadonlyMap<string, RecordedResource>,
): string | undefined {
  let parentUrn = resource.parent;
  const seen = new Set<string>();
  while (parentUrn !== undefined && !seen.has(parentUrn)) {
    seen.add(parentUrn);
    const parent = byUrn.get(parentUrn);
    if (parent === undefined || parent.type === ROOT_STACK_TYPE) return undefined;
    if (!parent.custom) return parent.urn;
    parentUrn = parent.parent;
  }
  return undefined;
}

function optionsOf(resource: RecordedResource): PlanResourceOptions | undefined {
  const { options } = resource;
  const result: PlanResourceOptions = {};
  if (options.protect) result.protect = true;
  if (options.retainOnDelete) result.retainOnDelete = true;
  if (options.ignoreChanges.length > 0)
    result.ignoreChanges = [...options.ignoreChanges].sort(compareCodeUnits);
  if (options.deleteBeforeReplace !== undefined) result.deleteBeforeReplace = options.deleteBeforeReplace;
  if (options.replaceOnChanges.length > 0) {
    result.replaceOnChanges = [...options.replaceOnChanges].sort(compareCodeUnits);
  }
  if (Object.keys(options.customTimeouts).length > 0) result.customTimeouts = { ...options.customTimeouts };
  if (options.additionalSecretOutputs.length > 0) {
    result.additionalSecretOutputs = [...options.additionalSecretOutputs].sort(compareCodeUnits);
  }
  if (options.aliases.length > 0) result.aliases = [...options.aliases].sort(compareCodeUnits);
  if (options.deletedWith !== undefined) result.deletedWith = options.deletedWith;
  if (resource.importId !== undefined) result.importId = resource.importId;
  return Object.keys(result).length > 0 ? result : undefined;
}

function planResource(
  resource: RecordedResource,
  byUrn: ReadonlyMap<string, RecordedResource>,
  context: PlanValueContext,
): PlanResource {
  const planned: PlanResource = {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    custom: resource.custom,
    inputs: toPlanObject(resource.inputs, context),
  };
  const component = componentOf(resource, byUrn);
  if (component !== undefined) planned.component = component;
  if (resource.parent !== undefined) planned.parent = resource.parent;
  if (resource.provider !== undefined) planned.provider = parseProviderReference(resource.provider).urn;
  if (resource.origin !== "registered") planned.origin = resource.origin;
  const options = optionsOf(resource);
  if (options !== undefined) planned.options = options;
  const dependencies = [...new Set(resource.options.dependencies)].sort(compareCodeUnits);
  if (dependencies.length > 0) planned.dependencies = dependencies;
  return planned;
}

/** Every secret's plain text in the recording: resource inputs and outputs, invokes, outputs, config. */
export function recordingSecrets(recording: Recording): Set<string> {
  const secrets = new Set<string>();
  for (const resource of recording.resources) {
    collectSecretTexts(resource.inputs, secrets);
    collectSecretTexts(resource.outputs, secrets);
  }
  for (const invoke of recording.invokes) {
    collectSecretTexts(invoke.args, secrets);
    collectSecretTexts(invoke.result, secrets);
  }
  collectSecretTexts(recording.stackOutputs, secrets);
  secretConfigTexts(recording.config, recording.secretKeys, secrets);
  return secrets;
}

/** A message with machine paths replaced: the stack file by its plan name, the project by `.`. */
function portable(message: string, source: PlanSource): string {
  const named =
    source.configFile !== undefined ? message.split(source.configFile).join(source.config) : message;
  return relativePath(named, source.projectDir);
}

export function buildPlan(recording: Recording, source: PlanSource, policy: PlanPolicyInput): PlanDocument {
  const context: PlanValueContext = { projectDir: source.projectDir };
  const redactor = new Redactor(recordingSecrets(recording));
  const byUrn = new Map(recording.resources.map((resource) => [resource.urn, resource]));

  const resources = recording.resources
    .map((resource) => planResource(resource, byUrn, context))
    .map((resource): PlanResource => ({ ...resource, inputs: redactor.object(resource.inputs) }))
    .sort((a, b) => compareCodeUnits(a.urn, b.urn));

  const analyzedUrns = recording.resources
    .filter((resource) => resource.origin !== "read")
    .map((resource) => resource.urn);
  const verdict = planVerdict({
    pack: { name: policy.info.name, version: policy.info.version },
    policies: policy.info.policies,
    diagnostics: policy.analysis.diagnostics,
    notApplicable: policy.analysis.notApplicable,
    analyzedUrns,
    checklist: policy.checklist,
    stack: recording.stack,
    preview: recording.preview,
    clean: (message) => redactor.text(portable(message, source)),
  });
  const diagnostics: PlanDiagnostic[] = recording.logs
    .map((log): PlanDiagnostic => {
      const diagnostic: PlanDiagnostic = {
        severity: log.severity,
        message: redactor.text(portable(log.message, source)),
      };
      if (log.urn !== undefined) diagnostic.urn = log.urn;
      return diagnostic;
    })
    .sort(
      (a, b) =>
        compareCodeUnits(a.severity, b.severity) ||
        compareCodeUnits(a.urn ?? "", b.urn ?? "") ||
        compareCodeUnits(a.message, b.message),
    );

  return {
    format: PLAN_FORMAT,
    project: recording.project,
    stack: recording.stack,
    mode: recording.preview ? "preview" : "up",
    source: { program: source.program, config: source.config },
    placeholderSecrets: [...source.placeholderSecrets].sort(compareCodeUnits),
    deferredChecks: [...(source.deferredChecks ?? [])].sort(compareCodeUnits),
    summary: {
      resources: resources.length,
      customResources: resources.filter((resource) => resource.custom && !isProviderType(resource.type))
        .length,
      components: resources.filter((resource) => !resource.custom && resource.type !== ROOT_STACK_TYPE)
        .length,
      providers: resources.filter((resource) => isProviderType(resource.type)).length,
      mandatoryViolations: verdict.mandatory,
      advisoryViolations: verdict.advisory,
      undeterminable: verdict.undeterminable,
      otherFindings: verdict.other,
      verdict: verdict.mandatory > 0 ? "fail" : "pass",
    },
    resources,
    outputs: redactor.object(toPlanObject(recording.stackOutputs, context)),
    diagnostics,
    policy: {
      pack: { name: policy.info.name, version: policy.info.version },
      clock: policy.clock,
      violations: verdict.violations,
      coverage: verdict.coverage,
    },
    cost: planCost(resources, recording.config),
  };
}
