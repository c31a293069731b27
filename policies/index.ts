/**
 * The pack's entry point for the engine. Constructing a PolicyPack starts the analyzer's gRPC
 * server, so nothing else lives here: tests and tools import ./all.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./all";

new PolicyPack(PACK_NAME, {
  description:
    "The golive production checklist: environment-aware (prod mandatory, staging advisory unless `both`).",
  enforcementLevel: "mandatory",
  policies,
});
