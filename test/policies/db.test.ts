import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { MANAGEMENT_SETTING_TYPE } from "../../lib/component-types";
import { T } from "../../policies/lib/types";
import {
  analyzeResource,
  analyzeStack,
  isNotApplicable,
  notices,
  secret,
  undeterminable,
  UNKNOWN,
  violations,
  type TestResource,
} from "./harness";
import { only, pack, res, type Env } from "./fixtures";

const FIXTURES = path.resolve(__dirname, "../fixtures/policies");

function dbPack(env: Env, database: Record<string, unknown> = {}) {
  return pack(env, {
    config: { database: { migrationsDir: "migrations/ok", api: { schemas: ["public"] }, ...database } },
    extraEnv: { GOLIVE_PROJECT_DIR: FIXTURES },
  });
}

const project = (env: Env = "prod", protect = true) =>
  res(
    T.supabaseProject,
    "db",
    { organizationId: "dirt-free", region: "us-east-1", databasePassword: secret("x".repeat(48)) },
    { opts: { protect } },
    env,
  );

const GOOD_DATABASE = {
  statement_timeout: "30s",
  shared_buffers: "256MB",
  effective_cache_size: "1GB",
  work_mem: "4MB",
  maintenance_work_mem: "64MB",
};

function settings(props: Record<string, unknown>, projectUrn = project().urn): TestResource {
  return res(
    T.supabaseSettings,
    "db-settings",
    {
      projectRef: UNKNOWN,
      database: JSON.stringify(GOOD_DATABASE),
      network: JSON.stringify({ restrictions: ["76.76.21.0/24"] }),
      pooler: JSON.stringify({ default_pool_size: 30, pool_mode: "transaction" }),
      sslEnforcement: true,
      ...props,
    },
    { propertyDependencies: { projectRef: [projectUrn] } },
  );
}

function management(
  name: string,
  pathValue: string,
  body: unknown,
  projectUrn = project().urn,
): TestResource {
  return res(
    MANAGEMENT_SETTING_TYPE,
    name,
    {
      projectRef: UNKNOWN,
      method: "PATCH",
      path: pathValue,
      body: typeof body === "string" ? body : JSON.stringify(body),
    },
    { propertyDependencies: { projectRef: [projectUrn] } },
  );
}

describe("db-01-rls-enabled", () => {
  const name = "db-01-rls-enabled";

  it("passes when every exposed table has RLS", async () => {
    const result = await analyzeResource(only(dbPack("prod"), name), project());
    expect(violations(result, name)).toEqual([]);
  });

  it("names the table, file and line of a table without RLS (mandatory in prod, advisory in staging)", async () => {
    const prod = violations(
      await analyzeResource(
        only(dbPack("prod", { migrationsDir: "migrations/missing-rls" }), name),
        project(),
      ),
      name,
    );
    expect(prod).toHaveLength(1);
    expect(prod[0]!.message).toMatch(
      /table public\.invoices \(created at .*20251024010000_invoices\.sql:2\) has no row level security/,
    );
    expect(prod[0]!.enforcementLevel).toBe("mandatory");
    const staging = violations(
      await analyzeResource(
        only(dbPack("staging", { migrationsDir: "migrations/missing-rls" }), name),
        project("staging"),
      ),
      name,
    );
    expect(staging[0]!.enforcementLevel).toBe("advisory");
  });

  it("reports where RLS was disabled", async () => {
    const found = violations(
      await analyzeResource(only(dbPack("prod", { migrationsDir: "migrations/disabled" }), name), project()),
      name,
    );
    expect(found[0]!.message).toMatch(/RLS is disabled at .*20251024050000_reviews_import\.sql:2/);
  });

  it("checks only the exposed schemas", async () => {
    const policies = only(
      dbPack("prod", { migrationsDir: "migrations/missing-rls", api: { schemas: ["api"] } }),
      name,
    );
    expect(violations(await analyzeResource(policies, project()), name)).toEqual([]);
  });

  it("fails with the file and line of a syntax error", async () => {
    const found = violations(
      await analyzeResource(only(dbPack("prod", { migrationsDir: "migrations/broken" }), name), project()),
      name,
    );
    expect(found[0]!.message).toMatch(/20251024000000_initial_schema\.sql:6/);
  });

  it("fails when the migrations directory is missing or not configured", async () => {
    const missing = violations(
      await analyzeResource(only(dbPack("prod", { migrationsDir: "migrations/nope" }), name), project()),
      name,
    );
    expect(missing[0]!.message).toContain("the migrations cannot be checked");
    const unset = only(pack("prod", { config: { database: { api: { schemas: ["public"] } } } }), name);
    expect(violations(await analyzeResource(unset, project()), name)[0]!.message).toContain(
      "golive:database.migrationsDir is not set",
    );
  });
});

