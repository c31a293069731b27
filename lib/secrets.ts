/**
 * Pure rules for the Secrets component: resource names of generated secrets, which secrets go to
 * edge functions, and the client-exposed variable map.
 */
import type { PublicVariable, SecretsConfig } from "../config/schema/secrets";

/** `CRON_SECRET` → `cron-secret`, for resource names. */
export function secretResourceName(name: string): string {
  return name.toLowerCase().replace(/_/g, "-");
}

/** Names of the secrets pushed to Supabase edge functions, sorted for a stable resource diff. */
export function edgeFunctionSecretNames(config: SecretsConfig): string[] {
  return [...config.generated, ...config.provided]
    .filter((secret) => secret.edgeFunction)
    .map((secret) => secret.name)
    .sort();
}

/** Stack values a public variable may name with `from`. */
export interface PublicSources {
  readonly supabaseUrl: string;
  readonly supabasePublishableKey: string;
  /** Only with legacy API keys on. */
  readonly supabaseAnonKey?: string;
  readonly appUrl: string;
}

/** Resolve the client-exposed variables; config validation already refused server secrets here (SEC-03). */
export function resolvePublicVariables(
  variables: Readonly<Record<string, PublicVariable>>,
  sources: PublicSources,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const name of Object.keys(variables).sort()) {
    const variable = variables[name]!;
    if ("value" in variable) {
      resolved[name] = variable.value;
      continue;
    }
    const value = sources[variable.from as keyof PublicSources];
    if (value === undefined) throw new Error(`public variable ${name}: unknown source "${variable.from}"`);
    resolved[name] = value;
  }
  return resolved;
}

/** The IAM statements that let one role read the environment's secret and nothing else (SEC-04). */
export function secretReadPolicy(
  secretArn: string,
  kmsKeyArn: string,
  region: string,
): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadEnvironmentSecret",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: secretArn,
      },
      {
        Sid: "DecryptThroughSecretsManager",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
      },
    ],
  };
}
