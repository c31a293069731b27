/**
 * The whole `golive:` config namespace as one zod schema. Areas live in their own files; this file
 * composes them and holds the rules that span areas or depend on the environment.
 */
import { Region as AwsRegion } from "@pulumi/aws/types/enums";
import { z } from "zod";
import { closest } from "../errors";
import { alertsSchema, checkAlertsRules } from "./alerts";
import { appSchema, changeWindowOverrideSchema } from "./app";
import { billingSchema, checkBillingRules } from "./billing";
import { cdnSchema, checkCdnRules } from "./cdn";
import { isClientExposedName } from "../../lib/client-vars";
import { isPlaceholder } from "../../lib/placeholders";
import { broadAddress } from "../../lib/cidr";
import { SECRET_ROTATION_MAX_DAYS } from "../../lib/limits";
import { ENVIRONMENTS, example } from "./common";
import { cronSchema } from "./cron";
import { databaseSchema } from "./database";
import { checkEdgeFunctionRules, edgeFunctionsSchema } from "./functions";
import { checkHostingRules, hostingSchema } from "./hosting";
import {
  DERIVED_SECRET_NAMES,
  derivedSecretNames,
  PUBLIC_SOURCES,
  providedSecretsSchema,
  secretsSchema,
  type KeyKind,
} from "./secrets";

export const CONFIG_NAMESPACE = "golive";

/** Every region the installed AWS provider knows (its `Region` enum), so the list follows the provider. */
export const AWS_REGIONS: readonly string[] = Object.values(AwsRegion);

/** Top-level keys, without the `golive:` prefix. */
export const goliveConfigShape = {
  environment: example(z.enum(ENVIRONMENTS, { error: "must be staging or prod" }), "prod"),
  app: appSchema,
  database: databaseSchema,
  secrets: secretsSchema,
  providedSecrets: providedSecretsSchema.default({}),
  changeWindowOverride: changeWindowOverrideSchema.optional(),
  cdn: cdnSchema,
  alerts: alertsSchema.prefault({}),
  billing: billingSchema,
  cron: cronSchema.prefault({}),
  edgeFunctions: edgeFunctionsSchema.prefault({}),
  hosting: hostingSchema.prefault({}),
};

export const goliveConfigSchema = z.strictObject(goliveConfigShape);

export type GoliveConfig = z.infer<typeof goliveConfigSchema>;

/** A problem found after the shape is valid. `key` is a full config key path. */
export interface ConfigRuleIssue {
  readonly key: string;
  readonly message: string;
  /** The command that fixes it; derived from the key when absent. */
  readonly fix?: string;
}

/** Provider config golive reads and checks (from the same stack file). */
export interface ProviderConfig {
  readonly awsRegion: string | undefined;
  readonly awsAllowedAccountIds: readonly string[] | undefined;
  /** Every key set in the stack, for checks of provider secrets stored in plain text. */
  readonly presentKeys: ReadonlySet<string>;
}

const LIVE_PREFIX: Record<KeyKind, string> = {
  "stripe-secret-key": "sk_live_",
  "stripe-restricted-key": "rk_live_",
  "stripe-publishable-key": "pk_live_",
};
const TEST_PREFIX: Record<KeyKind, string> = {
  "stripe-secret-key": "sk_test_",
  "stripe-restricted-key": "rk_test_",
  "stripe-publishable-key": "pk_test_",
};

/** Values that are server secrets whatever name they are given. */
const SECRET_VALUE_PATTERNS: readonly RegExp[] = [/^(sk|rk)_(live|test)_/, /^whsec_/, /^sb_secret_/];

function keyModeMismatch(
  kind: KeyKind,
  value: string,
  environment: GoliveConfig["environment"],
): string | undefined {
  const wanted = environment === "prod" ? LIVE_PREFIX[kind] : TEST_PREFIX[kind];
  if (value.startsWith(wanted)) return undefined;
  const mode = environment === "prod" ? "live" : "test";
  return `${environment} needs a ${mode}-mode ${kind} (starting with ${wanted}); the value set has another prefix`;
}

