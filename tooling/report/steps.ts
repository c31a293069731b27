/**
 * From engine steps (preview `steps[]` or event-log `resourcePreEvent`s, normalised to `RawStep`) to
 * the report model's `ResourceChange`.
 */
import type {
  ChangesSource,
  DiffKind,
  JsonValue,
  PropertyChange,
  ReportValue,
  ResourceChange,
  SecretExposure,
  StepOp,
} from "./model";
import { formatPropertyPath, joinPaths, parsePropertyPath, topLevelKey, type PathSegment } from "./paths";
import { parseUrn, type ParsedUrn } from "../engine/urn";
import { compareText } from "./text";
import { isRecord } from "../../lib/records";
import {
  SECRET_MARKER,
  classify,
  containsPrivateKey,
  isInternalKey,
  isMeaningfulPlain,
  lookup,
  lookupToReportValue,
  toReportValue,
  walk,
  type LookupResult,
} from "./values";

/** Resource state, normalised from either input format. */
export interface RawResourceState {
  type?: string;
  id?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  inputs?: Record<string, unknown>;
  /** Undefined when the engine did not give outputs (or gave an empty placeholder before the step ran). */
  outputs?: Record<string, unknown>;
  additionalSecretOutputs: string[];
}

export interface RawDetailedDiffEntry {
  path: string;
  kind: DiffKind;
  inputDiff: boolean;
}

/** One engine step, normalised from either input format. */
export interface RawStep {
  op: StepOp;
  urn: string;
  type?: string;
  old?: RawResourceState;
  new?: RawResourceState;
  diffReasons: string[];
  replaceReasons: string[];
  /** Undefined when the engine gave `detailedDiff: null`. */
  detailedDiff?: RawDetailedDiffEntry[];
}

/**
 * The parts of `urn:pulumi:<stack>::<project>::<qualified type>::<name>` (the engine's own parser),
 * or undefined for a string that is not a Pulumi URN: a report shows such a step as it is.
 */
export function tryParseUrn(urn: string): ParsedUrn | undefined {
  try {
    return parseUrn(urn);
  } catch {
    return undefined;
  }
}

const REPLACEMENT_SUB_STEPS: ReadonlySet<StepOp> = new Set([
  "create-replacement",
  "delete-replaced",
  "discard-replaced",
]);

/**
 * Folds replacement sub-steps (shown with `--show-replacement-steps`, and always present in event
 * logs) into one `replace` per resource, and drops duplicate steps for the same resource and op.
 */
export function foldReplacementSteps(steps: readonly RawStep[]): RawStep[] {
  const groups = new Map<string, RawStep[]>();
  for (const step of steps) {
    const group = groups.get(step.urn) ?? [];
    if (!group.some((other) => other.op === step.op)) group.push(step);
    groups.set(step.urn, group);
  }
  const folded: RawStep[] = [];
  for (const group of groups.values()) {
    const replace = group.find((step) => step.op === "replace");
    const createReplacement = group.find((step) => step.op === "create-replacement");
    const deleteReplaced = group.find((step) => step.op === "delete-replaced");
    const base =
      replace ?? (createReplacement ? { ...createReplacement, op: "replace" as const } : undefined);
    if (base === undefined) {
      folded.push(...group);
      continue;
    }
    folded.push({
      ...base,
      old: base.old ?? createReplacement?.old ?? deleteReplaced?.old,
      new: base.new ?? createReplacement?.new,
      diffReasons: base.diffReasons.length > 0 ? base.diffReasons : (createReplacement?.diffReasons ?? []),
      replaceReasons:
        base.replaceReasons.length > 0 ? base.replaceReasons : (createReplacement?.replaceReasons ?? []),
      detailedDiff: base.detailedDiff ?? createReplacement?.detailedDiff,
    });
    folded.push(
      ...group.filter(
        (step) => step !== replace && step !== createReplacement && !REPLACEMENT_SUB_STEPS.has(step.op),
      ),
    );
  }
  return folded;
}

const CREATE_LIKE: ReadonlySet<StepOp> = new Set(["create", "import"]);
const DELETE_LIKE: ReadonlySet<StepOp> = new Set([
  "delete",
  "delete-replaced",
  "discard",
  "discard-replaced",
]);
const NO_CHANGE: ReadonlySet<StepOp> = new Set(["same", "read", "remove-pending-replace"]);

export function isDeleteLike(op: StepOp): boolean {
  return DELETE_LIKE.has(op);
}

