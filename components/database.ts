/**
 * One environment's database: the Supabase project, its declared settings, the Management API
 * settings the provider cannot apply, and an off-site backup bucket. In prod every stateful piece
 * is protected and retained on delete (DB-04, OPS-01).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as supabase from "@pulumi/supabase";
import type { DatabaseConfig } from "../config/schema/database";
import {
  apiSettings,
  authSettings,
  backupLifecycleRules,
  databaseSettings,
  networkSettings,
  pitrRequest,
  poolerConnectionString,
  poolerRequest,
  poolerSettings,
  projectApiUrl,
} from "../lib/database";
import { limitedName, physicalName, type EnvironmentIdentity } from "../lib/naming";
import { ManagementSetting } from "./supabase-management";
import { DATABASE_TYPE } from "../lib/component-types";

export interface DatabaseArgs {
  readonly identity: EnvironmentIdentity;
  readonly config: DatabaseConfig;
  /** Protect stateful resources from deletion and replacement (prod). */
  readonly protect: boolean;
  /** Token for the Management API calls; defaults to SUPABASE_ACCESS_TOKEN at deploy time. */
  readonly managementAccessToken?: pulumi.Input<string>;
  /** CIDRs of the stack's own runners (the backup task's NAT address), admitted by the network restrictions. */
  readonly runnerEgressCidrs?: pulumi.Input<string>[];
  /** Auth's SMTP password (the provided secret named by `auth.smtp.passwordSecret`). */
  readonly smtpPassword?: pulumi.Input<string>;
}