/** Rules across areas and per environment. Pure: the caller turns the list into one error. */
export function checkConfigRules(
  config: GoliveConfig,
  provider: ProviderConfig,
  secretKeys: ReadonlySet<string>,
): ConfigRuleIssue[] {
  const issues: ConfigRuleIssue[] = [];
  const env = config.environment;
  const isProd = env === "prod";
  const push = (key: string, message: string, fix?: string) => issues.push({ key, message, fix });

  // ENV-01: accounts and hostnames are per environment.
  const { awsAccounts, domain, hostname } = config.app;
  if (awsAccounts.staging === awsAccounts.prod) {
    push("golive:app.awsAccounts.prod", "staging and prod must use different AWS accounts");
  }
  const ownAccount = awsAccounts[env];
  const allowed = provider.awsAllowedAccountIds;
  if (!allowed || allowed.length === 0) {
    push(
      "aws:allowedAccountIds",
      `must pin this stack to its AWS account ${ownAccount}`,
      `pulumi config set --path 'aws:allowedAccountIds[0]' ${ownAccount}`,
    );
  } else if (allowed.length !== 1 || allowed[0] !== ownAccount) {
    push(
      "aws:allowedAccountIds",
      `must be exactly [${ownAccount}] (golive:app.awsAccounts.${env}); it is [${allowed.join(", ")}]`,
      `pulumi config set --path 'aws:allowedAccountIds[0]' ${ownAccount}`,
    );
  }
  if (!provider.awsRegion) {
    push(
      "aws:region",
      "must be set: the AWS region this stack deploys to",
      "pulumi config set aws:region us-east-1",
    );
  } else if (!AWS_REGIONS.includes(provider.awsRegion)) {
    const guess = closest(provider.awsRegion, AWS_REGIONS);
    push(
      "aws:region",
      `"${provider.awsRegion}" is not an AWS region the AWS provider knows${guess ? ` (did you mean ${guess}?)` : ""}; regions: ${AWS_REGIONS.join(", ")}`,
      `pulumi config set aws:region ${guess ?? "us-east-1"}`,
    );
  }
  if (hostname !== domain && !hostname.endsWith(`.${domain}`)) {
    push("golive:app.hostname", `must be ${domain} or a host under it`);
  }

  // DB-03, DB-05, DB-08 in prod.
  const db = config.database;
  if (isProd) {
    if (db.network.allowedCidrs.length === 0) {
      push(
        "golive:database.network.allowedCidrs",
        "prod must restrict database access to listed CIDRs (DB-05)",
        "pulumi config set --path 'golive:database.network.allowedCidrs[0]' 76.76.21.0/24",
      );
    }
    db.network.allowedCidrs.forEach((cidr, index) => {
      const broad = broadAddress(cidr);
      if (broad !== undefined) {
        push(
          `golive:database.network.allowedCidrs[${index}]`,
          `${broad}; prod must list the ranges that need access (DB-05)`,
        );
      }
    });
    if (db.backups.pointInTimeRecovery === "off") {
      push(
        "golive:database.backups.pointInTimeRecovery",
        "prod needs point-in-time recovery (DB-03)",
        "pulumi config set --path 'golive:database.backups.pointInTimeRecovery' pitr_7",
      );
    }
    // A wildcard lets any site that matches it receive users' auth redirects (and their tokens).
    const authUrls: [string, string][] = [
      ["golive:database.auth.siteUrl", db.auth.siteUrl],
      ...db.auth.redirectUrls.map((url, i): [string, string] => [
        `golive:database.auth.redirectUrls[${i}]`,
        url,
      ]),
    ];
    for (const [key, url] of authUrls) {
      if (url.includes("*")) {
        push(
          key,
          `${url} holds a wildcard; prod auth redirects go to exact URLs on the app's own host, or any matching site could receive users' tokens`,
          `pulumi config set --path '${key}' https://${hostname}/auth/callback`,
        );
      }
    }
    if (db.seedFiles.length > 0) {
      push(
        "golive:database.seedFiles",
        "seed/test data is never applied to prod (DB-08); remove the list from the prod stack",
        "pulumi config rm --path 'golive:database.seedFiles'",
      );
    }
    if (config.secrets.rotationDays > SECRET_ROTATION_MAX_DAYS) {
      push(
        "golive:secrets.rotationDays",
        `prod secrets rotate at least every ${SECRET_ROTATION_MAX_DAYS} days (SEC-05); it is ${config.secrets.rotationDays}`,
        `pulumi config set --path 'golive:secrets.rotationDays' ${SECRET_ROTATION_MAX_DAYS}`,
      );
    }
  }

  issues.push(...checkCdnRules(config.cdn, config.app, env));
  issues.push(
    ...checkAlertsRules(config.alerts, {
      environment: env,
      owner: config.app.owner,
      providedSecretNames: config.secrets.provided.map((secret) => secret.name),
      providedValues: config.providedSecrets,
    }),
  );
  issues.push(...checkBillingRules(config.billing, env));

  checkSecretNames(config, issues);
  checkCronSecret(config, issues);
  checkProvidedValues(config, secretKeys, issues);
  checkPublicVariables(config, issues);
  checkAppRuntime(config, provider, secretKeys, issues);

  for (const providerSecret of [
    "cloudflare:apiToken",
    "supabase:accessToken",
    "aws:secretKey",
    "vercel:apiToken",
  ]) {
    if (provider.presentKeys.has(providerSecret) && !secretKeys.has(providerSecret)) {
      push(
        providerSecret,
        "is stored in plain text in the stack file (SEC-01)",
        `pulumi config set --secret ${providerSecret} <value>`,
      );
    }
  }
  return issues;
}