function segmentsOf(path: string): PathSegment[] {
  return parsePropertyPath(path) ?? [path];
}

/** Looks a path up in each root in turn; the first that has it wins. */
function lookupFirst(
  roots: ReadonlyArray<Record<string, unknown> | undefined>,
  segments: PathSegment[],
): LookupResult {
  for (const root of roots) {
    if (root === undefined) continue;
    const result = lookup(root, segments);
    if (result.kind !== "absent") return result;
  }
  return { kind: "absent" };
}

/** New outputs predict the new resource only when the step recomputes them (not for in-place updates). */
function usableNewOutputs(step: RawStep): Record<string, unknown> | undefined {
  return step.op === "update" || step.op === "same" ? undefined : step.new?.outputs;
}

function newValueOf(step: RawStep, segments: PathSegment[], computedIfMissing: boolean): ReportValue {
  const result = lookupFirst([step.new?.inputs, usableNewOutputs(step)], segments);
  if (result.kind === "absent" && computedIfMissing) return { kind: "unknown" };
  return lookupToReportValue(result);
}

function changesFromDetailedDiff(step: RawStep, entries: RawDetailedDiffEntry[]): PropertyChange[] {
  const replaceKeys = new Set(step.replaceReasons);
  return entries
    .filter((entry) => !isInternalKey(topLevelKey(entry.path)))
    .sort((a, b) => compareText(a.path, b.path))
    .map((entry) => {
      const segments = segmentsOf(entry.path);
      // Like the CLI's own diff view: old values come from the old outputs unless the diff is on inputs.
      const oldRoots = entry.inputDiff
        ? [step.old?.inputs]
        : [step.old?.outputs ?? step.old?.inputs, step.old?.inputs];
      const isAdd = entry.kind === "add" || entry.kind === "add-replace";
      const isDelete = entry.kind === "delete" || entry.kind === "delete-replace";
      const oldValue: ReportValue = isAdd
        ? { kind: "absent" }
        : lookupToReportValue(lookupFirst(oldRoots, segments));
      const newValue: ReportValue = isDelete ? { kind: "absent" } : newValueOf(step, segments, true);
      return {
        path: entry.path,
        kind: entry.kind,
        old: oldValue,
        new: newValue,
        forcesReplacement: entry.kind.endsWith("-replace") || replaceKeys.has(topLevelKey(entry.path)),
      };
    });
}

/** `detailedDiff: null` (unbridged providers): one change per diff/replace reason. */
function changesFromReasons(step: RawStep): PropertyChange[] {
  const replaceKeys = new Set(step.replaceReasons);
  const keys = [...new Set([...step.diffReasons, ...step.replaceReasons])]
    .filter((key) => !isInternalKey(topLevelKey(key)))
    .sort(compareText);
  return keys.map((key) => {
    const segments = segmentsOf(key);
    const oldValue = lookupToReportValue(lookupFirst([step.old?.inputs, step.old?.outputs], segments));
    const computedIfMissing = oldValue.kind !== "absent" && usableNewOutputs(step) === undefined;
    const newValue = newValueOf(step, segments, computedIfMissing);
    const base: "add" | "delete" | "update" =
      oldValue.kind === "absent" ? "add" : newValue.kind === "absent" ? "delete" : "update";
    const forcesReplacement = replaceKeys.has(key) || replaceKeys.has(topLevelKey(key));
    return {
      path: key,
      kind: forcesReplacement ? (`${base}-replace` as const) : base,
      old: oldValue,
      new: newValue,
      forcesReplacement,
    };
  });
}

function changesFromInputs(
  inputs: Record<string, unknown> | undefined,
  side: "old" | "new",
): PropertyChange[] {
  if (inputs === undefined) return [];
  return Object.keys(inputs)
    .filter((key) => !isInternalKey(key) && inputs[key] !== undefined)
    .sort(compareText)
    .map((key) => {
      const value = toReportValue(inputs[key]);
      return {
        path: formatPropertyPath([key]),
        kind: side === "new" ? "add" : "delete",
        old: side === "old" ? value : { kind: "absent" },
        new: side === "new" ? value : { kind: "absent" },
        forcesReplacement: false,
      };
    });
}

