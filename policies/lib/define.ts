/**
 * One helper turns a policy spec into a CrossGuard policy with the pack's conventions: checklist
 * metadata on every policy, the environment's enforcement level, exemptions, and unknown values
 * reported as "undeterminable" instead of failing open.
 *
 * Levels: CrossGuard fixes a policy's level per run (config > policy > pack). The pack knows the
 * stack at startup, so each policy is registered at its environment's level (prod mandatory;
 * staging advisory unless `both`), and `--policy-pack-config` still wins because the engine sends
 * every policy's configured level back through Configure. Notices (undeterminable values, applied
 * exemptions, an applied change-window override) are reported at advisory through the object form
 * of reportViolation that @pulumi/policy 1.21's server accepts ({message, urn, enforcementLevel});
 * they only ever lower a level, so configuration still decides what blocks.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  PolicyResourceOptions,
  PolicyProviderResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  CHECKLIST,
  CHECKLIST_NAME,
  CHECKLIST_VERSION,
  checklistArea,
  checklistUrl,
  type ChecklistId,
} from "./checklist";
import { clockNote } from "./clock";
import type { PackContext } from "./context";
import { levelFor, type EnvironmentName } from "./environment";
import { decideExemption, describeExemption } from "./exemptions";
import { decideScope, ENVIRONMENT_SCOPE, withScopeSchema, type ScopeDecision } from "./scope";
import { T } from "./types";
import { UNKNOWN, UnknownValueError, unknownPath, type Unknown } from "./unknowns";

const STACK_TYPE = T.stack;

/** What a check reads of a resource, in resource and stack policies alike. */
export interface ResourceView {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** Inputs (resource policies) or outputs (stack policies), behind the unknown-checking proxy. */
  readonly props: Record<string, unknown>;
  readonly opts: PolicyResourceOptions;
  readonly provider?: PolicyProviderResource;
}

export interface Check {
  readonly ctx: PackContext;
  readonly id: ChecklistId;
  readonly policyName: string;
  /** The environment whose rules apply (prod when undecided). */
  readonly env: EnvironmentName;
  /** Report a violation at the policy's level, unless a valid exemption waives it. */
  violation(message: string, urn?: string): void;
  /**
   * Something the whole environment must have is missing from this stack (a budget, an uptime
   * check): a violation in `environment` scope, a notice in `component` scope (see lib/scope).
   */
  absent(message: string, urn?: string): void;
  /** Advisory: the check needs a value that is only known after apply. */
  undeterminable(what: string, urn?: string): void;
  /**
   * Advisory, counted as undeterminable: the check cannot see a value in this run (an offline
   * placeholder for an encrypted or unset secret) and leaves it to the deploy-time run.
   */
  deferred(message: string, urn?: string): void;
  /** Advisory information that is not a failure (an applied override, an unused exemption). */
  notice(message: string, urn?: string): void;
  /**
   * Read something that must be known at preview (a literal): on unknown, report a violation and
   * return UNKNOWN. Critical prod items use it so they fail closed.
   */
  mustBeKnown<T>(read: () => T, what: string, urn?: string): T | Unknown;
  /** Read something; on unknown, report it as undeterminable and return UNKNOWN. */
  known<T>(read: () => T, what: string, urn?: string): T | Unknown;
  /** Run `fn` per item; an unknown in one item is reported for that item and the rest still run. */
  each<T extends { readonly urn: string }>(items: readonly T[], fn: (item: T) => void): void;
  /** This policy's `--policy-pack-config` properties. */
  config<T extends object>(): Partial<T>;
  /** Nothing to check here (no zone, no database...): the engine records the policy as not applicable. */
  notApplicable(reason: string): never;
}

export interface ResourcePart {
  /** Resource types this part applies to; every other type is "not applicable". Omit for all types. */
  readonly types?: readonly string[];
  readonly validate: (resource: ResourceView, check: Check) => void | Promise<void>;
}

export type StackPart = (resources: readonly PolicyResource[], check: Check) => void | Promise<void>;