describe("db-02-connection-pooling", () => {
  const name = "db-02-connection-pooling";

  it("passes with a pooler blob and a Management API pooler request", async () => {
    const policies = only(dbPack("prod"), name);
    expect(violations(await analyzeResource(policies, settings({})), name)).toEqual([]);
    const request = management("pooler", "/config/database/pooler", {
      default_pool_size: 30,
      pool_mode: "session",
    });
    expect(violations(await analyzeResource(policies, request), name)).toEqual([]);
    expect(violations(await analyzeStack(policies, [project(), request]), name)).toEqual([]);
  });

  it("fails on a bad pool mode or size", async () => {
    const bad = settings({ pooler: JSON.stringify({ default_pool_size: 0, pool_mode: "statementish" }) });
    const found = violations(await analyzeResource(only(dbPack("prod"), name), bad), name);
    expect(found.map((d) => d.message).join("\n")).toMatch(/pool_mode must be transaction or session/);
    expect(found.map((d) => d.message).join("\n")).toMatch(/default_pool_size must be an integer/);
  });

  it("fails when a project has no pooling at all: mandatory in prod, advisory in staging", async () => {
    const noPooler = settings({ pooler: undefined });
    const prod = violations(await analyzeStack(only(dbPack("prod"), name), [project(), noPooler]), name);
    expect(prod[0]!.message).toContain('Supabase project "db" has no connection pooling configuration');
    expect(prod[0]!.enforcementLevel).toBe("mandatory");
    const stagingProject = project("staging");
    const stagingSettings = settings({ pooler: undefined }, stagingProject.urn);
    const staging = violations(
      await analyzeStack(only(dbPack("staging"), name), [stagingProject, stagingSettings], {
        stack: "staging",
      }),
      name,
    );
    expect(staging[0]!.enforcementLevel).toBe("advisory");
  });

  it("reports an unknown pooler blob as undeterminable", async () => {
    const result = await analyzeResource(only(dbPack("prod"), name), settings({ pooler: UNKNOWN }));
    expect(undeterminable(result, name)).toHaveLength(1);
    expect(violations(result, name)).toEqual([]);
  });
});