function computeChanges(step: RawStep): { changes: PropertyChange[]; source: ChangesSource } {
  if (CREATE_LIKE.has(step.op)) {
    const changes = changesFromInputs(step.new?.inputs, "new");
    return { changes, source: changes.length > 0 ? "inputs" : "none" };
  }
  if (DELETE_LIKE.has(step.op)) {
    const changes = changesFromInputs(step.old?.inputs, "old");
    return { changes, source: changes.length > 0 ? "inputs" : "none" };
  }
  if (NO_CHANGE.has(step.op)) return { changes: [], source: "none" };
  if (step.detailedDiff !== undefined && step.detailedDiff.length > 0) {
    return { changes: changesFromDetailedDiff(step, step.detailedDiff), source: "detailed-diff" };
  }
  const changes = changesFromReasons(step);
  return { changes, source: changes.length > 0 ? "reasons" : "none" };
}

function exposureKey(exposure: SecretExposure): string {
  return `${exposure.kind}\u0000${exposure.path}`;
}

/** Compares the secretness of the same paths in the old and the new version of one state section. */
function compareSecretness(
  where: "inputs" | "outputs",
  oldRoot: Record<string, unknown> | undefined,
  newRoot: Record<string, unknown> | undefined,
  report: (exposure: SecretExposure) => void,
): void {
  if (oldRoot === undefined || newRoot === undefined) return;
  const check = (
    fromRoot: Record<string, unknown>,
    toRoot: Record<string, unknown>,
    kind: SecretExposure["kind"],
  ): void => {
    walk(fromRoot, (segments, raw) => {
      if (classify(raw) !== "secret") return true;
      if (segments.length === 0) return false;
      const other = lookup(toRoot, segments);
      if (other.kind === "found" && isMeaningfulPlain(toReportValue(other.raw))) {
        report({ kind, path: joinPaths(where, segments) });
      }
      return false;
    });
  };
  check(oldRoot, newRoot, "secret-became-plaintext");
  check(newRoot, oldRoot, "plaintext-became-secret");
}

function findPlaintextPrivateKeys(step: RawStep, report: (exposure: SecretExposure) => void): void {
  const sections: Array<["inputs" | "outputs", Record<string, unknown> | undefined]> = [
    ["inputs", step.old?.inputs],
    ["outputs", step.old?.outputs],
    ["inputs", step.new?.inputs],
    ["outputs", step.new?.outputs],
  ];
  for (const [where, root] of sections) {
    if (root === undefined) continue;
    walk(root, (segments, raw) => {
      if (typeof raw === "string" && raw !== SECRET_MARKER && containsPrivateKey(raw)) {
        report({ kind: "private-key-in-plaintext", path: joinPaths(where, segments) });
      }
      return true;
    });
  }
}

/**
 * Finds values whose secretness differs between the old and the new state, and PEM private keys
 * stored without a secret marker. Diff entries compare what the diff compares (old outputs or inputs
 * against new inputs); the state walk compares inputs with inputs, and outputs with outputs where the
 * step recomputes them.
 */
export function detectSecretExposures(step: RawStep, changes: readonly PropertyChange[]): SecretExposure[] {
  const found = new Map<string, SecretExposure>();
  const report = (exposure: SecretExposure): void => {
    if (!found.has(exposureKey(exposure))) found.set(exposureKey(exposure), exposure);
  };
  const diffPaths = new Set<string>();
  for (const change of changes) {
    if (change.old.kind === "secret" && isMeaningfulPlain(change.new)) {
      report({ kind: "secret-became-plaintext", path: change.path });
      diffPaths.add(change.path);
    } else if (isMeaningfulPlain(change.old) && change.new.kind === "secret") {
      report({ kind: "plaintext-became-secret", path: change.path });
      diffPaths.add(change.path);
    }
  }
  const fromState = (exposure: SecretExposure): void => {
    // Skip what a diff entry already reported for the same property.
    const bare = exposure.path.replace(/^(inputs|outputs)\.?/, "");
    if (!diffPaths.has(bare)) report(exposure);
  };
  if (step.old !== undefined && step.new !== undefined) {
    compareSecretness("inputs", step.old.inputs, step.new.inputs, fromState);
    compareSecretness("outputs", step.old.outputs, usableNewOutputs(step), fromState);
  }
  findPlaintextPrivateKeys(step, report);
  return [...found.values()].sort((a, b) => compareText(a.kind, b.kind) || compareText(a.path, b.path));
}

/** Replaces the node at `relative` inside a plain value with the secret marker. */
function redactAt(value: JsonValue, relative: readonly PathSegment[]): JsonValue {
  const [head, ...rest] = relative;
  if (head === undefined) return SECRET_MARKER;
  if (typeof head === "number" && Array.isArray(value) && head < value.length) {
    return value.map((item, index) => (index === head ? redactAt(item, rest) : item));
  }
  if (typeof head === "string" && isRecord(value) && !Array.isArray(value) && Object.hasOwn(value, head)) {
    const copy: { [key: string]: JsonValue } = { ...value };
    const inner = copy[head];
    if (inner !== undefined) copy[head] = redactAt(inner, rest);
    return copy;
  }
  return value;
}