export interface PolicySpec {
  readonly name: string;
  readonly id: ChecklistId;
  readonly description: string;
  readonly severity: Severity;
  readonly remediationSteps: string;
  /** Mandatory in every environment whatever the item's level (identity of the environment itself). */
  readonly alwaysMandatory?: boolean;
  readonly configSchema?: PolicyConfigSchema;
  readonly resource?: ResourcePart;
  readonly stack?: StackPart;
}

export type GolivePolicy = ResourceValidationPolicy | StackValidationPolicy;

interface ViolationObject {
  readonly message: string;
  readonly urn?: string;
  readonly enforcementLevel?: EnforcementLevel;
}

/** The object form of reportViolation (server.js 1.21 `makeReportViolationFun`), typed here because its typings only declare strings. */
function reportObject(report: ReportViolation, violation: ViolationObject): void {
  (report as unknown as (violation: ViolationObject) => void)(violation);
}

export function policyLevel(spec: PolicySpec, environment: EnvironmentName): EnforcementLevel {
  if (spec.alwaysMandatory) return "mandatory";
  return levelFor(CHECKLIST[spec.id], environment);
}

function makeCheck(
  spec: PolicySpec,
  ctx: PackContext,
  report: ReportViolation,
  defaultUrn: string | undefined,
  getConfig: () => object,
  notApplicable: (reason: string) => never,
  scope: ScopeDecision = ENVIRONMENT_SCOPE,
): Check {
  const prefix = `[${spec.id}]`;
  const check: Check = {
    ctx,
    id: spec.id,
    policyName: spec.name,
    env: ctx.enforced,
    violation(message, urn = defaultUrn) {
      const decision = decideExemption(
        ctx.exemptions,
        spec.name,
        spec.id,
        urn ?? "",
        ctx.enforced,
        ctx.clock.now(),
      );
      const note = clockNote(ctx.clock);
      switch (decision.kind) {
        case "none":
          report(`${prefix} ${message}`, urn);
          return;
        case "applied":
          reportObject(report, {
            message: `${prefix} exempted by ${describeExemption(decision.exemption)}${note}: ${message}`,
            urn,
            enforcementLevel: "advisory",
          });
          return;
        case "expired":
          report(
            `${prefix} ${message} (exemption "${decision.exemption.name}" expired on ${decision.exemption.expires}${note})`,
            urn,
          );
          return;
        case "forbidden":
          report(
            `${prefix} ${message} (exemption "${decision.exemption.name}" cannot waive ${spec.id} in prod: it is a critical item)`,
            urn,
          );
          return;
      }
    },
    absent(message, urn = defaultUrn) {
      if (scope.scope === "environment") {
        check.violation(message, urn);
        return;
      }
      check.notice(`${message} (not required here: ${scope.reason})`, urn);
    },
    undeterminable(what, urn = defaultUrn) {
      reportObject(report, {
        message: `${prefix} undeterminable: ${what} is not known until apply; ${spec.name} checks it again on \`pulumi up\``,
        urn,
        enforcementLevel: "advisory",
      });
    },
    deferred(message, urn = defaultUrn) {
      reportObject(report, {
        message: `${prefix} undeterminable: ${message}`,
        urn,
        enforcementLevel: "advisory",
      });
    },
    notice(message, urn = defaultUrn) {
      reportObject(report, { message: `${prefix} notice: ${message}`, urn, enforcementLevel: "advisory" });
    },
    mustBeKnown(read, what, urn = defaultUrn) {
      const failClosed = (): Unknown => {
        check.violation(`${what} must be known at preview (a literal value, not computed at apply)`, urn);
        return UNKNOWN;
      };
      try {
        const value = read();
        return value === UNKNOWN ? failClosed() : value;
      } catch (error) {
        if (!(error instanceof UnknownValueError)) throw error;
        return failClosed();
      }
    },
    known(read, what, urn = defaultUrn) {
      try {
        const value = read();
        if (value === UNKNOWN) check.undeterminable(what, urn);
        return value;
      } catch (error) {
        if (!(error instanceof UnknownValueError)) throw error;
        check.undeterminable(`${what} (${unknownPath(error)})`, urn);
        return UNKNOWN;
      }
    },
    each(items, fn) {
      for (const item of items) {
        try {
          fn(item);
        } catch (error) {
          if (!(error instanceof UnknownValueError)) throw error;
          check.undeterminable(`the value at ${unknownPath(error)}`, item.urn);
        }
      }
    },
    config<T extends object>() {
      const config: Partial<T> = getConfig();
      return config;
    },
    notApplicable,
  };
  return check;
}