/** Edge functions, API keys, Auth mail and the host: what the app needs to run. */
function checkAppRuntime(
  config: GoliveConfig,
  provider: ProviderConfig,
  secretKeys: ReadonlySet<string>,
  issues: ConfigRuleIssue[],
): void {
  issues.push(...checkEdgeFunctionRules(config.edgeFunctions));
  const legacy = config.database.apiKeys.legacy;
  const providedNames = new Set(config.secrets.provided.map((secret) => secret.name));
  const serverSecretNames = new Set<string>([
    ...derivedSecretNames(legacy),
    ...config.secrets.generated.map((secret) => secret.name),
    ...providedNames,
  ]);
  issues.push(
    ...checkHostingRules(config.hosting, {
      environment: config.environment,
      serverSecretNames,
      presentKeys: provider.presentKeys,
      secretKeys,
      env: process.env,
    }),
  );
  const monitoring = config.edgeFunctions.monitoring;
  if (monitoring && !providedNames.has(monitoring.accessTokenSecretName)) {
    issues.push({
      key: "golive:edgeFunctions.monitoring.accessTokenSecretName",
      message: `${monitoring.accessTokenSecretName} must be a provided secret (golive:secrets.provided) holding a Supabase access token`,
      fix: `pulumi config set --path 'golive:secrets.provided[${config.secrets.provided.length}].name' ${monitoring.accessTokenSecretName}`,
    });
  }
  const smtp = config.database.auth.smtp;
  if (smtp && !providedNames.has(smtp.passwordSecret)) {
    issues.push({
      key: "golive:database.auth.smtp.passwordSecret",
      message: `${smtp.passwordSecret} must be a provided secret (golive:secrets.provided) holding the SMTP password`,
      fix: `pulumi config set --path 'golive:secrets.provided[${config.secrets.provided.length}].name' ${smtp.passwordSecret}`,
    });
  }
  if (!legacy) {
    for (const [name, variable] of Object.entries(config.secrets.public)) {
      if ("from" in variable && variable.from === "supabaseAnonKey") {
        issues.push({
          key: `golive:secrets.public.${name}.from`,
          message:
            "the legacy anon key is off (golive:database.apiKeys.legacy is false); use from: supabasePublishableKey, or turn legacy keys on",
          fix: `pulumi config set --path 'golive:secrets.public.${name}.from' supabasePublishableKey`,
        });
      }
    }
  }
}

/** CRON-02: jobs authenticate with a generated secret from the environment's secret store. */
function checkCronSecret(config: GoliveConfig, issues: ConfigRuleIssue[]): void {
  if (config.cron.jobs.length === 0) return;
  const name = config.cron.secretName;
  if (!config.secrets.generated.some((secret) => secret.name === name)) {
    issues.push({
      key: "golive:cron.secretName",
      message: `jobs authenticate with ${name}, which must be a generated secret in golive:secrets.generated (CRON-02)`,
      fix: `pulumi config set --path 'golive:secrets.generated[0].name' ${name}`,
    });
  }
}

function checkSecretNames(config: GoliveConfig, issues: ConfigRuleIssue[]): void {
  const seen = new Map<string, string>();
  for (const name of DERIVED_SECRET_NAMES) seen.set(name, "derived by golive");
  const declare = (name: string, key: string, edgeFunction: boolean) => {
    const previous = seen.get(name);
    if (previous) {
      issues.push({
        key,
        message: `${name} is declared twice (also ${previous}); secret names must be unique`,
      });
    }
    seen.set(name, key);
    if (isClientExposedName(name)) {
      issues.push({
        key,
        message: `${name} is a server secret but its name is exposed to the client bundle (SEC-03); rename it without the public prefix`,
      });
    }
    if (edgeFunction && name.startsWith("SUPABASE_")) {
      issues.push({
        key,
        message: `${name}: SUPABASE_* names are reserved by Supabase edge functions; choose another name`,
      });
    }
  };
  config.secrets.generated.forEach((secret, i) =>
    declare(secret.name, `golive:secrets.generated[${i}].name`, secret.edgeFunction),
  );
  config.secrets.provided.forEach((secret, i) =>
    declare(secret.name, `golive:secrets.provided[${i}].name`, secret.edgeFunction),
  );
}