function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
}

function maskSide(value: ReportValue, changePath: PathSegment[], exposed: PathSegment[]): ReportValue {
  if (value.kind !== "plain") return value;
  if (isPrefix(exposed, changePath)) return { kind: "secret" };
  if (isPrefix(changePath, exposed))
    return { kind: "plain", value: redactAt(value.value, exposed.slice(changePath.length)) };
  return value;
}

/** Hides both sides of every change that touches a property whose secretness changed. */
function maskExposedValues(
  changes: PropertyChange[],
  exposures: readonly SecretExposure[],
): PropertyChange[] {
  const exposedPaths = exposures
    .filter((exposure) => exposure.kind !== "private-key-in-plaintext")
    .map((exposure) => segmentsOf(exposure.path.replace(/^(inputs|outputs)\.?/, "")));
  if (exposedPaths.length === 0) return changes;
  return changes.map((change) => {
    const changePath = segmentsOf(change.path);
    let { old: oldValue, new: newValue } = change;
    for (const exposed of exposedPaths) {
      oldValue = maskSide(oldValue, changePath, exposed);
      newValue = maskSide(newValue, changePath, exposed);
    }
    return { ...change, old: oldValue, new: newValue };
  });
}

function flagChange(
  oldFlag: boolean | undefined,
  newFlag: boolean | undefined,
): "added" | "removed" | undefined {
  const before = oldFlag === true;
  const after = newFlag === true;
  if (before === after) return undefined;
  return after ? "added" : "removed";
}

/**
 * Properties that providers always return as secrets, for state written before they were marked (or
 * hand-written input): their plain values are masked like secrets.
 */
export const SECRET_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
  "tls:index/privateKey:PrivateKey": ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"],
  "aws:iam/accessKey:AccessKey": ["secret", "sesSmtpPasswordV4"],
  "supabase:index/project:Project": ["databasePassword"],
  "supabase:index/apikey:Apikey": ["apiKey"],
};

/** Masks plain values of properties declared secret (`additionalSecretOutputs`, `SECRET_PROPERTIES`). */
function maskDeclaredSecrets(step: RawStep, type: string, changes: PropertyChange[]): PropertyChange[] {
  const declared = new Set([
    ...(step.old?.additionalSecretOutputs ?? []),
    ...(step.new?.additionalSecretOutputs ?? []),
    ...(SECRET_PROPERTIES[type] ?? []),
  ]);
  if (declared.size === 0) return changes;
  const mask = (value: ReportValue): ReportValue => (value.kind === "plain" ? { kind: "secret" } : value);
  return changes.map((change) =>
    declared.has(topLevelKey(change.path))
      ? { ...change, old: mask(change.old), new: mask(change.new) }
      : change,
  );
}

/** Maps one (folded) step to the report model. */
export function toResourceChange(step: RawStep): ResourceChange {
  const urn = tryParseUrn(step.urn);
  const type = step.new?.type ?? step.old?.type ?? step.type ?? urn?.type ?? "unknown";
  const { changes, source } = computeChanges(step);
  const exposures = detectSecretExposures(step, changes);
  const deleting = DELETE_LIKE.has(step.op);
  const current = deleting ? step.old : (step.new ?? step.old);
  const both = step.old !== undefined && step.new !== undefined && !deleting;
  const resource: ResourceChange = {
    urn: step.urn,
    type,
    name: urn?.name ?? step.urn,
    op: step.op,
    diffReasons: [...step.diffReasons],
    replaceReasons: [...step.replaceReasons],
    changes: maskDeclaredSecrets(step, type, maskExposedValues(changes, exposures)),
    changesSource: source,
    protect: current?.protect === true,
    retainOnDelete: current?.retainOnDelete === true,
    secretExposures: exposures,
  };
  const id = step.old?.id;
  if (id !== undefined && id !== "") resource.id = id;
  if (both) {
    const protectChange = flagChange(step.old?.protect, step.new?.protect);
    if (protectChange !== undefined) resource.protectChange = protectChange;
    const retainChange = flagChange(step.old?.retainOnDelete, step.new?.retainOnDelete);
    if (retainChange !== undefined) resource.retainOnDeleteChange = retainChange;
  }
  return resource;
}