/** Attach the type so the server answers "not applicable" without calling the policy (as validateResourceOfType does). */
function withPulumiType<F extends object>(fn: F, type: string | undefined): F {
  if (type) (fn as { __pulumiType?: string }).__pulumiType = type;
  return fn;
}

export function buildPolicy(spec: PolicySpec, ctx: PackContext): GolivePolicy {
  const item = CHECKLIST[spec.id];
  const base = {
    name: spec.name,
    description: spec.description,
    enforcementLevel: policyLevel(spec, ctx.enforced),
    severity: spec.severity,
    framework: {
      name: CHECKLIST_NAME,
      version: CHECKLIST_VERSION,
      reference: spec.id,
      specification: item.requirement,
    },
    tags: [
      spec.id,
      checklistArea(spec.id).toLowerCase(),
      CHECKLIST_NAME,
      ...(item.critical ? ["critical"] : []),
    ],
    remediationSteps: spec.remediationSteps,
    url: checklistUrl(spec.id),
    configSchema: withScopeSchema(spec.configSchema),
  };
  const prodOnlyInStaging = item.prodOnly && ctx.enforced === "staging";
  const policy: Partial<ResourceValidationPolicy & StackValidationPolicy> & typeof base = { ...base };

  const resourcePart = spec.resource;
  if (resourcePart) {
    const types = resourcePart.types;
    const validate = async (args: ResourceValidationArgs, report: ReportViolation): Promise<void> => {
      if (types && !types.includes(args.type)) {
        args.notApplicable(`${spec.id} checks ${types.join(", ")} only`);
      }
      if (prodOnlyInStaging) args.notApplicable(`${spec.id} applies to prod stacks only`);
      const check = makeCheck(
        spec,
        ctx,
        report,
        args.urn,
        () => args.getConfig<object>(),
        (reason) => args.notApplicable(reason),
      );
      const view: ResourceView = {
        type: args.type,
        name: args.name,
        urn: args.urn,
        props: args.props,
        opts: args.opts,
        ...(args.provider ? { provider: args.provider } : {}),
      };
      try {
        await resourcePart.validate(view, check);
      } catch (error) {
        if (!(error instanceof UnknownValueError)) throw error;
        check.undeterminable(`the value at ${unknownPath(error)}`);
      }
    };
    policy.validateResource = withPulumiType(validate, types?.length === 1 ? types[0] : undefined);
  }

  const stackPart = spec.stack;
  if (stackPart) {
    policy.validateStack = async (args: StackValidationArgs, report: ReportViolation): Promise<void> => {
      if (prodOnlyInStaging) args.notApplicable(`${spec.id} applies to prod stacks only`);
      // Stack-level findings attach to the stack resource, so an exemption can name its URN.
      const stackUrn = args.resources.find((resource) => resource.type === STACK_TYPE)?.urn;
      const check = makeCheck(
        spec,
        ctx,
        report,
        stackUrn,
        () => args.getConfig<object>(),
        (reason) => args.notApplicable(reason),
        decideScope(args.resources, ctx, args.getConfig<object>()),
      );
      try {
        await stackPart(args.resources, check);
      } catch (error) {
        if (!(error instanceof UnknownValueError)) throw error;
        check.undeterminable(`the value at ${unknownPath(error)}`);
      }
    };
  }
  return policy;
}
