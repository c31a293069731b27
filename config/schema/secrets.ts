import { z } from "zod";
import { SECRET_ROTATION_MAX_DAYS } from "../../lib/limits";
import { envVarName, example } from "./common";

/** Kinds of third-party keys whose mode is visible in the value (ENV-02). */
export const KEY_KINDS = ["stripe-secret-key", "stripe-restricted-key", "stripe-publishable-key"] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

const generatedSecretSchema = z.strictObject({
  name: envVarName,
  /** Length in characters; 32 is the floor for anything we generate (SEC-02). */
  length: z
    .number()
    .int()
    .min(32, "generated secrets need at least 32 characters (SEC-02)")
    .max(256)
    .default(48),
  /** Also push this secret to Supabase edge functions. */
  edgeFunction: z.boolean().default(false),
  description: z.string().optional(),
});

const providedSecretSchema = z.strictObject({
  name: envVarName,
  kind: z.enum(KEY_KINDS).optional(),
  edgeFunction: z.boolean().default(false),
  description: z.string().optional(),
});

/**
 * Values the app derives from the stack itself, for use in the public map. `supabaseAnonKey` is the
 * legacy JWT and exists only with `golive:database.apiKeys.legacy: true`.
 */
export const PUBLIC_SOURCES = ["supabaseUrl", "supabasePublishableKey", "supabaseAnonKey", "appUrl"] as const;

const publicVariableSchema = z.union([
  z.strictObject({ value: z.string(), kind: z.enum(KEY_KINDS).optional() }),
  z.strictObject({ from: example(z.string().min(1), "supabaseUrl") }),
]);

/** `golive:secrets`: every server-side secret of the app, and the variables its client build may see. */
export const secretsSchema = z.strictObject({
  /** Generated secrets are replaced after this many days (SEC-05: at most SECRET_ROTATION_MAX_DAYS in prod). */
  rotationDays: example(z.number().int().min(1).max(365), String(SECRET_ROTATION_MAX_DAYS)),
  /** How long a deleted secret can be restored (Secrets Manager allows 7 to 30 days). */
  recoveryWindowDays: z.number().int().min(7).max(30).default(30),
  generated: z.array(generatedSecretSchema).default([]),
  /** Set by the operator: `pulumi config set --secret --path 'golive:providedSecrets.NAME' <value>`. */
  provided: z.array(providedSecretSchema).default([]),
  /** Client-exposed variables: literal values or stack values by name (`supabaseUrl`, `supabaseAnonKey`, `appUrl`). */
  public: z.record(envVarName, publicVariableSchema).default({}),
});

export type SecretsConfig = z.infer<typeof secretsSchema>;

/** `golive:providedSecrets`: operator-provided values, stored encrypted in the stack file. */
export const providedSecretsSchema = z.record(z.string(), z.string().min(1, "must not be empty"));

/**
 * Names golive derives itself and writes into the environment's secret: the project's secret API key
 * (`sb_secret_…`), the pooled database URL, and the legacy service_role JWT when legacy keys are on.
 * All are reserved whether or not a stack uses them.
 */
export const DERIVED_SECRET_NAMES = [
  "SUPABASE_SECRET_KEY",
  "SUPABASE_SERVICE_ROLE_KEY",
  "DATABASE_URL",
] as const;

/** The derived names a stack actually holds. */
export function derivedSecretNames(legacyApiKeys: boolean): string[] {
  return DERIVED_SECRET_NAMES.filter((name) => legacyApiKeys || name !== "SUPABASE_SERVICE_ROLE_KEY");
}
