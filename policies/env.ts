/** ENV: environments are told apart, separated, tagged, and prod changes only in its window. */
import {
  checkOverride,
  describeLocal,
  describeWindow,
  isInsideWindow,
  windowFromConfig,
} from "./lib/change-window";
import { typesOf } from "./catalogue";
import { clockNote } from "./lib/clock";
import { appConfigSchema, readConfigKey, type AppConfig } from "./lib/config";
import type { PolicyResource } from "@pulumi/policy";
import type { Check, PolicySpec, ResourceView } from "./lib/define";
import {
  ENVIRONMENT_WORDS,
  environmentFromName,
  otherEnvironment,
  type EnvironmentName,
} from "./lib/environment";
import { effectiveTags, providerList } from "./lib/props";
import { isPlaceholder, PLACEHOLDER_MARK } from "../lib/placeholders";
import { isComputedSecretOutput, isGeneratedType, isValueEntry, UnknownSources } from "./lib/provenance";
import { variableEntries, type Entry } from "./lib/secret-classifier";
import { keyMode, MODE_KEY_PACKAGES } from "./lib/secrets";
import { isAws, T } from "./lib/types";
import { formatPath, stringLeaves, UNKNOWN } from "./lib/unknowns";

/** `golive:app` when it parses; a malformed value is reported once by the policy that reads it. */
export function appConfig(check: Check): AppConfig | undefined {
  const read = readConfigKey(check.ctx.config, "golive:app", appConfigSchema);
  if (!read.ok) {
    check.violation(`${read.key} cannot be read: ${read.problem}`);
    return undefined;
  }
  return read.value;
}

/** The root golive environment components of a stack (children of the stack, or parentless). */
function rootEnvironments(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources.filter(
    (resource) => resource.type === T.environment && (!resource.parent || resource.parent.type === T.stack),
  );
}

const environmentIdentity: PolicySpec = {
  name: "env-01-environment-identity",
  id: "ENV-01",
  description:
    "The stack is staging or prod, as its name, golive:environment or the pack config `environment` says; golive's root environment component, when present, agrees.",
  severity: "critical",
  alwaysMandatory: true,
  remediationSteps:
    "Name the stack `prod` or `staging` (or `<name>-prod` / `<name>-staging`), or set `pulumi config set golive:environment <prod|staging>`, or set `environment` in this policy's pack config; a golive root `golive:environment:Environment` component must be named after the same environment.",
  configSchema: {
    properties: {
      environment: {
        type: "string",
        enum: ["staging", "prod"],
        description:
          "The environment of a stack whose name and config do not say it (the pack still applies prod's enforcement levels unless the stack name or golive:environment says staging).",
      },
    },
  },
  resource: {
    types: [T.environment],
    validate(resource, check) {
      const resolution = check.ctx.environment;
      const fromComponent =
        resource.name === "prod" || resource.name === "staging" ? resource.name : undefined;
      if (!fromComponent) {
        check.violation(
          `the environment component is named "${resource.name}"; it must be named staging or prod`,
        );
        return;
      }
      const configured = environmentFromName(check.config<{ environment: string }>().environment);
      const stated = resolution.name ?? configured;
      if (stated && fromComponent !== stated) {
        check.violation(
          `the environment component says ${fromComponent} but the stack is ${stated} (stack "${resolution.stackName ?? ""}", golive:environment ${resolution.fromConfig ?? "unset"}${configured ? `, pack config ${configured}` : ""})`,
        );
      }
    },
  },
  stack(resources, check) {
    const resolution = check.ctx.environment;
    if (check.ctx.configError) check.violation(`the stack config cannot be read: ${check.ctx.configError}`);
    if (resolution.invalidConfigValue !== undefined) {
      check.violation(`golive:environment is "${resolution.invalidConfigValue}"; it must be staging or prod`);
    }
    const configuredRaw = check.config<{ environment: string }>().environment;
    const configured = environmentFromName(configuredRaw);
    const roots = rootEnvironments(resources);
    if (roots.length > 1) {
      check.violation(`the stack has ${roots.length} root environment components; it must have one`);
    }
    if (resolution.conflict) {
      check.violation(
        `environments disagree: ${resolution.conflict}; the pack enforces prod's rules until they agree`,
      );
      return;
    }
    if (resolution.name && configured && resolution.name !== configured) {
      check.violation(
        `the pack config says environment ${configured} but the stack is ${resolution.name} (stack "${resolution.stackName ?? ""}", golive:environment ${resolution.fromConfig ?? "unset"})`,
      );
      return;
    }
    // The component, when present, is the strongest signal; it is checked against the others above.
    const fromComponent = roots.length === 1 ? environmentFromName(roots[0]?.name) : undefined;
    if (!resolution.name && !configured && !fromComponent) {
      check.violation(
        `cannot tell whether stack "${resolution.stackName ?? "(unknown)"}" is staging or prod (its name, golive:environment and the pack config \`environment\` say nothing); the pack enforces prod's rules`,
      );
    }
  },
};

