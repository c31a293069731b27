/**
 * Pure rules for the Secrets component: resource names of generated secrets, which secrets go to
 * edge functions, and the client-exposed variable map.
 */

/** `CRON_SECRET` → `cron-secret`, for resource names. */
export function secretResourceName(name: string): string {
  return name.toLowerCase().replace(/_/g, "-");
}

/** Names of the secrets pushed to Supabase edge functions, sorted for a stable resource diff. */
/** A declared secret: its name and whether edge functions receive it. */
interface DeclaredSecret {
  readonly name: string;
  readonly edgeFunction: boolean;
}

export function edgeFunctionSecretNames(config: {
  readonly generated: readonly DeclaredSecret[];
  readonly provided: readonly DeclaredSecret[];
}): string[] {
  return [...config.generated, ...config.provided]
    .filter((secret) => secret.edgeFunction)
    .map((secret) => secret.name)
    .sort();
}

/** A client-exposed variable (`golive:secrets.public`): a literal value or a stack value by name. */
export type PublicVariableSource = { readonly value: string } | { readonly from: string };

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
  variables: Readonly<Record<string, PublicVariableSource>>,
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
