/** Policy results as JSON and SARIF 2.1.0, with checklist coverage. */
export {
  buildResults,
  classify,
  fromEngineEvents,
  packMetadata,
  parseMessage,
  stripMarkup,
  type ChecklistItemInput,
  type CoverageRow,
  type CoverageStatus,
  type DiagnosticInput,
  type EnforcementLevel,
  type Finding,
  type FindingKind,
  type GoliveResults,
  type NotApplicableInput,
  type PackMetadata,
  type PolicyMetadata,
  type ResultsInput,
  type Severity,
} from "./results";
export { buildSarif, SARIF_SCHEMA, type SarifLog, type SarifOptions } from "./sarif";
