/**
 * Scoring a red-team case: the pack's findings in one mode against the case's expectation. Pure
 * functions, so the rules are tested without planning anything.
 *
 * A (case, item) pair is the unit: an item tripped by five findings counts once.
 * - hit: an expected item has a violation at its level (mandatory in prod and for `both` items,
 *   advisory allowed otherwise in staging);
 * - miss: an expected item with no violation, only an "undeterminable" notice, only a lower level,
 *   or a program that did not plan;
 * - false positive: a violation of an item the case does not expect, or an "undeterminable" notice
 *   the case does not declare right (a decidable value must get a verdict).
 */
import { CHECKLIST, isChecklistId, type ChecklistId } from "../../policies/lib/checklist";
import { enforcedEnvironment, resolveEnvironment } from "../../policies/lib/environment";
import { expectedIn, type Expectation, type Mode } from "./expectation";

export interface Finding {
  readonly checklistId?: string;
  readonly kind: string;
  readonly level: string;
  readonly message: string;
  readonly policy: string;
  readonly urn?: string;
}

export type Outcome =
  | { readonly planned: true; readonly findings: readonly Finding[] }
  | { readonly planned: false; readonly exitCode: number; readonly error: string };

export type MissReason = "not flagged" | "undeterminable" | "advisory only" | "program failed";

export interface Miss {
  readonly item: ChecklistId;
  readonly reason: MissReason;
}

export interface FalsePositive {
  readonly item: ChecklistId;
  readonly kind: "violation" | "undeterminable";
  readonly messages: readonly string[];
}

export interface CaseScore {
  readonly name: string;
  readonly mode: Mode;
  readonly expected: readonly ChecklistId[];
  readonly hits: readonly ChecklistId[];
  readonly misses: readonly Miss[];
  readonly falsePositives: readonly FalsePositive[];
  /** Set when the program did not plan (exit code and the first lines of its error). */
  readonly error?: string;
}

const BLOCKING_LEVELS = new Set(["mandatory", "remediate"]);

/** The item a finding is about: its checklistId, else the `[ID]` its message starts with. */
/**
 * A plan that failed because the pack did not start (missed the launcher's deadline, or exited
 * before serving): a fact about the machine's load, not the case, so the runner plans it again.
 */
export function isPackStartFailure(error: string): boolean {
  return /did not print its port|exited before printing its port/.test(error);
}

export function itemOf(finding: Finding): ChecklistId | undefined {
  if (finding.checklistId !== undefined && isChecklistId(finding.checklistId)) return finding.checklistId;
  const tagged = /^\[([A-Z]+-\d\d)\]/.exec(finding.message)?.[1];
  return tagged !== undefined && isChecklistId(tagged) ? tagged : undefined;
}

/** Whether a violation of `item` must block (mandatory) on this stack, or advisory suffices. */
export function mustBlock(item: ChecklistId, stack: string): boolean {
  const environment = enforcedEnvironment(resolveEnvironment(stack, undefined));
  return environment === "prod" || CHECKLIST[item].both;
}

export function scoreCase(
  name: string,
  stack: string,
  expectation: Expectation,
  mode: Mode,
  outcome: Outcome,
): CaseScore {
  const { trips, undeterminable } = expectedIn(expectation, mode);
  const expected = [...new Set(trips)].sort();
  if (!outcome.planned) {
    return {
      name,
      mode,
      expected,
      hits: [],
      misses: expected.map((item) => ({ item, reason: "program failed" as const })),
      falsePositives: [],
      error: `exit ${outcome.exitCode}: ${outcome.error}`,
    };
  }
  const violations = new Map<ChecklistId, Finding[]>();
  const undecided = new Map<ChecklistId, Finding[]>();
  for (const finding of outcome.findings) {
    const item = itemOf(finding);
    if (item === undefined) continue;
    const bucket =
      finding.kind === "violation" ? violations : finding.kind === "undeterminable" ? undecided : undefined;
    if (bucket === undefined) continue;
    bucket.set(item, [...(bucket.get(item) ?? []), finding]);
  }

  const hits: ChecklistId[] = [];
  const misses: Miss[] = [];
  for (const item of expected) {
    const found = violations.get(item) ?? [];
    const blocking = found.some((finding) => BLOCKING_LEVELS.has(finding.level));
    if (found.length > 0 && (blocking || !mustBlock(item, stack))) hits.push(item);
    else if (found.length > 0) misses.push({ item, reason: "advisory only" });
    else if (undecided.has(item)) misses.push({ item, reason: "undeterminable" });
    else misses.push({ item, reason: "not flagged" });
  }

  const falsePositives: FalsePositive[] = [];
  for (const [item, found] of [...violations].sort(([a], [b]) => a.localeCompare(b))) {
    if (expected.includes(item)) continue;
    falsePositives.push({ item, kind: "violation", messages: found.map((finding) => finding.message) });
  }
  for (const [item, found] of [...undecided].sort(([a], [b]) => a.localeCompare(b))) {
    if (expected.includes(item) || violations.has(item) || undeterminable.includes(item)) continue;
    falsePositives.push({ item, kind: "undeterminable", messages: found.map((finding) => finding.message) });
  }
  return { name, mode, expected, hits, misses, falsePositives };
}

