/**
 * Exemptions as code (OPS-02): policies/exemptions.json lists who waived which check, on what, why,
 * and until when. An applied exemption is reported as an advisory notice naming it; an expired or
 * malformed one fails; critical prod items can never be exempted.
 */
import * as fs from "node:fs";
import { z } from "zod";
import { CHECKLIST, isChecklistId, type ChecklistId } from "./checklist";
import type { EnvironmentName } from "./environment";

export const ENV_EXEMPTIONS_FILE = "GOLIVE_EXEMPTIONS_FILE";

const isoDate = z.iso.date({ error: "must be a date as YYYY-MM-DD" });

export const exemptionSchema = z.strictObject({
  /** A short name to report the exemption by; defaults to "<policy> <urn>". */
  id: z.string().trim().min(1).optional(),
  /** A policy name (`edge-04-rate-limiting`) or a checklist ID (`EDGE-04`). */
  policy: z.string().trim().min(1, "must name a policy or a checklist ID"),
  /** A glob over resource URNs: `*` matches any run of characters, `?` one character. */
  urn: z.string().trim().min(1, "must be a URN or a URN glob such as urn:pulumi:prod::golive::*"),
  reason: z.string().trim().min(10, "must explain the exemption in at least 10 characters"),
  owner: z.string().trim().min(1, "must name who owns the exemption"),
  /** Last day the exemption holds (UTC); from the next day on it fails. */
  expires: isoDate,
});

export const exemptionsFileSchema = z.strictObject({
  $comment: z.string().optional(),
  exemptions: z.array(exemptionSchema),
});

export type ExemptionEntry = z.infer<typeof exemptionSchema>;

export interface Exemption extends ExemptionEntry {
  readonly name: string;
  readonly index: number;
  readonly pattern: RegExp;
  /** The checklist item the exempted policy enforces. */
  readonly checklistId: ChecklistId;
}

export interface ExemptionSet {
  readonly source: string;
  readonly exemptions: readonly Exemption[];
  /** Problems with the file; when there are any, no exemption applies (fail closed). */
  readonly errors: readonly string[];
}

/** A URN glob as a RegExp: `*` any run of characters (URN separators included), `?` one character. */
export function urnGlobRegExp(glob: string): RegExp {
  let source = "";
  for (const char of glob) {
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** Validate exemptions.json content. `knownPolicies` maps the pack's policy names to their checklist IDs. */
export function parseExemptions(
  text: string,
  source: string,
  knownPolicies: ReadonlyMap<string, ChecklistId>,
): ExemptionSet {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { source, exemptions: [], errors: [`${source} is not valid JSON: ${detail}`] };
  }
  const parsed = exemptionsFileSchema.safeParse(json);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(top level)";
      return `${source}: ${where}: ${issue.message}`;
    });
    return { source, exemptions: [], errors };
  }
  const errors: string[] = [];
  const exemptions = parsed.data.exemptions.flatMap((entry, index): Exemption[] => {
    const name = entry.id ?? `${entry.policy} ${entry.urn}`;
    const checklistId = isChecklistId(entry.policy) ? entry.policy : knownPolicies.get(entry.policy);
    if (!checklistId) {
      errors.push(
        `${source}: exemptions.${index}.policy: "${entry.policy}" is neither a checklist ID (e.g. EDGE-04) nor a policy of this pack`,
      );
      return [];
    }
    return [{ ...entry, name, index, pattern: urnGlobRegExp(entry.urn), checklistId }];
  });
  return { source, exemptions: errors.length > 0 ? [] : exemptions, errors };
}

export function loadExemptions(
  filePath: string,
  knownPolicies: ReadonlyMap<string, ChecklistId>,
): ExemptionSet {
  let text: string;
  try {
    text = fs.readFileSync(filePath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file means no exemptions; any other read failure fails closed.
    if (code === "ENOENT") return { source: filePath, exemptions: [], errors: [] };
    return { source: filePath, exemptions: [], errors: [`${filePath} cannot be read (${code ?? "error"})`] };
  }
  return parseExemptions(text, filePath, knownPolicies);
}

export const NO_EXEMPTIONS: ExemptionSet = { source: "(none)", exemptions: [], errors: [] };

/** The exemption's last valid instant: the end of its `expires` day, UTC. */
export function expiryInstant(exemption: ExemptionEntry): Date {
  return new Date(`${exemption.expires}T23:59:59.999Z`);
}

export function isExpired(exemption: ExemptionEntry, now: Date): boolean {
  return now.getTime() > expiryInstant(exemption).getTime();
}

/** Critical items cannot be exempted in prod (nor an undecided environment, enforced as prod). */
export function isUnexemptable(id: ChecklistId, environment: EnvironmentName): boolean {
  return id === "OPS-02" || (environment === "prod" && CHECKLIST[id].critical);
}

export type ExemptionDecision =
  | { kind: "none" }
  | { kind: "applied"; exemption: Exemption }
  | { kind: "expired"; exemption: Exemption }
  | { kind: "forbidden"; exemption: Exemption };

/** What an exemption does to one violation of `policyName` (item `id`) on `urn` ("" for the stack). */
export function decideExemption(
  set: ExemptionSet,
  policyName: string,
  id: ChecklistId,
  urn: string,
  environment: EnvironmentName,
  now: Date,
): ExemptionDecision {
  const matching = set.exemptions.filter(
    (exemption) =>
      (exemption.policy === policyName || exemption.policy === id) && exemption.pattern.test(urn),
  );
  if (matching.length === 0) return { kind: "none" };
  const usable = matching.find((exemption) => !isExpired(exemption, now));
  if (!usable) return { kind: "expired", exemption: matching[0]! };
  if (isUnexemptable(id, environment)) return { kind: "forbidden", exemption: usable };
  return { kind: "applied", exemption: usable };
}

export function describeExemption(exemption: Exemption): string {
  return `"${exemption.name}" (owner ${exemption.owner}, expires ${exemption.expires}: ${exemption.reason})`;
}
