import { describe, expect, it } from "vitest";
import { REQUIRED_TAG_KEYS } from "../lib/naming";
import { TAGGABLE_AWS_TYPES, UNTAGGABLE_AWS_TYPES } from "../components/tagging";
import { findResource, userResources, type Recording, type RecordedResource } from "../tooling/engine/record";
import { isSecret, isUnknown, type RecordedValue } from "../tooling/engine/wire";
import { PLACEHOLDER_MARK } from "../tooling/stack-files";
import { recordStack } from "./support/record-stack";
import { editKey, stackConfig } from "./support/stacks";

const MODES = [
  ["staging", false],
  ["staging", true],
  ["prod", false],
  ["prod", true],
] as const;

const recordings = new Map<string, Promise<Recording>>();
function recording(stack: "staging" | "prod", preview: boolean): Promise<Recording> {
  const key = `${stack}:${preview}`;
  if (!recordings.has(key)) recordings.set(key, recordStack(stack, { preview }));
  return recordings.get(key)!;
}

/** Every string in a recorded value that is not inside a secret marker. */
function plainStrings(value: RecordedValue, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((item) => plainStrings(item, out));
  else if (value !== null && typeof value === "object" && !isSecret(value)) {
    Object.values(value).forEach((item) => plainStrings(item as RecordedValue, out));
  }
  return out;
}

/** Every string inside a secret marker. */
function secretStrings(value: RecordedValue, inside = false, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (inside) out.push(value);
  } else if (Array.isArray(value)) value.forEach((item) => secretStrings(item, inside, out));
  else if (isSecret(value)) secretStrings(value.value, true, out);
  else if (value !== null && typeof value === "object") {
    Object.values(value).forEach((item) => secretStrings(item as RecordedValue, inside, out));
  }
  return out;
}

function byType(rec: Recording, type: string): RecordedResource[] {
  return rec.resources.filter((resource) => resource.type === type);
}