export interface ModeSummary {
  readonly mode: Mode;
  readonly cases: number;
  readonly expected: number;
  readonly hits: number;
  readonly misses: number;
  readonly falsePositives: number;
  readonly failedPrograms: number;
  /** hits / expected; 1 when nothing is expected. */
  readonly recall: number;
  /** hits / (hits + false positives); 1 when nothing was reported. */
  readonly precision: number;
}

export function summarize(mode: Mode, scores: readonly CaseScore[]): ModeSummary {
  const inMode = scores.filter((score) => score.mode === mode);
  const expected = inMode.reduce((sum, score) => sum + score.expected.length, 0);
  const hits = inMode.reduce((sum, score) => sum + score.hits.length, 0);
  const falsePositives = inMode.reduce((sum, score) => sum + score.falsePositives.length, 0);
  return {
    mode,
    cases: inMode.length,
    expected,
    hits,
    misses: expected - hits,
    falsePositives,
    failedPrograms: inMode.filter((score) => score.error !== undefined).length,
    recall: expected === 0 ? 1 : hits / expected,
    precision: hits + falsePositives === 0 ? 1 : hits / (hits + falsePositives),
  };
}

/** The corpus passes only with every expected item caught, nothing else reported, every program planned. */
export function corpusPasses(summaries: readonly ModeSummary[]): boolean {
  return summaries.every(
    (summary) => summary.misses === 0 && summary.falsePositives === 0 && summary.failedPrograms === 0,
  );
}

/**
 * The figures CI holds the corpus to until it passes outright: per mode, at most this many misses,
 * false positives and programs that fail to plan. Lower them as classes get fixed; never raise them
 * to let a change through.
 */
export interface Baseline {
  readonly [mode: string]: {
    readonly misses: number;
    readonly falsePositives: number;
    readonly failedPrograms: number;
  };
}

/** Where a run is worse than its baseline, in words; empty when it holds (or beats) every figure. */
export function regressions(summaries: readonly ModeSummary[], baseline: Baseline): string[] {
  const out: string[] = [];
  for (const summary of summaries) {
    const limit = baseline[summary.mode];
    if (limit === undefined) {
      out.push(`${summary.mode}: no baseline figures`);
      continue;
    }
    for (const key of ["misses", "falsePositives", "failedPrograms"] as const) {
      if (summary[key] > limit[key])
        out.push(`${summary.mode}: ${key} ${summary[key]} > baseline ${limit[key]}`);
    }
  }
  return out;
}

/** A message with its resource names, paths and numbers blanked, so findings of one cause group together. */
export function messageTemplate(message: string): string {
  return message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/`[^`]*`/g, "`…`")
    .replace(/(?<![-.\w])\d+(\.\d+)?\b/g, "N")
    .replace(/\s+/g, " ")
    .trim();
}

export interface FindingGroup {
  readonly item: ChecklistId;
  readonly kind: "false positive" | "miss";
  /** The message template (false positives) or the miss reason, with the cases and modes it came from. */
  readonly what: string;
  readonly cases: readonly string[];
}

/** Misses and false positives grouped by item and message template, most frequent first. */
export function groupFindings(scores: readonly CaseScore[]): FindingGroup[] {
  const groups = new Map<
    string,
    { item: ChecklistId; kind: FindingGroup["kind"]; what: string; cases: Set<string> }
  >();
  const add = (item: ChecklistId, kind: FindingGroup["kind"], what: string, where: string): void => {
    const key = `${item}\u0000${kind}\u0000${what}`;
    const group = groups.get(key) ?? { item, kind, what, cases: new Set<string>() };
    group.cases.add(where);
    groups.set(key, group);
  };
  for (const score of scores) {
    const where = `${score.name} [${score.mode}]`;
    for (const miss of score.misses) add(miss.item, "miss", miss.reason, where);
    for (const fp of score.falsePositives) {
      for (const template of new Set(fp.messages.map(messageTemplate)))
        add(fp.item, "false positive", template, where);
    }
  }
  return [...groups.values()]
    .map((group) => ({
      item: group.item,
      kind: group.kind,
      what: group.what,
      cases: [...group.cases].sort(),
    }))
    .sort(
      (a, b) =>
        b.cases.length - a.cases.length || a.item.localeCompare(b.item) || a.what.localeCompare(b.what),
    );
}