describe("db-03-backups", () => {
  const name = "db-03-backups";
  const bucket = res(T.bucket, "db-backups", { bucket: "dirt-free-crm-prod-db-backups" });
  const chain = (
    overrides: { versioning?: string; sse?: string; block?: boolean; lifecycle?: string } = {},
  ) => [
    bucket,
    res(
      T.bucketVersioning,
      "db-backups-versioning",
      {
        bucket: UNKNOWN,
        versioningConfiguration: { status: overrides.versioning ?? "Enabled" },
      },
      { propertyDependencies: { bucket: [bucket.urn] } },
    ),
    res(
      T.bucketEncryption,
      "db-backups-encryption",
      {
        bucket: UNKNOWN,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: overrides.sse ?? "aws:kms",
              kmsMasterKeyId: UNKNOWN,
            },
          },
        ],
      },
      { propertyDependencies: { bucket: [bucket.urn] } },
    ),
    res(
      T.bucketPublicAccessBlock,
      "db-backups-public-access",
      {
        bucket: UNKNOWN,
        blockPublicAcls: true,
        blockPublicPolicy: overrides.block ?? true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { propertyDependencies: { bucket: [bucket.urn] } },
    ),
    res(
      T.bucketLifecycle,
      "db-backups-lifecycle",
      {
        bucket: UNKNOWN,
        rules: [{ id: "expire", status: overrides.lifecycle ?? "Enabled", expiration: { days: 90 } }],
      },
      { propertyDependencies: { bucket: [bucket.urn] } },
    ),
  ];
  const pitr = management("pitr", "/billing/addons", { addon_type: "pitr", addon_variant: "pitr_14" });

  /** A scheduled ECS task whose role may write (or read) the bucket, as a team would wire it. */
  const job = (key: string, expression: string, action: string, opts: { preview?: boolean } = {}) => {
    const role = res("aws:iam/role:Role", `${key}-role`, { assumeRolePolicy: "{}" });
    const policy = res(
      "aws:iam/rolePolicy:RolePolicy",
      `${key}-policy`,
      {
        role: UNKNOWN,
        policy: opts.preview
          ? UNKNOWN
          : JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: [action],
                  Resource: "arn:aws:s3:::dirt-free-crm-prod-db-backups/*",
                },
              ],
            }),
      },
      { propertyDependencies: { role: [role.urn], policy: [bucket.urn] } },
    );
    const task = res(
      "aws:ecs/taskDefinition:TaskDefinition",
      key,
      { family: `crm-prod-${key}`, containerDefinitions: "[]", taskRoleArn: UNKNOWN },
      { propertyDependencies: { taskRoleArn: [role.urn] } },
    );
    const schedule = res(
      T.schedule,
      `${key}-schedule`,
      {
        scheduleExpression: expression,
        target: { arn: UNKNOWN, ecsParameters: { taskDefinitionArn: UNKNOWN } },
      },
      { propertyDependencies: { target: [task.urn] } },
    );
    return [role, policy, task, schedule];
  };
  const freshness = res(T.metricAlarm, "backup-stale", {
    namespace: "golive/Backups",
    metricName: "BackupSucceeded",
    statistic: "Sum",
    period: 3600,
    evaluationPeriods: 26,
    threshold: 1,
    comparisonOperator: "LessThanThreshold",
    treatMissingData: "breaching",
  });
  const offsite = (preview = false) => [
    ...job("backup", "cron(0 3 * * ? *)", "s3:PutObject", { preview }),
    ...job("restore-drill", "cron(0 5 ? * SUN *)", "s3:GetObject", { preview }),
    freshness,
  ];

  it("passes with PITR, a complete off-site bucket, its scheduled job, freshness alarm and drill", async () => {
    for (const preview of [false, true]) {
      expect(
        violations(
          await analyzeStack(only(dbPack("prod"), name), [project(), pitr, ...chain(), ...offsite(preview)]),
          name,
        ),
      ).toEqual([]);
    }
  });

  it("fails a prod stack that has only the bucket: no job, no freshness alarm, no drill", async () => {
    const text = violations(
      await analyzeStack(only(dbPack("prod"), name), [project(), pitr, ...chain()]),
      name,
    )
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain("has no scheduled job writing to it");
    expect(text).toContain("a bucket alone is not a backup");
  });

  it("fails a backup job without a freshness alarm or drill, and one that runs weekly", async () => {
    const text = violations(
      await analyzeStack(only(dbPack("prod"), name), [
        project(),
        pitr,
        ...chain(),
        ...job("backup", "cron(0 3 ? * SUN *)", "s3:PutObject"),
      ]),
      name,
    )
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain("run less often than daily");
    expect(text).toContain("has no freshness alarm");
    expect(text).toContain("has no restore drill");
  });

  it("leaves staging's bucket alone without a job (advisory item, prod requirement)", async () => {
    expect(
      violations(
        await analyzeStack(only(dbPack("staging"), name), [project("staging", false), ...chain()]),
        name,
      ),
    ).toEqual([]);
  });

  it("fails a second, weaker configuration of the backup bucket beside a good one", async () => {
    const weaker = (type: string, suffix: string, props: Record<string, unknown>) =>
      res(
        type,
        `db-backups-${suffix}`,
        { bucket: UNKNOWN, ...props },
        { propertyDependencies: { bucket: [bucket.urn] } },
      );
    const text = violations(
      await analyzeStack(only(dbPack("prod"), name), [
        project(),
        pitr,
        ...chain(),
        weaker(T.bucketVersioningV2, "suspend", { versioningConfiguration: { status: "Suspended" } }),
        weaker(T.bucketEncryptionV2, "aes", {
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }),
        weaker(T.bucketPublicAccessBlock, "open", {
          blockPublicAcls: false,
          blockPublicPolicy: false,
          ignorePublicAcls: false,
          restrictPublicBuckets: false,
        }),
      ]),
      name,
    )
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain('versioning resource "db-backups-suspend" with status "Suspended"');
    expect(text).toContain('encryption resource "db-backups-aes" with ["AES256"]');
    expect(text).toContain("is not closed to the public");
  });

  it("fails in prod without PITR", async () => {
    const found = violations(await analyzeStack(only(dbPack("prod"), name), [project(), ...chain()]), name);
    expect(found[0]!.message).toContain("has no point-in-time recovery add-on");
  });

  it("fails for each missing property of the bucket", async () => {
    const found = violations(
      await analyzeStack(only(dbPack("prod"), name), [
        project(),
        pitr,
        ...chain({ versioning: "Suspended", sse: "AES256", block: false, lifecycle: "Disabled" }),
      ]),
      name,
    );
    const text = found.map((d) => d.message).join("\n");
    expect(text).toContain("is not versioned");
    expect(text).toContain("is not encrypted with a KMS key");
    expect(text).toContain("is not closed to the public");
    expect(text).toContain("has no enabled lifecycle rule");
  });

  it("staging needs no PITR, and a missing bucket there is advisory", async () => {
    const stagingProject = project("staging");
    const found = violations(
      await analyzeStack(only(dbPack("staging"), name), [stagingProject], { stack: "staging" }),
      name,
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("no off-site backup bucket");
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });

  it("reports a PITR request whose body is unknown as undeterminable", async () => {
    const unknownPitr = management("pitr", "/billing/addons", UNKNOWN);
    const result = await analyzeStack(only(dbPack("prod"), name), [project(), unknownPitr, ...chain()]);
    expect(undeterminable(result, name)).toHaveLength(1);
  });
});