export class Database extends pulumi.ComponentResource {
  /** The project ref, e.g. `abcdefghijklmnopqrst`. */
  readonly projectRef: pulumi.Output<string>;
  readonly apiUrl: pulumi.Output<string>;
  /** Pooled connection string with the password filled in (secret). */
  readonly pooledConnectionString: pulumi.Output<string>;
  /** Public by design: the publishable key (`sb_publishable_…`) is shipped to clients and limited by RLS. */
  readonly publishableKey: pulumi.Output<string>;
  /** The server's secret API key (`sb_secret_…`), created by this stack; bypasses RLS (secret). */
  readonly secretKey: pulumi.Output<string>;
  /** Legacy anon JWT; only with `apiKeys.legacy`. */
  readonly anonKey: pulumi.Output<string> | undefined;
  /** Legacy service_role JWT (secret); only with `apiKeys.legacy`. */
  readonly serviceRoleKey: pulumi.Output<string> | undefined;
  /** The Settings resource: Management API calls and edge functions wait for it (it may restart the database). */
  readonly settings: supabase.Settings;
  readonly backupBucketName: pulumi.Output<string>;
  readonly backupKeyArn: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DATABASE_TYPE, name, {}, opts);
    const { identity, config, protect } = args;
    const stateful: pulumi.CustomResourceOptions = { parent: this, protect, retainOnDelete: protect };

    const password = new random.RandomPassword(
      `${name}-password`,
      // Alphanumeric only: the password goes into connection URLs; 40+ characters keep it strong.
      { length: config.passwordLength, special: false, minUpper: 4, minLower: 4, minNumeric: 4 },
      stateful,
    );

    const project = new supabase.Project(
      `${name}-project`,
      {
        name: physicalName(identity),
        organizationId: config.organizationId,
        region: config.region,
        instanceSize: config.instanceSize,
        databasePassword: password.result,
        legacyApiKeysEnabled: config.apiKeys.legacy,
      },
      stateful,
    );
    this.projectRef = project.id;

    // With SMTP the auth blob carries the mail provider's key: it stays a secret end to end.
    const auth = config.auth.smtp
      ? pulumi.secret(
          pulumi.output(args.smtpPassword ?? "").apply((smtpPassword) => {
            if (!smtpPassword) throw new Error("Auth SMTP is configured but no SMTP password was passed");
            return JSON.stringify(authSettings(config, smtpPassword));
          }),
        )
      : JSON.stringify(authSettings(config));
    const settings = new supabase.Settings(
      `${name}-settings`,
      {
        projectRef: project.id,
        database: JSON.stringify(databaseSettings(config)),
        api: JSON.stringify(apiSettings(config)),
        auth,
        network: args.runnerEgressCidrs
          ? pulumi
              .all(args.runnerEgressCidrs)
              .apply((runners) => JSON.stringify(networkSettings(config, runners)))
          : JSON.stringify(networkSettings(config)),
        pooler: JSON.stringify(poolerSettings(config)),
        sslEnforcement: true,
      },
      { parent: this, protect, ...(config.auth.smtp ? { additionalSecretOutputs: ["auth"] } : {}) },
    );
    this.settings = settings;

    // Settings may restart the database; Management API calls run after it (and retry while it restarts).
    const poolerSetting = new ManagementSetting(
      `${name}-pooler`,
      { projectRef: project.id, request: poolerRequest(config), accessToken: args.managementAccessToken },
      { parent: this, dependsOn: [project, settings] },
    );
    const pitr = pitrRequest(config);
    if (pitr) {
      new ManagementSetting(
        `${name}-pitr`,
        { projectRef: project.id, request: pitr, accessToken: args.managementAccessToken },
        { parent: this, dependsOn: [project, settings], protect },
      );
    }

    // Read the connection strings after the pooler PATCH: a first deploy or a mode change reads the new mode.
    const pooler = supabase.getPoolerOutput(
      { projectRef: project.id },
      { parent: this, dependsOn: [poolerSetting] },
    );
    this.pooledConnectionString = pulumi.secret(
      pulumi.all([pooler.url, password.result]).apply(([urls, secretPassword]) => {
        const template = urls[config.pooler.mode];
        if (!template) throw new Error(`Supabase returned no ${config.pooler.mode} pooler connection string`);
        return poolerConnectionString(template, secretPassword);
      }),
    );
    // The provider's Apikey always makes a secret key, and makes the project's default publishable key
    // first when it is missing; the name is explicit because the bridge's auto-name has a hyphen.
    const secretKey = new supabase.Apikey(
      `${name}-secret-key`,
      {
        projectRef: project.id,
        name: config.apiKeys.secretKeyName,
        description: `Server key of ${physicalName(identity)} (golive)`,
      },
      { parent: this, protect, dependsOn: [settings] },
    );
    this.secretKey = pulumi.secret(secretKey.apiKey);
    const keys = supabase.getApikeysOutput(
      { projectRef: project.id },
      { parent: this, dependsOn: [secretKey] },
    );
    this.publishableKey = pulumi.unsecret(keys.publishableKey);
    this.anonKey = config.apiKeys.legacy ? pulumi.unsecret(keys.anonKey) : undefined;
    this.serviceRoleKey = config.apiKeys.legacy ? pulumi.secret(keys.serviceRoleKey) : undefined;
    this.apiUrl = project.id.apply(projectApiUrl);

    // Off-site copies of the database (DB-03): a private, versioned, KMS-encrypted bucket with a lifecycle.
    const backupKey = new aws.kms.Key(
      `${name}-backup-key`,
      {
        description: `Encrypts off-site database backups of ${physicalName(identity)}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      stateful,
    );
    new aws.kms.Alias(
      `${name}-backup-key-alias`,
      { name: `alias/${physicalName(identity, "db-backups")}`, targetKeyId: backupKey.keyId },
      { parent: this },
    );
    const bucket = new aws.s3.Bucket(
      `${name}-backups`,
      { bucket: limitedName(physicalName(identity, "db-backups"), 63), forceDestroy: false },
      stateful,
    );
    const bucketChild: pulumi.CustomResourceOptions = { parent: bucket, protect };
    new aws.s3.BucketOwnershipControls(
      `${name}-backups-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      bucketChild,
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-backups-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      bucketChild,
    );
    new aws.s3.BucketVersioning(
      `${name}-backups-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      bucketChild,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-backups-encryption`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: backupKey.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      bucketChild,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-backups-lifecycle`,
      { bucket: bucket.id, rules: backupLifecycleRules(config) },
      bucketChild,
    );
    new aws.s3.BucketPolicy(
      `${name}-backups-tls-only`,
      {
        bucket: bucket.id,
        policy: bucket.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              },
            ],
          }),
        ),
      },
      bucketChild,
    );
    this.backupBucketName = bucket.bucket;
    this.backupKeyArn = backupKey.arn;

    this.registerOutputs({
      projectRef: this.projectRef,
      apiUrl: this.apiUrl,
      pooledConnectionString: this.pooledConnectionString,
      publishableKey: this.publishableKey,
      secretKey: this.secretKey,
      backupBucketName: this.backupBucketName,
    });
  }
}
