/** Policy results as JSON and SARIF 2.1.0, with checklist coverage. */
export {
  buildResults,
  fromEngineEvents,
  packMetadata,
  parseMessage,
  type Finding,
  type ResultsInput,
} from "./results";
export { buildSarif } from "./sarif";
