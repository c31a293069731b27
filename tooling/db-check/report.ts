/** Plain-text report of a database check, for a terminal or a PR comment. Pure. */
import { type DbFinding } from "./findings";

/** The parts of a DbCheckResult the report shows (kept structural so the formatter stays pure). */
export interface DbCheckReportInput {
  readonly ok: boolean;
  readonly environment: string;
  readonly findings: readonly DbFinding[];
  readonly skippedStatements?: readonly {
    readonly file: string;
    readonly line: number;
    readonly reason: string;
  }[];
  readonly coverage: {
    readonly tables: number;
    readonly isolationTested: readonly { readonly schema: string; readonly table: string }[];
    readonly isolationSkipped: readonly {
      readonly schema: string;
      readonly table: string;
      readonly reason: string;
      readonly hasOwner: boolean;
    }[];
  };
  readonly timingsMs?: { readonly database: number; readonly migrations: number; readonly checks: number };
}

export function formatDbCheckReport(result: DbCheckReportInput): string {
  const errors = result.findings.filter((finding) => finding.severity === "error");
  const warnings = result.findings.filter((finding) => finding.severity === "warning");
  const lines = [
    `Database check (${result.environment}): ${result.ok ? "passed" : "FAILED"}, ` +
      `${count(errors.length, "error")}, ${count(warnings.length, "warning")}`,
  ];
  for (const finding of [...errors, ...warnings]) {
    // Point at the migration unless the message already names it.
    const location = finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ""}` : "";
    const where = location && !finding.message.includes(finding.file ?? "") ? ` (${location})` : "";
    lines.push(
      `  ${finding.severity === "error" ? "ERROR" : "WARN "} ${finding.check} ${finding.message}${where}`,
    );
  }
  for (const skipped of result.skippedStatements ?? []) {
    lines.push(`  NOTE  ${skipped.file}:${skipped.line}: ${skipped.reason}`);
  }
  const { tables, isolationTested, isolationSkipped } = result.coverage;
  const withoutOwner = isolationSkipped.filter((skip) => !skip.hasOwner).length;
  lines.push(
    `Coverage: ${count(tables, "table")} in exposed schemas; user isolation tested on ${isolationTested.length}` +
      (withoutOwner ? `, ${withoutOwner} without an owner column not tested` : ""),
  );
  if (result.timingsMs) {
    const { database, migrations, checks } = result.timingsMs;
    lines.push(
      `Time: database start ${seconds(database)}, migrations ${seconds(migrations)}, checks ${seconds(checks)}`,
    );
  }
  return lines.join("\n");
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? "" : "s"}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
