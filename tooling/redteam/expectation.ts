/**
 * A red-team case: a Pulumi project directory under test/redteam/<case>/ with one stack file and an
 * `expect.json` saying which checklist items the pack must trip on it, per mode.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CHECKLIST_IDS, type ChecklistId } from "../../policies/lib/checklist";

export const MODES = ["up", "preview"] as const;
export type Mode = (typeof MODES)[number];

const checklistId = z.enum(CHECKLIST_IDS);

const modeExpectation = z
  .object({
    /** Items that must be violated in this mode (replaces the case's `trips`). */
    trips: z.array(checklistId).optional(),
    /** Items whose "undeterminable" notice is the right answer here (the value is truly unknowable). */
    undeterminable: z.array(checklistId).optional(),
  })
  .strict();

export const expectationSchema = z
  .object({
    /** What the program is and why it is unsafe or compliant. */
    about: z.string().min(20),
    /** The items the case exercises (a compliant case names the items it must not trip). */
    items: z.array(checklistId).min(1),
    /** The resource types that express the items here (`aws:s3/bucket:Bucket`). */
    types: z
      .array(z.string().regex(/^[\w-]+:[\w/.-]*:[\w]+$/, "a Pulumi type token (pkg:module:Type)"))
      .min(1),
    /** `component`: the stack holds part of a system; `environment`: a whole app environment. */
    scope: z.enum(["component", "environment"]),
    /** Items that must be violated in every mode; empty for a compliant case. */
    trips: z.array(checklistId),
    /** The policy clock for this case (ISO date-time with a zone), for the change-window item. */
    clock: z.iso.datetime({ offset: true }).optional(),
    up: modeExpectation.optional(),
    preview: modeExpectation.optional(),
  })
  .strict();

export type Expectation = z.infer<typeof expectationSchema>;

export interface RedteamCase {
  readonly name: string;
  readonly dir: string;
  /** The stack the case is planned as (its one `Pulumi.<stack>.yaml`). */
  readonly stack: string;
  readonly expectation: Expectation;
}

export class CaseError extends Error {
  override readonly name = "CaseError";
}

/** What a mode must show: the items to trip and the undeterminable notices that are right. */
export function expectedIn(
  expectation: Expectation,
  mode: Mode,
): { trips: ChecklistId[]; undeterminable: ChecklistId[] } {
  const override = expectation[mode];
  return {
    trips: [...(override?.trips ?? expectation.trips)],
    undeterminable: [...(override?.undeterminable ?? [])],
  };
}

/** Reads one case directory; errors name the file and what to fix. */
export function readCase(dir: string): RedteamCase {
  const name = path.basename(dir);
  const expectFile = path.join(dir, "expect.json");
  if (!existsSync(path.join(dir, "Pulumi.yaml"))) throw new CaseError(`${dir}: no Pulumi.yaml`);
  if (!existsSync(expectFile)) throw new CaseError(`${expectFile} does not exist: every case needs one`);
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(expectFile, "utf8"));
  } catch (error) {
    throw new CaseError(`${expectFile} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = expectationSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new CaseError(`${expectFile}: ${problems.join("; ")}`);
  }
  const stacks = readdirSync(dir)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined);
  if (stacks.length !== 1) {
    throw new CaseError(
      `${dir}: a case has exactly one stack file Pulumi.<stack>.yaml (found ${stacks.length})`,
    );
  }
  return { name, dir, stack: stacks[0] as string, expectation: parsed.data };
}

/** Every case under the corpus directory, by name; `only` keeps names matching any of its substrings. */
export function readCorpus(root: string, only: readonly string[] = []): RedteamCase[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => only.length === 0 || only.some((part) => name.includes(part)))
    .sort()
    .map((name) => readCase(path.join(root, name)));
}
