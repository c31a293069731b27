/**
 * `golive report`: Pulumi previews of one or more stacks as one Markdown PR comment.
 *
 * - Model: `StackReportInput` / `ResourceChange` / `PropertyChange` (model.ts). Any source of planned
 *   changes can map into it and reuse `renderReport`.
 * - Parsing: `buildStackReport` (preview JSON + optional event log), `loadReportInput`.
 * - Rendering: `renderReport`, `renderReportDetailed`.
 * - CLI: `runReportCommand` in tooling/cli/report-command.ts.
 */
export * from "./model";
export { compareStacks, stripStackName } from "./compare";
export { loadReportInput, ReportInputError } from "./load";
export { parsePropertyPath } from "./paths";
export {
  DETAIL_LEVELS,
  MIN_BUDGET,
  REPORT_MARKER,
  renderReport,
  renderReportDetailed,
  suggestLabels,
} from "./render";
export { buildStackReport, describeDisagreement, repositoryPath } from "./stack";
export { toResourceChange } from "./steps";
