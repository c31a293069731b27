/**
 * `golive report`: Pulumi previews of one or more stacks as one Markdown PR comment.
 *
 * - Model: `StackReportInput` / `ResourceChange` / `PropertyChange` (model.ts). Any source of planned
 *   changes can map into it and reuse `renderReport`.
 * - Parsing: `buildStackReport` (preview JSON + optional event log), `loadReportInput`, `readEventLog`.
 * - Rendering: `renderReport`, `renderReportDetailed`.
 * - CLI: `runReportCommand`.
 */
export * from "./model.js";
export { runReportCommand, REPORT_USAGE, type ReportCommandIo, type TextSink } from "./cli.js";
export {
  compareStacks,
  stripStackName,
  type ComparisonCell,
  type ComparisonRow,
  type StackComparison,
} from "./compare.js";
export { readEventLog, type EventLogData } from "./events.js";
export { loadReportInput, ReportInputError, type EngineEvent, type LoadedInput } from "./load.js";
export { formatPropertyPath, parsePropertyPath, type PathSegment } from "./paths.js";
export {
  DEFAULT_BUDGET,
  DETAIL_LEVELS,
  MIN_BUDGET,
  REPORT_MARKER,
  renderReport,
  renderReportDetailed,
  suggestLabels,
  type DetailLevel,
  type RenderOptions,
  type RenderedReport,
} from "./render.js";
export { CREDENTIAL_TYPES, STATEFUL_TYPES, assessRisk, type RiskFinding, type RiskKind } from "./risk.js";
export {
  buildStackReport,
  describeDisagreement,
  repositoryPath,
  type InputFile,
  type StackInputFiles,
} from "./stack.js";
export {
  detectSecretExposures,
  foldReplacementSteps,
  parseUrn,
  toResourceChange,
  type ParsedUrn,
  type RawDetailedDiffEntry,
  type RawResourceState,
  type RawStep,
} from "./steps.js";
export { SECRET_MARKER, UNKNOWN_VALUE, toReportValue } from "./values.js";
