/**
 * One environment's server secrets: generated (random, rotated), operator-provided (secret config)
 * and derived (service-role key, database URL), stored as one JSON secret in Secrets Manager under a
 * customer-managed KMS key. Edge-function secrets are pushed to Supabase. Every value stays a
 * Pulumi secret from config to export; only the public map is plain.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as supabase from "@pulumi/supabase";
import * as time from "@pulumiverse/time";
import type { SecretsConfig } from "../config/schema/secrets";
import { physicalName, type EnvironmentIdentity } from "../lib/naming";
import {
  edgeFunctionSecretNames,
  resolvePublicVariables,
  secretReadPolicy,
  secretResourceName,
  type PublicSources,
} from "../lib/secrets";
import { SECRETS_TYPE } from "../lib/component-types";

export interface SecretsArgs {
  readonly identity: EnvironmentIdentity;
  readonly config: SecretsConfig;
  /** Protect the key, the secret and generated values from deletion (prod). */
  readonly protect: boolean;
  /** Operator-provided values, already validated (names match `config.provided`). */
  readonly providedValues: Readonly<Record<string, pulumi.Input<string>>>;
  /** Values golive derives: SUPABASE_SERVICE_ROLE_KEY, DATABASE_URL. */
  readonly derivedValues: Readonly<Record<string, pulumi.Input<string>>>;
  /** Where edge-function secrets go. */
  readonly projectRef: pulumi.Input<string>;
  readonly publicSources: pulumi.Input<PublicSources>;
}

export class Secrets extends pulumi.ComponentResource {
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly secretArn: pulumi.Output<string>;
  readonly secretName: pulumi.Output<string>;
  /** Client-exposed variables for the app's build (plain by design). */
  readonly publicVariables: pulumi.Output<Record<string, string>>;
  /** Every server secret name held in the environment's secret, sorted. */
  readonly secretNames: string[];
  /** The EdgeFunctionSecrets resource, when any secret goes to edge functions: deploys wait for it. */
  readonly edgeFunctionResources: pulumi.Resource[] = [];
  private readonly values: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SECRETS_TYPE, name, {}, opts);
    const { identity, config, protect } = args;
    const stateful: pulumi.CustomResourceOptions = { parent: this, protect, retainOnDelete: protect };

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the server secrets of ${physicalName(identity)}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      stateful,
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      { name: `alias/${physicalName(identity, "secrets")}`, targetKeyId: key.keyId },
      { parent: this },
    );
    this.kmsKeyArn = key.arn;

    // Generated secrets are replaced when the rotation period ends (SEC-05): the time resource is
    // recreated after rotationDays, which changes the keepers of every password.
    const rotation = new time.Rotating(
      `${name}-rotation`,
      { rotationDays: config.rotationDays },
      { parent: this },
    );
    const values: Record<string, pulumi.Output<string>> = {};
    for (const generated of config.generated) {
      const password = new random.RandomPassword(
        `${name}-${secretResourceName(generated.name)}`,
        { length: generated.length, special: false, keepers: { rotatedAt: rotation.rfc3339 } },
        { parent: this, additionalSecretOutputs: ["result"] },
      );
      values[generated.name] = pulumi.secret(password.result);
    }
    for (const provided of config.provided) {
      const value = args.providedValues[provided.name];
      if (value === undefined) throw new Error(`no value for provided secret ${provided.name}`);
      values[provided.name] = pulumi.secret(value);
    }
    for (const [derivedName, value] of Object.entries(args.derivedValues)) {
      values[derivedName] = pulumi.secret(value);
    }
    this.values = values;
    this.secretNames = Object.keys(values).sort();

    const secret = new aws.secretsmanager.Secret(
      `${name}-server`,
      {
        name: `${identity.app}/${identity.environment}/server`,
        description: `Server-side secrets of ${physicalName(identity)}; one JSON object`,
        kmsKeyId: key.arn,
        recoveryWindowInDays: config.recoveryWindowDays,
      },
      stateful,
    );
    const names = this.secretNames;
    new aws.secretsmanager.SecretVersion(
      `${name}-server-version`,
      {
        secretId: secret.id,
        secretString: pulumi.secret(
          pulumi
            .all(names.map((secretName) => values[secretName]!))
            .apply((resolved) =>
              JSON.stringify(
                Object.fromEntries(names.map((secretName, index) => [secretName, resolved[index]])),
              ),
            ),
        ),
      },
      { parent: secret },
    );
    this.secretArn = secret.arn;
    this.secretName = secret.name;

    const edgeNames = edgeFunctionSecretNames(config);
    if (edgeNames.length > 0) {
      const edgeSecrets = new supabase.EdgeFunctionSecrets(
        `${name}-edge-functions`,
        {
          projectRef: args.projectRef,
          secrets: edgeNames.map((secretName) => ({ name: secretName, value: values[secretName]! })),
        },
        { parent: this },
      );
      this.edgeFunctionResources.push(edgeSecrets);
    }

    this.publicVariables = pulumi
      .output(args.publicSources)
      .apply((sources) => resolvePublicVariables(config.public, sources));

    this.registerOutputs({
      kmsKeyArn: this.kmsKeyArn,
      secretArn: this.secretArn,
      secretName: this.secretName,
      publicVariables: this.publicVariables,
    });
  }

  /** One secret's value, still a Pulumi secret. */
  value(secretName: string): pulumi.Output<string> {
    const value = this.values[secretName];
    if (!value)
      throw new Error(`no server secret named ${secretName}; known: ${this.secretNames.join(", ")}`);
    return value;
  }

  /** Let one IAM role read this environment's secret, and nothing more (SEC-04). */
  grantRead(name: string, role: aws.iam.Role, opts?: pulumi.CustomResourceOptions): aws.iam.RolePolicy {
    const region = aws.getRegionOutput({}, { parent: this }).region;
    return new aws.iam.RolePolicy(
      name,
      {
        role: role.id,
        policy: pulumi
          .all([this.secretArn, this.kmsKeyArn, region])
          .apply(([secretArn, keyArn, regionName]) =>
            JSON.stringify(secretReadPolicy(secretArn, keyArn, regionName)),
          ),
      },
      { parent: role, ...opts },
    );
  }
}
