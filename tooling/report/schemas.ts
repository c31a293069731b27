/**
 * zod schemas for `pulumi preview --json` and the engine event log. Objects are loose (unknown keys
 * pass through, so newer CLI versions still parse) and nearly every key is optional, as the CLI omits
 * empty ones; what is present must have the right type.
 */
import { z } from "zod";
import { DIFF_KINDS, STEP_OPS } from "./model";

const jsonObject = z.record(z.string(), z.unknown());
const stringList = z.array(z.string());

/** Resource state in a preview step (`oldState`/`newState`) or an event (`old`/`new`). */
export const resourceStateSchema = z.looseObject({
  urn: z.string().nullish(),
  type: z.string().nullish(),
  id: z.string().nullish(),
  custom: z.boolean().nullish(),
  delete: z.boolean().nullish(),
  protect: z.boolean().nullish(),
  retainOnDelete: z.boolean().nullish(),
  inputs: jsonObject.nullish(),
  outputs: jsonObject.nullish(),
  additionalSecretOutputs: stringList.nullish(),
});
export type ResourceState = z.infer<typeof resourceStateSchema>;

const stepOp = z.enum(STEP_OPS);
const diffKind = z.enum(DIFF_KINDS);

export const previewStepSchema = z.looseObject({
  op: stepOp,
  urn: z.string().min(1),
  provider: z.string().nullish(),
  oldState: resourceStateSchema.nullish(),
  newState: resourceStateSchema.nullish(),
  diffReasons: stringList.nullish(),
  replaceReasons: stringList.nullish(),
  detailedDiff: z
    .record(z.string(), z.looseObject({ kind: diffKind, inputDiff: z.boolean().nullish() }))
    .nullish(),
});

export const previewDiagnosticSchema = z.looseObject({
  urn: z.string().nullish(),
  prefix: z.string().nullish(),
  message: z.string(),
  severity: z.string(),
});

export const previewDocumentSchema = z.looseObject({
  config: z.record(z.string(), z.unknown()).nullish(),
  steps: z.array(previewStepSchema).nullish(),
  diagnostics: z.array(previewDiagnosticSchema).nullish(),
  /** Nanoseconds. */
  duration: z.number().nullish(),
  changeSummary: z.record(z.string(), z.number()).nullish(),
  maybeCorrupt: z.boolean().nullish(),
});
export type PreviewDocument = z.infer<typeof previewDocumentSchema>;

/** `StepEventMetadata`, the payload of `resourcePreEvent` and `resOutputsEvent`. */
export const stepEventMetadataSchema = z.looseObject({
  op: stepOp,
  urn: z.string().min(1),
  type: z.string().nullish(),
  old: resourceStateSchema.nullish(),
  new: resourceStateSchema.nullish(),
  /** Keys that force a replacement. */
  keys: stringList.nullish(),
  /** Top-level keys that differ. */
  diffs: stringList.nullish(),
  detailedDiff: z
    .record(z.string(), z.looseObject({ diffKind: diffKind, inputDiff: z.boolean().nullish() }))
    .nullish(),
  provider: z.string().nullish(),
});

export const resourceEventSchema = z.looseObject({ metadata: stepEventMetadataSchema });

export const policyEventSchema = z.looseObject({
  resourceUrn: z.string().nullish(),
  message: z.string(),
  color: z.string().nullish(),
  policyName: z.string(),
  policyPackName: z.string(),
  policyPackVersion: z.string(),
  enforcementLevel: z.string(),
  severity: z.string().nullish(),
});

export const summaryEventSchema = z.looseObject({
  maybeCorrupt: z.boolean().nullish(),
  durationSeconds: z.number().nullish(),
  resourceChanges: z.record(z.string(), z.number()).nullish(),
  PolicyPacks: z.record(z.string(), z.string()).nullish(),
  isPreview: z.boolean().nullish(),
});

export const diagnosticEventSchema = z.looseObject({
  urn: z.string().nullish(),
  message: z.string(),
  severity: z.string(),
  ephemeral: z.boolean().nullish(),
});

/** Formats zod issues as `path: message` lines, paths written like `steps[3].op`. */
export function formatIssues(error: z.ZodError, prefix = ""): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      let path = prefix;
      for (const key of issue.path) {
        path += typeof key === "number" ? `[${key}]` : path === "" ? String(key) : `.${String(key)}`;
      }
      return `${path === "" ? "(top level)" : path}: ${issue.message}`;
    })
    .join("; ");
}