function checkProvidedValues(
  config: GoliveConfig,
  secretKeys: ReadonlySet<string>,
  issues: ConfigRuleIssue[],
): void {
  const values = config.providedSecrets;
  const declared = new Set(config.secrets.provided.map((secret) => secret.name));
  const setCommand = (name: string) =>
    `pulumi config set --secret --path 'golive:providedSecrets.${name}' <value>`;

  if (Object.keys(values).length > 0 && !secretKeys.has("golive:providedSecrets")) {
    issues.push({
      key: "golive:providedSecrets",
      message: "holds plain-text values in the stack file (SEC-01); every value must be set with --secret",
      fix: `pulumi config rm golive:providedSecrets, then for each value: ${setCommand("NAME")}`,
    });
  }
  config.secrets.provided.forEach((secret, index) => {
    const value = values[secret.name];
    if (value === undefined) {
      issues.push({
        key: `golive:providedSecrets.${secret.name}`,
        message: `is declared in golive:secrets.provided[${index}] but has no value`,
        fix: setCommand(secret.name),
      });
      return;
    }
    // Unknown offline (not set, or encrypted): the deploy-time run checks the real value.
    if (isPlaceholder(value)) return;
    const mismatch = secret.kind ? keyModeMismatch(secret.kind, value, config.environment) : undefined;
    const wrongMode =
      mismatch ??
      (config.environment === "prod" && /^(sk|rk|pk)_test_/.test(value)
        ? "prod must not use a test-mode key"
        : config.environment === "staging" && /^(sk|rk|pk)_live_/.test(value)
          ? "staging must not use a live-mode key"
          : undefined);
    if (wrongMode) {
      issues.push({
        key: `golive:providedSecrets.${secret.name}`,
        message: `${wrongMode} (ENV-02)`,
        fix: setCommand(secret.name),
      });
    }
  });
  for (const name of Object.keys(values)) {
    if (!declared.has(name)) {
      issues.push({
        key: `golive:providedSecrets.${name}`,
        message: "has a value but is not declared in golive:secrets.provided; declare it or remove the value",
        fix: `pulumi config rm --path 'golive:providedSecrets.${name}'`,
      });
    }
  }
}

/** A value check an offline plan cannot make (the values are placeholders); the deploy-time run makes it. */
export interface DeferredCheck {
  readonly check: string;
  /** The operator secrets it applies to. */
  readonly names: readonly string[];
}

/** The value checks left to the deploy-time run, one per check with the secrets it applies to. */
export function deferredValueChecks(config: GoliveConfig): DeferredCheck[] {
  const env = config.environment;
  const checks = new Map<string, string[]>();
  const add = (check: string, name: string) => checks.set(check, [...(checks.get(check) ?? []), name]);
  const urlSecret = config.alerts.pagerDuty?.integrationUrlSecret;
  for (const secret of config.secrets.provided) {
    if (!isPlaceholder(config.providedSecrets[secret.name])) continue;
    add(
      secret.kind
        ? `ENV-02, ${env} needs a ${env === "prod" ? "live" : "test"}-mode ${secret.kind}`
        : `ENV-02, no ${env === "prod" ? "test" : "live"}-mode key in ${env}`,
      secret.name,
    );
    if (secret.name === urlSecret) add("ALERT-05, PagerDuty's https:// integration URL", secret.name);
  }
  return [...checks].map(([check, names]) => ({ check, names: names.sort() }));
}

function checkPublicVariables(config: GoliveConfig, issues: ConfigRuleIssue[]): void {
  const serverNames = new Set<string>([
    ...DERIVED_SECRET_NAMES,
    ...config.secrets.generated.map((secret) => secret.name),
    ...config.secrets.provided.map((secret) => secret.name),
  ]);
  const sources = new Set<string>(PUBLIC_SOURCES);
  for (const [name, variable] of Object.entries(config.secrets.public)) {
    const key = `golive:secrets.public.${name}`;
    if (!isClientExposedName(name)) {
      issues.push({
        key,
        message: `${name} is listed as public but has no client prefix (NEXT_PUBLIC_, EXPO_PUBLIC_, VITE_, PUBLIC_)`,
      });
    }
    if ("from" in variable) {
      if (serverNames.has(variable.from)) {
        issues.push({
          key: `${key}.from`,
          message: `${variable.from} is a server secret and can never be exposed to the client (SEC-03)`,
        });
      } else if (!sources.has(variable.from)) {
        issues.push({
          key: `${key}.from`,
          message: `unknown source "${variable.from}"; use one of ${PUBLIC_SOURCES.join(", ")}`,
        });
      }
      continue;
    }
    if (SECRET_VALUE_PATTERNS.some((pattern) => pattern.test(variable.value))) {
      issues.push({
        key: `${key}.value`,
        message: "looks like a server secret; it can never be exposed to the client (SEC-03)",
      });
    }
    if (variable.kind) {
      const mismatch = keyModeMismatch(variable.kind, variable.value, config.environment);
      if (mismatch) issues.push({ key: `${key}.value`, message: `${mismatch} (ENV-02)` });
    }
  }
}