describe("db-04-prod-database-protected", () => {
  const name = "db-04-prod-database-protected";
  const bucket = (protect: boolean, forceDestroy: unknown = false) =>
    res(
      T.bucket,
      "db-backups",
      { bucket: "dirt-free-crm-prod-db-backups", forceDestroy },
      { opts: { protect } },
    );

  it("passes for a protected project and backup bucket", async () => {
    const policies = only(dbPack("prod"), name);
    expect(violations(await analyzeResource(policies, project()), name)).toEqual([]);
    expect(violations(await analyzeResource(policies, bucket(true)), name)).toEqual([]);
  });

  it("fails for an unprotected project or a force-destroyable bucket", async () => {
    const policies = only(dbPack("prod"), name);
    expect(violations(await analyzeResource(policies, project("prod", false)), name)[0]!.message).toContain(
      'the prod database "db" is not protected',
    );
    const found = violations(await analyzeResource(policies, bucket(false, true)), name);
    expect(found.map((d) => d.message).join("\n")).toContain("forceDestroy: true");
  });

  it("fails closed when forceDestroy is unknown", async () => {
    const found = violations(await analyzeResource(only(dbPack("prod"), name), bucket(true, UNKNOWN)), name);
    expect(found[0]!.message).toContain("must be known at preview");
  });

  it("ignores other buckets and does not apply to staging", async () => {
    const other = res(T.bucket, "assets", { bucket: "dirt-free-crm-prod-assets" });
    expect(violations(await analyzeResource(only(dbPack("prod"), name), other), name)).toEqual([]);
    const result = await analyzeResource(only(dbPack("staging"), name), project("staging", false));
    expect(isNotApplicable(result, name)).toBe(true);
  });
});

describe("db-05-network-restricted", () => {
  const name = "db-05-network-restricted";

  it("passes with SSL and listed public CIDRs", async () => {
    expect(violations(await analyzeResource(only(dbPack("prod"), name), settings({})), name)).toEqual([]);
  });

  it("fails in prod on open or private ranges and missing SSL", async () => {
    const open = settings({
      network: JSON.stringify({ restrictions: ["0.0.0.0/0", "10.0.0.0/8", "nonsense"] }),
      sslEnforcement: false,
    });
    const text = violations(await analyzeResource(only(dbPack("prod"), name), open), name)
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain("0.0.0.0/0 admits every address");
    expect(text).toContain("10.0.0.0/8 is in the private range");
    expect(text).toContain("nonsense is not a CIDR block");
    expect(text).toContain("does not enforce SSL");
  });

  it("checks the configured list when the runner's address makes the restrictions unknown (a first preview)", async () => {
    const computed = settings({ network: UNKNOWN });
    const listed = { network: { allowedCidrs: ["76.76.21.0/24"] } };
    const ok = await analyzeResource(only(dbPack("prod", listed), name), computed);
    expect(violations(ok, name)).toEqual([]);
    expect(
      undeterminable(ok, name)
        .map((d) => d.message)
        .join("\n"),
    ).toContain("the backup runner's address");
    const open = await analyzeResource(
      only(dbPack("prod", { network: { allowedCidrs: ["0.0.0.0/0"] } }), name),
      computed,
    );
    expect(violations(open, name)[0]!.message).toContain(
      "golive:database.network.allowedCidrs: 0.0.0.0/0 admits every address",
    );
    // Without golive's list the pack cannot tell: prod fails closed.
    expect(
      violations(await analyzeResource(only(dbPack("prod"), name), computed), name)[0]!.message,
    ).toContain("must be known at preview");
  });

  it("fails in prod on public ranges so wide they admit nearly everyone", async () => {
    const halves = settings({
      network: JSON.stringify({ restrictions: ["1.0.0.0/1", "128.0.0.0/1", "2000::/3"] }),
    });
    const text = violations(await analyzeResource(only(dbPack("prod"), name), halves), name)
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain("128.0.0.0/1 is wider than /16");
    expect(text).toContain("2000::/3 is wider than /32");
  });

  it("allows open ranges in staging but still asks for SSL, advisory", async () => {
    const open = settings({
      network: JSON.stringify({ restrictions: ["0.0.0.0/0", "::/0"] }),
      sslEnforcement: false,
    });
    const found = violations(await analyzeResource(only(dbPack("staging"), name), open), name);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("does not enforce SSL");
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });

  it("fails closed in prod when the restrictions are unknown at preview", async () => {
    const found = violations(
      await analyzeResource(only(dbPack("prod"), name), settings({ network: UNKNOWN })),
      name,
    );
    expect(found[0]!.message).toContain("must be known at preview");
  });
});