function checkAwsProvider(
  provider: { urn: string; name: string; props: Record<string, unknown> },
  check: Check,
) {
  const environment = check.env;
  const other = otherEnvironment(environment);
  const app = appConfig(check);
  const accounts = app?.awsAccounts;
  const allowed = check.mustBeKnown(
    () => providerList(provider.props, "allowedAccountIds"),
    `allowedAccountIds of AWS provider "${provider.name}"`,
    provider.urn,
  );
  if (allowed === UNKNOWN) return;
  if (!allowed || allowed.length === 0) {
    check.violation(
      `AWS provider "${provider.name}" has no allowedAccountIds; pin it to the ${environment} account${accounts ? ` ${accounts[environment]}` : ""}`,
      provider.urn,
    );
    return;
  }
  if (!accounts) {
    // A stack golive did not build: pinned to one account is what the item asks of it.
    if (allowed.length !== 1) {
      check.violation(
        `AWS provider "${provider.name}" allows [${allowed.join(", ")}]; pin it to exactly one account (set golive:app.awsAccounts to have the pack check which)`,
        provider.urn,
      );
    }
    return;
  }
  if (accounts.staging === accounts.prod) {
    check.violation("golive:app.awsAccounts gives staging and prod the same AWS account", provider.urn);
  }
  if (allowed.includes(accounts[other]) && accounts[other] !== accounts[environment]) {
    check.violation(
      `AWS provider "${provider.name}" allows the ${other} account ${accounts[other]}; a ${environment} stack must never reach it`,
      provider.urn,
    );
  } else if (allowed.length !== 1 || allowed[0] !== accounts[environment]) {
    check.violation(
      `AWS provider "${provider.name}" allows [${allowed.join(", ")}]; it must allow exactly the ${environment} account ${accounts[environment]}`,
      provider.urn,
    );
  }
}

const awsAccountPinned: PolicySpec = {
  name: "env-01-aws-account-pinned",
  id: "ENV-01",
  description:
    "Every AWS provider is pinned (allowedAccountIds) to this environment's account and never the other's.",
  severity: "critical",
  remediationSteps:
    "Set `aws:allowedAccountIds` (and `allowedAccountIds` on explicit providers) to exactly the account in `golive:app.awsAccounts.<environment>`; staging and prod use different accounts.",
  resource: {
    types: [T.awsProvider],
    validate(resource, check) {
      checkAwsProvider(resource, check);
    },
  },
  stack(resources, check) {
    // Providers the engine never analyzed as resources (seen only as a resource's provider).
    const analyzed = new Set(resources.filter((r) => r.type === T.awsProvider).map((r) => r.urn));
    const seen = new Map<string, { urn: string; name: string; props: Record<string, unknown> }>();
    for (const resource of resources) {
      const provider = resource.provider;
      if (provider && provider.type === T.awsProvider && !analyzed.has(provider.urn))
        seen.set(provider.urn, provider);
    }
    for (const provider of seen.values()) checkAwsProvider(provider, check);
  },
};

const HOSTNAME = /\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\b/gi;

/**
 * The resource names inside ARNs (`arn:aws:s3:::acme-media-staging/*` → `acme-media-staging/*`,
 * `arn:aws:sqs:eu-west-1:1111:orders-staging` → `orders-staging`) and `s3://` URIs in a value.
 */
