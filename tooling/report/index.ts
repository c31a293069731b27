/**
 * `golive report`: Pulumi previews of one or more stacks as one Markdown PR comment.
 *
 * - Model: `StackReportInput` / `ResourceChange` / `PropertyChange` (model.ts). Any source of planned
 *   changes can map into it and reuse `renderReport`.
 * - Parsing: `buildStackReport` (preview JSON + optional event log), `loadReportInput`.
 * - Rendering: `renderReport`, `renderReportDetailed`.
 * - CLI: `runReportCommand`.
 */
export * from "./model.js";
export { runReportCommand, type ReportCommandIo } from "./cli.js";
export { compareStacks, stripStackName } from "./compare.js";
export { loadReportInput, ReportInputError } from "./load.js";
export { parsePropertyPath } from "./paths.js";
export {
  DETAIL_LEVELS,
  MIN_BUDGET,
  REPORT_MARKER,
  renderReport,
  renderReportDetailed,
  suggestLabels,
} from "./render.js";
export { buildStackReport, describeDisagreement, repositoryPath } from "./stack.js";
export { toResourceChange } from "./steps.js";