describe("db-06-settings-declared", () => {
  const name = "db-06-settings-declared";

  it("passes with the settings declared and one Settings per project", async () => {
    const policies = only(dbPack("prod"), name);
    expect(violations(await analyzeResource(policies, settings({})), name)).toEqual([]);
    expect(violations(await analyzeStack(policies, [project(), settings({})]), name)).toEqual([]);
  });

  it("fails on missing settings, and honours a configured list", async () => {
    const partial = settings({ database: JSON.stringify({ statement_timeout: "30s" }) });
    const found = violations(await analyzeResource(only(dbPack("prod"), name), partial), name);
    expect(found[0]!.message).toContain(
      "do not declare shared_buffers, effective_cache_size, work_mem, maintenance_work_mem",
    );
    const config = { [name]: { requiredSettings: ["statement_timeout"] } };
    expect(violations(await analyzeResource(only(dbPack("prod"), name), partial, { config }), name)).toEqual(
      [],
    );
  });

  it("fails when a project has no Settings (advisory in staging)", async () => {
    const found = violations(
      await analyzeStack(only(dbPack("staging"), name), [project("staging")], { stack: "staging" }),
      name,
    );
    expect(found[0]!.message).toContain("has no Settings resource");
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });

  it("reports an unknown database blob as undeterminable", async () => {
    const result = await analyzeResource(only(dbPack("prod"), name), settings({ database: UNKNOWN }));
    expect(undeterminable(result, name)).toHaveLength(1);
  });
});

describe("db-07-audit-trail", () => {
  const name = "db-07-audit-trail";
  const group = (retentionInDays: unknown, tags: Record<string, string> = { "log-class": "audit" }) =>
    res(T.logGroup, "logs-app-audit", {
      name: "/golive/dirt-free-crm/prod/app/audit",
      retentionInDays,
      tags,
    });

  it("passes with an audit log group kept a year", async () => {
    expect(violations(await analyzeStack(only(dbPack("prod"), name), [group(365)]), name)).toEqual([]);
  });

  it("fails without an audit log group, or with a short retention", async () => {
    const debug = res(T.logGroup, "logs-app", {
      name: "/golive/app",
      retentionInDays: 30,
      tags: { "log-class": "debug" },
    });
    expect(violations(await analyzeStack(only(dbPack("prod"), name), [debug]), name)[0]!.message).toContain(
      "no audit log group exists",
    );
    expect(
      violations(await analyzeStack(only(dbPack("prod"), name), [group(30)]), name)[0]!.message,
    ).toContain("retained 365 days");
  });

  it("is advisory in staging", async () => {
    const found = violations(await analyzeStack(only(dbPack("staging"), name), []), name);
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });
});

describe("db-08-no-seed-data-in-prod", () => {
  const name = "db-08-no-seed-data-in-prod";

  it("passes for clean prod migrations", async () => {
    expect(violations(await analyzeResource(only(dbPack("prod"), name), project()), name)).toEqual([]);
  });

  it("fails on seed files in the migrations or in golive:database.seedFiles", async () => {
    const seeded = only(
      dbPack("prod", { migrationsDir: "migrations/seed", seedFiles: ["supabase/seed.sql"] }),
      name,
    );
    const text = violations(await analyzeResource(seeded, project()), name)
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain("20251024999999_seed_test_data.sql looks like seed/test data");
    expect(text).toContain("golive:database.seedFiles lists supabase/seed.sql");
  });

  it("does not apply to staging", async () => {
    const seeded = only(dbPack("staging", { migrationsDir: "migrations/seed" }), name);
    const result = await analyzeResource(seeded, project("staging"));
    expect(isNotApplicable(result, name)).toBe(true);
    expect(notices(result, name)).toEqual([]);
  });
});