export function resourceIdentifiers(value: string): string[] {
  const out: string[] = [];
  for (const match of value.matchAll(/\barn:aws[\w-]*:[\w-]*:[\w-]*:\d*:([^\s"',]+)/g)) out.push(match[1]!);
  for (const match of value.matchAll(/\bs3:\/\/([^\s"',/]+)/g)) out.push(match[1]!);
  return out;
}

/** A name-shaped value (no spaces, no URL): what a variable holds when it names a resource. */
export function isIdentifierValue(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._:/-]{2,254}$/.test(value) && !value.includes("://");
}

const NO_OPTIONS: ResourceView["opts"] = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/** Where a resource names the other environment: its name, hostnames in its inputs, the other account. */
export function crossEnvironmentFindings(
  resource: Pick<ResourceView, "type" | "name" | "props">,
  environment: EnvironmentName,
  otherAccount: string | undefined,
): string[] {
  const other = otherEnvironment(environment);
  const words = new Set(ENVIRONMENT_WORDS[other]);
  const tokens = (text: string) =>
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((token) => token !== "");
  const findings: string[] = [];
  // Values handed to running code: a bare name there (`SOURCE_BUCKET: acme-media-staging`) is a resource the code reaches.
  const variablePaths = new Set(
    variableEntries({ type: resource.type, props: resource.props, opts: NO_OPTIONS })
      .filter((entry) => entry.variable && !entry.unknown)
      .map((entry) => formatPath(entry.path)),
  );
  const nameHit = tokens(resource.name).find((token) => words.has(token));
  if (nameHit) findings.push(`its name "${resource.name}" says "${nameHit}"`);
  for (const leaf of stringLeaves(resource.props)) {
    if (leaf.unknown || typeof leaf.value !== "string") continue;
    const where = formatPath(leaf.path);
    if (otherAccount && leaf.value.includes(otherAccount)) {
      findings.push(`${where} contains the ${other} AWS account ${otherAccount}`);
      continue;
    }
    const key = (leaf.key ?? "").toLowerCase();
    const candidates = new Set<string>();
    for (const match of leaf.value.matchAll(HOSTNAME)) candidates.add(match[1]!);
    if (["name", "bucket", "nameprefix", "bucketprefix", "fqdn", "hostname", "domain"].includes(key)) {
      candidates.add(leaf.value);
    }
    for (const identifier of resourceIdentifiers(leaf.value)) candidates.add(identifier);
    if (variablePaths.has(formatPath(leaf.path)) && isIdentifierValue(leaf.value)) candidates.add(leaf.value);
    for (const candidate of candidates) {
      const hit = tokens(candidate).find((token) => words.has(token));
      if (hit) findings.push(`${where} refers to "${candidate}" ("${hit}")`);
    }
  }
  return findings;
}

const noCrossEnvironmentReferences: PolicySpec = {
  name: "env-01-no-cross-environment-references",
  id: "ENV-01",
  description:
    "No resource names, hostnames or ARNs of the other environment: prod never references staging, staging never prod.",
  severity: "high",
  remediationSteps:
    "Derive names and hostnames from this stack's environment (golive:app.hostname, the environment component's name) and reference only resources of this stack's account.",
  resource: {
    validate(resource, check) {
      if (resource.type === T.stack || resource.type.startsWith("pulumi:providers:")) return;
      if (resource.type === T.environment) return;
      const other = otherEnvironment(check.env);
      const accounts = readConfigKey(check.ctx.config, "golive:app", appConfigSchema);
      const otherAccount = accounts.ok ? accounts.value?.awsAccounts?.[other] : undefined;
      for (const finding of crossEnvironmentFindings(resource, check.env, otherAccount)) {
        check.violation(`${resource.type} "${resource.name}" references ${other}: ${finding}`);
      }
    },
  },
};

const thirdPartyKeyMode: PolicySpec = {
  name: "env-02-third-party-key-mode",
  id: "ENV-02",
  description:
    "prod carries live-mode third-party keys and staging test-mode keys (Stripe sk_/pk_/rk_ live vs test).",
  severity: "critical",
  remediationSteps:
    "Set the prod stack's provided secrets to live keys (`sk_live_…`) and staging's to test keys (`sk_test_…`): `pulumi config set --secret --path 'golive:providedSecrets.<NAME>' <value>`.",
  resource: {
    validate(resource, check) {
      // Generated values (random, time) are never a vendor's key.
      if (isGeneratedType(resource.type)) return;
      const wanted = check.env === "prod" ? "live" : "test";
      // Every variable shape (env maps, pairs, bindings, JSON definitions, dotenv blobs) through the
      // shared classifier's reader; unknown values are left to the stack part, which sees dependencies.
      for (const entry of variableEntries(resource)) {
        if (entry.value === undefined) continue;
        const where = `${formatPath(entry.path)} of ${resource.type} "${resource.name}"`;
        // An offline placeholder is no value: the stack part defers its check, once per secret.
        if (isPlaceholder(entry.value)) continue;
        const mode = keyMode(entry.value);
        if (mode && mode.mode !== wanted) {
          check.violation(
            `${where} holds a ${mode.mode}-mode ${mode.vendor} key; ${check.env} needs ${wanted}-mode keys`,
          );
        }
      }
    },
  },
  stack(resources, check) {
    // A value unknown at preview is decided when everything it depends on is generated or computed
    // by a provider (an ARN, an id, a name: never a vendor's key), unless the stack config holds a
    // key of the wrong mode that the program may have composed into it. The rest is undeterminable,
    // naming the value itself.
    const wanted = check.env === "prod" ? "live" : "test";
    const configKeys = wrongModeConfigKeys(check.ctx.config, wanted);
    const sources = new UnknownSources(resources);
    // Offline placeholders (encrypted or unset secrets) are values nobody can see here: the check
    // is deferred to the deploy-time run, in the plan's words, once per check with the secrets' names.
    const deferred = new Map<string, Set<string>>();
    for (const resource of resources) {
      if (isGeneratedType(resource.type)) continue;
      for (const entry of variableEntries(resource)) {
        if (entry.value === undefined || !isPlaceholder(entry.value)) continue;
        if (!keyModeApplies(resource.type, entry)) continue;
        const { check: needs, name } = deferredKeyCheck(entry.value, check.env);
        deferred.set(needs, (deferred.get(needs) ?? new Set()).add(name));
      }
    }
    for (const [needs, names] of deferred) {
      const list = [...names].sort();
      const are = list.length === 1 ? "is an offline placeholder" : "are offline placeholders";
      check.deferred(
        `${needs}: ${list.join(", ")} ${are} (encrypted or not set); the deploy-time run checks the real values`,
      );
    }
    for (const resource of resources) {
      if (isGeneratedType(resource.type)) continue;
      for (const entry of variableEntries(resource)) {
        if (!entry.unknown || !isValueEntry(entry)) continue;
        // A credential the provider generates (its own secret output) is that provider's, not a
        // third-party key with a mode.
        if (isComputedSecretOutput(resource, String(entry.path[0]))) continue;
        const where = `${formatPath(entry.path)} of ${resource.type} "${resource.name}"`;
        const trace = sources.property(resource, String(entry.path[0]));
        if (trace.decided && configKeys.length === 0) continue;
        check.undeterminable(
          trace.decided
            ? `${where} (the stack config holds ${configKeys.join(", ")}, which it may embed)`
            : `${where} (${trace.reason})`,
          resource.urn,
        );
      }
    }
  },
};

/**
 * Whether a value's key mode is ENV-02's question: every value handed to running code or kept as
 * a secret, and the credentials of providers whose vendor issues mode keys (a Cloudflare or AWS
 * provider's token has no live or test mode).
 */
export function keyModeApplies(type: string, entry: Entry): boolean {
  if (type.startsWith("pulumi:providers:"))
    return MODE_KEY_PACKAGES.has(type.slice("pulumi:providers:".length));
  return isValueEntry(entry) || !type.startsWith("pulumi:");
}

/**
 * What an offline placeholder defers, in the plan's words (config/schema deferredValueChecks), and
 * the secret it stands for (`sk_live_golive-placeholder:STRIPE_SECRET_KEY`, `golive-placeholder:app:key`,
 * `https://golive-placeholder.invalid/PAGERDUTY_URL`).
 */
export function deferredKeyCheck(
  placeholder: string,
  environment: EnvironmentName,
): { readonly check: string; readonly name: string } {
  const name =
    new RegExp(`${PLACEHOLDER_MARK}(?::|\\.invalid/)([^\\s"']+)`).exec(placeholder)?.[1] ?? "a secret";
  const mode = keyMode(placeholder);
  const check = mode
    ? `${environment} needs a ${environment === "prod" ? "live" : "test"}-mode ${mode.vendor} key`
    : `no ${environment === "prod" ? "test" : "live"}-mode key in ${environment}`;
  return { check, name };
}

/** Config keys whose value holds a third-party key of the other mode (secret config is decrypted for the pack). */
export function wrongModeConfigKeys(config: ReadonlyMap<string, unknown>, wanted: "live" | "test"): string[] {
  const out: string[] = [];
  for (const [key, value] of config) {
    const text: string = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
    // Offline placeholders stand for values nobody can see here; their shape says nothing.
    const found = text
      .split(/["\s,{}[\]=]+/)
      .filter((token) => !token.includes(PLACEHOLDER_MARK))
      .map((token) => keyMode(token))
      .some((mode) => mode !== undefined && mode.mode !== wanted);
    if (found) out.push(key);
  }
  return out;
}

/** Types that take cost-allocation tags: the catalogue's "tags" concern (every @pulumi/aws type with a `tags` input). */
const TAGGABLE: ReadonlySet<string> = new Set(typesOf("tags"));

export const REQUIRED_TAGS = ["app", "environment", "owner", "cost-center"] as const;

const requiredTags: PolicySpec = {
  name: "env-03-required-tags",
  id: "ENV-03",
  description:
    "Every taggable AWS resource carries app, environment, owner and cost-center tags (provider default tags count).",
  severity: "medium",
  remediationSteps:
    "Set the tags once as provider default tags (`aws:defaultTags.tags`) from golive:app (name, owner, costCenter) and the environment; resources created outside the components need them too.",
  resource: {
    validate(resource, check) {
      if (!isAws(resource.type)) return;
      const hasTagsInput = "tags" in (resource.props as object) || "tagsAll" in (resource.props as object);
      if (!TAGGABLE.has(resource.type) && !hasTagsInput) return;
      const tags = effectiveTags(resource);
      const missing = REQUIRED_TAGS.filter((key) => !tags.values.has(key));
      if (missing.length > 0 && tags.unknown) {
        check.undeterminable(`the tags of ${resource.type} "${resource.name}"`);
      } else if (missing.length > 0) {
        check.violation(`${resource.type} "${resource.name}" lacks the tag(s) ${missing.join(", ")}`);
      }
      const environmentTag = tags.values.get("environment");
      if (typeof environmentTag === "string" && environmentFromName(environmentTag) !== check.env) {
        check.violation(
          `${resource.type} "${resource.name}" is tagged environment=${environmentTag} in a ${check.env} stack`,
        );
      }
    },
  },
};

const changeWindow: PolicySpec = {
  name: "env-04-change-window",
  id: "ENV-04",
  description:
    "prod changes happen inside the change window (default Mon–Thu 02:00–16:00 UTC) unless golive:changeWindowOverride is set with a reason, an approver and an expiry at most 72 h ahead.",
  severity: "high",
  remediationSteps:
    "Deploy inside the window, or set `golive:changeWindowOverride` to {reason (10+ characters), approvedBy, expiresAt (ISO date-time, at most 72 h ahead)} for this deploy and remove it afterwards.",
  configSchema: {
    properties: {
      days: {
        type: "array",
        items: { type: "string", enum: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
        default: ["mon", "tue", "wed", "thu"],
        description: "Days changes are allowed on.",
      },
      startHour: { type: "integer", minimum: 0, maximum: 23, default: 2, description: "First allowed hour." },
      endHour: {
        type: "integer",
        minimum: 1,
        maximum: 24,
        default: 16,
        description: "End hour (exclusive).",
      },
      timeZone: { type: "string", default: "UTC", description: "IANA time zone of days and hours." },
    },
  },
  resource: {
    types: [T.stack],
    validate(_resource, check) {
      const clock = check.ctx.clock;
      const note = clockNote(clock);
      if (clock.error) {
        check.violation(`the clock cannot be read: ${clock.error}`);
        return;
      }
      const { window, problems } = windowFromConfig(check.config());
      for (const problem of problems) check.violation(problem);
      const now = clock.now();
      if (isInsideWindow(now, window)) return;
      const outside = `it is ${describeLocal(now, window)}${note}, outside the prod change window (${describeWindow(window)})`;
      const raw = check.ctx.config.get("golive:changeWindowOverride");
      if (raw === undefined) {
        check.violation(
          `${outside}; set golive:changeWindowOverride {reason, approvedBy, expiresAt} to deploy anyway`,
        );
        return;
      }
      const result = checkOverride(raw, now);
      if (!result.override) {
        check.violation(
          `${outside}, and golive:changeWindowOverride is not valid: ${result.problems.join("; ")}`,
        );
        return;
      }
      check.notice(
        `${outside}; allowed by golive:changeWindowOverride approved by ${result.override.approvedBy} until ${result.override.expiresAt.toISOString()}: ${result.override.reason}`,
      );
    },
  },
};

export const ENV_POLICIES: readonly PolicySpec[] = [
  environmentIdentity,
  awsAccountPinned,
  noCrossEnvironmentReferences,
  thirdPartyKeyMode,
  requiredTags,
  changeWindow,
];