describe.each(MODES)("the %s stack (preview: %s)", (stack, preview) => {
  it("builds the whole program: every resource under the environment component", async () => {
    const rec = await recording(stack, preview);
    const environment = findResource(rec, "golive:environment:Environment", stack);
    const users = userResources(rec).filter((resource) => resource !== environment);
    expect(users.length).toBeGreaterThan(20);
    for (const resource of users) expect(resource.urn).toContain("golive:environment:Environment$");
    for (const type of [
      "golive:database:Database",
      "golive:secrets:Secrets",
      "supabase:index/project:Project",
      "supabase:index/settings:Settings",
      "aws:secretsmanager/secret:Secret",
      "aws:secretsmanager/secretVersion:SecretVersion",
      "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets",
      "time:index/rotating:Rotating",
      "aws:s3/bucket:Bucket",
    ]) {
      expect(byType(rec, type).length, type).toBeGreaterThan(0);
    }
  });

  it("keeps every secret a secret: inputs, and stack outputs free of secret values", async () => {
    const rec = await recording(stack, preview);
    // In a preview, values of resources not yet created are unknown, and the SDK sends them unwrapped.
    const hidden = (value: RecordedValue | undefined) => isSecret(value) || (preview && isUnknown(value));
    expect(
      hidden(findResource(rec, "supabase:index/project:Project", "database-project").inputs.databasePassword),
    ).toBe(true);
    expect(
      hidden(
        findResource(rec, "aws:secretsmanager/secretVersion:SecretVersion", "secrets-server-version").inputs
          .secretString,
      ),
    ).toBe(true);
    const edgeSecrets = findResource(
      rec,
      "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets",
      "secrets-edge-functions",
    ).inputs.secrets;
    expect(hidden(edgeSecrets)).toBe(true);

    const outputs = JSON.stringify(rec.stackOutputs);
    // The Vercel SDK marks every variable's value secret, client variables (sensitive: false) too.
    const clientVariable = (resource: (typeof rec.resources)[number]) =>
      resource.type === "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable" &&
      resource.inputs.sensitive === false;
    const secretValues = rec.resources
      .filter((resource) => !clientVariable(resource))
      .flatMap((resource) => [...secretStrings(resource.inputs), ...secretStrings(resource.outputs)]);
    if (!preview) expect(secretValues.length).toBeGreaterThan(10);
    // Names of secrets (EdgeFunctionSecrets wraps the whole name/value list) may be listed; values may not.
    const values = secretValues.filter((text) => text.length >= 8 && !/^[A-Z][A-Z0-9_]*$/.test(text));
    for (const value of values) expect(outputs).not.toContain(value);
    expect(outputs).not.toContain(PLACEHOLDER_MARK);
    for (const resource of rec.resources) {
      for (const text of plainStrings(resource.inputs)) {
        expect(text, `${resource.urn} leaks a placeholder secret`).not.toContain(PLACEHOLDER_MARK);
      }
    }
  });

  it("tags every taggable AWS resource with app, environment, owner and cost-center (ENV-03)", async () => {
    const rec = await recording(stack, preview);
    for (const resource of userResources(rec).filter((r) => r.type.startsWith("aws:"))) {
      const known = TAGGABLE_AWS_TYPES.has(resource.type) || UNTAGGABLE_AWS_TYPES.has(resource.type);
      expect(known, `${resource.type} is in neither tagging list`).toBe(true);
      if (!TAGGABLE_AWS_TYPES.has(resource.type)) continue;
      const tags = resource.inputs.tags as Record<string, RecordedValue>;
      for (const key of REQUIRED_TAG_KEYS)
        expect(tags[key], `${resource.urn} tag ${key}`).toBeTypeOf("string");
      expect(tags.environment).toBe(stack);
    }
  });

  it("enforces SSL and declares the database settings", async () => {
    const rec = await recording(stack, preview);
    const settings = findResource(rec, "supabase:index/settings:Settings", "database-settings").inputs;
    expect(settings.sslEnforcement).toBe(true);
    expect(JSON.parse(settings.database as string)).toMatchObject({
      statement_timeout: "30s",
      shared_buffers: "256MB",
    });
    // Prod admits the backup runner's NAT address too (DB-03, DB-05); unknown until it exists.
    if (stack === "prod" && preview) expect(typeof settings.network).not.toBe("string");
    else
      expect(JSON.parse(settings.network as string)).toEqual({
        restrictions: [
          "76.76.21.0/24",
          "44.210.10.0/24",
          ...(stack === "prod" ? [expect.stringMatching(/^44\.192\.\d+\.\d+\/32$/)] : []),
        ],
      });
  });

  it("creates one secret per environment under the environment's KMS key", async () => {
    const rec = await recording(stack, preview);
    const secret = findResource(rec, "aws:secretsmanager/secret:Secret", "secrets-server");
    expect(secret.inputs.name).toBe(`dirt-free-crm/${stack}/server`);
    expect(secret.inputs.recoveryWindowInDays).toBe(stack === "prod" ? 30 : 7);
    const key = findResource(rec, "aws:kms/key:Key", "secrets-key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(secret.options.dependencies).toContain(key.urn);
    for (const password of byType(rec, "random:index/randomPassword:RandomPassword")) {
      expect(password.inputs.length as number).toBeGreaterThanOrEqual(32);
    }
    expect(findResource(rec, "time:index/rotating:Rotating", "secrets-rotation").inputs.rotationDays).toBe(
      90,
    );
  });
});

describe("protection of stateful resources (DB-04, OPS-01)", () => {
  const stateful: [string, string][] = [
    ["supabase:index/project:Project", "database-project"],
    ["random:index/randomPassword:RandomPassword", "database-password"],
    ["aws:kms/key:Key", "database-backup-key"],
    ["aws:kms/key:Key", "secrets-key"],
    ["aws:s3/bucket:Bucket", "database-backups"],
    ["aws:secretsmanager/secret:Secret", "secrets-server"],
  ];

  it.each(stateful)("prod protects and retains %s %s", async (type, name) => {
    const resource = findResource(await recording("prod", false), type, name);
    expect(resource.options).toMatchObject({ protect: true, retainOnDelete: true });
  });

  it("prod protects the settings and the PITR add-on", async () => {
    const rec = await recording("prod", false);
    expect(findResource(rec, "supabase:index/settings:Settings", "database-settings").options.protect).toBe(
      true,
    );
    expect(
      findResource(rec, "pulumi-nodejs:dynamic/supabase:ManagementSetting", "database-pitr").options.protect,
    ).toBe(true);
  });

  it.each(stateful)("staging leaves %s %s deletable", async (type, name) => {
    expect(findResource(await recording("staging", false), type, name).options.protect).toBe(false);
  });
});

describe("Management API settings (DB-02, DB-03)", () => {
  it("applies the pooler in both environments and PITR only in prod", async () => {
    const prod = await recording("prod", false);
    const staging = await recording("staging", false);
    const pooler = findResource(prod, "pulumi-nodejs:dynamic/supabase:ManagementSetting", "database-pooler");
    expect(JSON.parse(pooler.inputs.body as string)).toEqual({
      default_pool_size: 30,
      pool_mode: "transaction",
    });
    expect(byType(staging, "pulumi-nodejs:dynamic/supabase:ManagementSetting").map((r) => r.name)).toEqual([
      "database-pooler",
    ]);
  });
});

describe("the off-site backup bucket (DB-03)", () => {
  it("is private, versioned, KMS-encrypted, TLS-only and has a lifecycle", async () => {
    const rec = await recording("prod", false);
    expect(
      findResource(
        rec,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "database-backups-public-access",
      ).inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      findResource(rec, "aws:s3/bucketVersioning:BucketVersioning", "database-backups-versioning").inputs
        .versioningConfiguration,
    ).toEqual({ status: "Enabled" });
    const encryption = findResource(
      rec,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "database-backups-encryption",
    );
    expect(JSON.stringify(encryption.inputs)).toContain('"sseAlgorithm":"aws:kms"');
    const lifecycle = findResource(
      rec,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "database-backups-lifecycle",
    );
    expect(JSON.stringify(lifecycle.inputs)).toContain('"days":90');
    expect(
      findResource(rec, "aws:s3/bucketPolicy:BucketPolicy", "database-backups-tls-only").inputs.policy,
    ).toContain("aws:SecureTransport");
  });
});

describe("preview", () => {
  it("leaves values that depend on created resources unknown", async () => {
    const rec = await recording("prod", true);
    expect(isUnknown(rec.stackOutputs.supabaseProjectRef)).toBe(true);
    const settings = findResource(rec, "supabase:index/settings:Settings", "database-settings");
    expect(isUnknown(settings.inputs.projectRef)).toBe(true);
  });

  it("exports the public variables as plain values in an up", async () => {
    const rec = await recording("prod", false);
    const variables = rec.stackOutputs.publicVariables as Record<string, RecordedValue>;
    expect(Object.keys(variables)).toEqual([
      "NEXT_PUBLIC_APP_URL",
      "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
      "NEXT_PUBLIC_SUPABASE_ANON_KEY",
      "NEXT_PUBLIC_SUPABASE_URL",
    ]);
    for (const value of Object.values(variables)) expect(typeof value).toBe("string");
  });
});

describe("bad config", () => {
  it("stops the program before any resource is registered", async () => {
    const config = editKey(stackConfig("prod"), "golive:database", (db) => {
      db.network = { allowedCidrs: ["10.0.0.0/8"] };
    });
    await expect(recordStack("prod", { preview: true, config })).rejects.toThrow(
      /golive:database\.network\.allowedCidrs\[0\]\n\s+"10\.0\.0\.0\/8" is in the private range/,
    );
  });
});
