/** OPS: stateful prod resources survive a deploy; exemptions are accountable and expire. */
import { CHECKLIST } from "./lib/checklist";
import { clockNote } from "./lib/clock";
import type { PolicySpec } from "./lib/define";
import { describeExemption, isExpired, isUnexemptable } from "./lib/exemptions";
import { bool, num } from "./lib/props";
import { isAuditLogGroup } from "./lib/stack";
import { coveredTypes } from "./catalogue";
import { T } from "./lib/types";
import { peek, UNKNOWN } from "./lib/unknowns";

/** Every stateful type of every provider the catalogue knows (policies/catalogue, concern "stateful"). */
const STATEFUL = coveredTypes("stateful");
const statefulTypes: readonly string[] = [...STATEFUL.keys()];

const statefulProtected: PolicySpec = {
  name: "ops-01-stateful-resources-protected",
  id: "OPS-01",
  description:
    "In prod, stateful resources (databases, buckets, KMS keys, secrets, audit logs) are protected, never deleted before their replacement, and keep their recovery windows.",
  severity: "critical",
  remediationSteps:
    "Create stateful prod resources with `{ protect: true, retainOnDelete: true }`; keep forceDestroy false, a secret recovery window (7–30 days) and a KMS deletion window of at least the configured days.",
  configSchema: {
    properties: {
      minKmsDeletionWindowDays: {
        type: "integer",
        minimum: 7,
        maximum: 30,
        default: 30,
        description: "Shortest KMS key deletion window.",
      },
    },
  },
  resource: {
    types: statefulTypes,
    validate(resource, check) {
      if (resource.type === T.logGroup && !isAuditLogGroup(resource)) return;
      // A SecureString parameter is a secret; plain parameters are configuration.
      if (resource.type === T.ssmParameter && peek(resource.props, "type") !== "SecureString") return;
      const label = `${resource.type} "${resource.name}"`;
      if (!resource.opts.protect)
        check.violation(`${label} is not protected (set the protect resource option)`);
      if (resource.opts.deleteBeforeReplace === true) {
        check.violation(`${label} is deleted before its replacement is created (deleteBeforeReplace)`);
      }
      const reads = STATEFUL.get(resource.type)?.paths ?? [];
      if (reads.includes("forceDestroy")) {
        const force = check.mustBeKnown(
          () => bool(resource.props, "forceDestroy"),
          `forceDestroy of ${label}`,
        );
        if (force === true) check.violation(`${label} has forceDestroy: true`);
      }
      if (reads.includes("recoveryWindowInDays")) {
        const days = check.mustBeKnown(
          () => num(resource.props, "recoveryWindowInDays"),
          `recoveryWindowInDays of ${label}`,
        );
        if (days === 0)
          check.violation(`${label} has recoveryWindowInDays 0: a delete would be immediate and final`);
      }
      if (reads.includes("deletionWindowInDays")) {
        const minimum = check.config<{ minKmsDeletionWindowDays: number }>().minKmsDeletionWindowDays ?? 30;
        const days = check.mustBeKnown(
          () => num(resource.props, "deletionWindowInDays"),
          `deletionWindowInDays of ${label}`,
        );
        if (days !== UNKNOWN && days !== undefined && days < minimum) {
          check.violation(`${label} has a ${days}-day deletion window; keep at least ${minimum}`);
        }
      }
      if (
        resource.type === T.logGroup &&
        bool(resource.props, "skipDestroy") !== true &&
        bool(resource.props, "deletionProtectionEnabled") !== true
      ) {
        check.violation(`${label} is an audit log group without deletionProtectionEnabled`);
      }
    },
  },
};

const exemptionsValid: PolicySpec = {
  name: "ops-02-exemptions-valid",
  id: "OPS-02",
  description:
    "Every exemption in policies/exemptions.json names a policy or checklist ID, a resource URN pattern, a reason, an owner and an expiry; expired ones fail; critical prod items cannot be exempted.",
  severity: "high",
  remediationSteps:
    "Fix or remove the entry in policies/exemptions.json: renew an expired exemption only with a new reason and owner, and fix critical items instead of exempting them.",
  resource: {
    types: [T.stack],
    validate(_resource, check) {
      const set = check.ctx.exemptions;
      for (const error of set.errors) check.violation(`exemptions are ignored until this is fixed: ${error}`);
      const now = check.ctx.clock.now();
      for (const exemption of set.exemptions) {
        if (isExpired(exemption, now)) {
          check.violation(
            `exemption ${describeExemption(exemption)} expired on ${exemption.expires}${clockNote(check.ctx.clock)}`,
          );
        }
        if (isUnexemptable(exemption.checklistId, check.env)) {
          const why =
            exemption.checklistId === "OPS-02"
              ? "exemptions cannot exempt themselves"
              : `${exemption.checklistId} is critical in prod`;
          check.violation(
            `exemption ${describeExemption(exemption)} cannot apply: ${why} (${CHECKLIST[exemption.checklistId].requirement})`,
          );
        }
      }
    },
  },
  stack(resources, check) {
    const urns = [...resources.map((resource) => resource.urn), ""];
    for (const exemption of check.ctx.exemptions.exemptions) {
      if (!urns.some((urn) => exemption.pattern.test(urn))) {
        check.notice(
          `exemption "${exemption.name}" matches no resource of this stack; remove it if it is no longer needed`,
        );
      }
    }
  },
};

export const OPS_POLICIES: readonly PolicySpec[] = [statefulProtected, exemptionsValid];
