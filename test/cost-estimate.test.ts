/**
 * The estimate's pricing rules (lib/cost), resource by resource, with inputs in the shapes the
 * providers take (as the plans record them): alarm kinds, health-check options, invocations from
 * schedules, secrets read per run, log retention, backups through a lifecycle, Fargate runs, NAT,
 * Supabase compute and PITR, the Cloudflare plan, what is not priced, and the budget check.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import { DEFAULT_ASSUMPTIONS, type BillingAssumptions } from "../lib/cost/assumptions";
import { parseCatalogue, priceCatalogue } from "../lib/cost/catalogue";
import { costContextFromConfig } from "../lib/cost/context";
import { estimateCost } from "../lib/cost/estimate";
import type { CostContext, CostEstimate, CostResource } from "../lib/cost/model";
import { editKey, REPO_ROOT, stackConfig } from "./support/stacks";

function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<CostResource> = {},
): CostResource {
  return { urn: `urn:pulumi:prod::app::${type}::${name}`, type, name, component: "", inputs, ...extra };
}

function context(
  assumptions: Partial<BillingAssumptions> = {},
  rest: Partial<CostContext> = {},
): CostContext {
  return {
    region: "us-east-1",
    assumptions: { ...DEFAULT_ASSUMPTIONS, ...assumptions },
    configured: new Set(Object.keys(assumptions) as Array<keyof BillingAssumptions>),
    ...rest,
  };
}

function usdOf(estimate: CostEstimate, name: string): number {
  return estimate.byResource.find((entry) => entry.name === name)?.monthlyUsd ?? 0;
}

function linesOf(estimate: CostEstimate, name: string): string[] {
  return estimate.lines
    .filter((line) => line.name === name)
    .map((line) => `${line.item}: ${line.monthlyUsd}`);
}

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("the catalogue", () => {
  it("is valid, dated and sourced for every price", () => {
    const catalogue = priceCatalogue();
    for (const [id, price] of Object.entries(catalogue.prices)) {
      expect(price.source, id).toMatch(/^https:\/\//);
      expect(price.checked, id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("is documented in docs/cost.md, price by price with its source", () => {
    const docs = readFileSync(path.join(REPO_ROOT, "docs", "cost.md"), "utf8");
    for (const [id, price] of Object.entries(priceCatalogue().prices)) {
      const row = docs.split("\n").find((line) => line.startsWith(`| \`${id}\``));
      expect(row, `docs/cost.md has no row for ${id}`).toBeDefined();
      expect(row).toContain(`$${price.usd} per ${price.unit}`);
      expect(row).toContain(price.source);
    }
  });

  it("refuses a malformed entry, naming it", () => {
    const broken = structuredClone(priceCatalogue()) as unknown as {
      prices: Record<string, { source: string }>;
    };
    broken.prices["aws.kms.key"]!.source = "somewhere";
    expect(() => parseCatalogue(broken)).toThrow(/prices\.aws\.kms\.key\.source/);
  });
});

describe("CloudWatch alarms by kind", () => {
  it("prices standard, high-resolution, metric-math and anomaly alarms, and each custom metric once", () => {
    const estimate = estimateCost(
      [
        resource(ALARM, "lambda-errors", { namespace: "AWS/Lambda", metricName: "Errors", period: 300 }),
        resource(ALARM, "fast", { namespace: "AWS/Lambda", metricName: "Errors", period: 10 }),
        resource(ALARM, "error-rate", {
          metricQueries: [
            { id: "e", expression: "100 * errors / requests", returnData: true },
            {
              id: "errors",
              metric: {
                namespace: "AWS/ApplicationELB",
                metricName: "HTTPCode_Target_5XX_Count",
                period: 60,
                stat: "Sum",
              },
            },
            {
              id: "requests",
              metric: {
                namespace: "AWS/ApplicationELB",
                metricName: "RequestCount",
                period: 60,
                stat: "Sum",
              },
            },
          ],
        }),
        resource(ALARM, "latency-band", {
          metricQueries: [
            {
              id: "m",
              metric: { namespace: "AWS/ApiGateway", metricName: "Latency", period: 300, stat: "p90" },
            },
            { id: "band", expression: "ANOMALY_DETECTION_BAND(m, 2)" },
          ],
          thresholdMetricId: "band",
        }),
        resource(ALARM, "a-cpu", {
          namespace: "golive/database",
          metricName: "CpuBusyPercent",
          dimensions: { ProjectRef: "x" },
          period: 60,
        }),
        resource(ALARM, "b-cpu-again", {
          namespace: "golive/database",
          metricName: "CpuBusyPercent",
          dimensions: { ProjectRef: "x" },
          period: 60,
        }),
        resource("aws:cloudwatch/compositeAlarm:CompositeAlarm", "page", {
          alarmRule: "ALARM(a) AND ALARM(b)",
        }),
      ],
      context(),
    );
    expect(usdOf(estimate, "lambda-errors")).toBe(0.1);
    expect(usdOf(estimate, "fast")).toBe(0.3);
    expect(usdOf(estimate, "error-rate")).toBe(0.2);
    expect(usdOf(estimate, "latency-band")).toBe(0.3);
    expect(usdOf(estimate, "a-cpu")).toBe(0.4);
    expect(usdOf(estimate, "b-cpu-again")).toBe(0.1);
    expect(usdOf(estimate, "page")).toBe(0.5);
    expect(estimate.fixedUsd).toBeCloseTo(1.9, 10);
  });
});

describe("Route 53 health checks with their options", () => {
  it("charges the endpoint kind and each option", () => {
    const checks = [
      resource("aws:route53/healthCheck:HealthCheck", "https-latency", {
        type: "HTTPS",
        fqdn: "app.example.com",
        requestInterval: 30,
        measureLatency: true,
      }),
      resource("aws:route53/healthCheck:HealthCheck", "fast-match", {
        type: "HTTPS_STR_MATCH",
        fqdn: "app.example.com",
        requestInterval: 10,
        searchString: "ok",
      }),
      resource("aws:route53/healthCheck:HealthCheck", "plain", { type: "HTTP", fqdn: "app.example.com" }),
      resource("aws:route53/healthCheck:HealthCheck", "calculated", {
        type: "CALCULATED",
        childHealthchecks: ["a"],
      }),
    ];
    const outside = estimateCost(checks, context());
    expect(usdOf(outside, "https-latency")).toBe(0.75 + 2 + 2);
    expect(usdOf(outside, "fast-match")).toBe(0.75 + 3 * 2);
    expect(usdOf(outside, "plain")).toBe(0.75);
    expect(usdOf(outside, "calculated")).toBe(0.5);
    const onAws = estimateCost(checks, context({ healthCheckEndpoint: "aws" }));
    expect(usdOf(onAws, "https-latency")).toBe(0.5 + 1 + 1);
    expect(onAws.assumptions.find((entry) => entry.key.endsWith("healthCheckEndpoint"))?.source).toBe(
      "config",
    );
  });
});

describe("usage from the stack itself", () => {
  const fn = resource("aws:lambda/function:Function", "invoker", {
    name: "app-prod-cron-invoker",
    memorySize: 256,
    environment: {
      variables: { SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/prod/server-a1b2c3" },
    },
  });
  const everyFive = resource("aws:scheduler/schedule:Schedule", "every-five", {
    scheduleExpression: "cron(0/5 * * * ? *)",
    scheduleExpressionTimezone: "UTC",
    target: { arn: "arn:aws:lambda:us-east-1:123456789012:function:app-prod-cron-invoker" },
  });
  const rule = resource("aws:cloudwatch/eventRule:EventRule", "collector", {
    name: "app-prod-collector",
    scheduleExpression: "rate(1 minute)",
  });
  const target = resource("aws:cloudwatch/eventTarget:EventTarget", "collector-target", {
    rule: "app-prod-collector",
    arn: "arn:aws:lambda:us-east-1:123456789012:function:app-prod-cron-invoker",
  });
  const secret = resource("aws:secretsmanager/secret:Secret", "server", { name: "app/prod/server" });

  it("turns schedules and rules into invocations, GB-seconds and secret reads", () => {
    const estimate = estimateCost([fn, everyFive, rule, target, secret], context({ lambdaDurationMs: 500 }));
    const invocations = 8640 + 43_200;
    const requests = estimate.lines.find((line) => line.name === "invoker" && line.item === "requests")!;
    expect(requests.quantity).toBeCloseTo(invocations / 1e6, 6);
    expect(requests.usage).toContain("51,840 invocations a month");
    const duration = estimate.lines.find(
      (line) => line.name === "invoker" && line.item.startsWith("duration"),
    )!;
    expect(duration.quantity).toBeCloseTo(invocations * 0.5 * 0.25, 3);
    expect(usdOf(estimate, "every-five")).toBeCloseTo(8640 / 1e6, 4);
    const reads = estimate.lines.find((line) => line.name === "server" && line.item === "API calls")!;
    expect(reads.quantity).toBeCloseTo(invocations / 10_000, 6);
    expect(reads.basis).toBe("usage");
    // The EventBridge rule and its target cost nothing themselves.
    expect(usdOf(estimate, "collector")).toBe(0);
    expect(estimate.freeResources).toBe(2);
  });

  it("finds a target unknown until apply (preview) through the schedule's dependencies", () => {
    const previewFn = {
      ...fn,
      inputs: { ...fn.inputs, environment: { variables: { SECRET_ID: "[unknown]" } } },
      dependencies: [secret.urn],
    };
    const previewSchedule = {
      ...everyFive,
      inputs: { ...everyFive.inputs, target: { arn: "[unknown]" } },
      dependencies: [previewFn.urn],
    };
    const estimate = estimateCost([previewFn, previewSchedule, secret], context());
    const requests = estimate.lines.find((line) => line.name === "invoker" && line.item === "requests")!;
    expect(requests.quantity).toBeCloseTo(8640 / 1e6, 8);
    const reads = estimate.lines.find((line) => line.name === "server" && line.item === "API calls")!;
    expect(reads.quantity).toBeCloseTo(8640 / 10_000, 8);
    // Without the dependency the estimate says what it could not count.
    const lost = estimateCost([previewFn, { ...previewSchedule, dependencies: [] }], context());
    expect(lost.notes.join("\n")).toContain(
      "targets not known until apply, so their invocations are not counted: every-five",
    );
  });

  it("keeps logs for their retention, up to the storage horizon", () => {
    const groups = [
      resource("aws:cloudwatch/logGroup:LogGroup", "debug", { name: "/app/prod/app", retentionInDays: 30 }),
      resource("aws:cloudwatch/logGroup:LogGroup", "audit", {
        name: "/app/prod/audit",
        retentionInDays: 2557,
      }),
    ];
    const estimate = estimateCost(
      groups,
      context({ logIngestGbPerMonth: 2, logIngestGbByLogGroup: { "/app/prod/audit": 10 } }),
    );
    expect(linesOf(estimate, "debug")).toEqual(["log ingestion: 1", "log storage: 0.06"]);
    expect(linesOf(estimate, "audit")).toEqual(["log ingestion: 5", "log storage: 3.6"]);
  });

  it("prices a backup bucket's copies through its lifecycle, from the backup schedule", () => {
    const bucket = resource("aws:s3/bucket:Bucket", "backups", { bucket: "app-prod-backups" });
    const lifecycle = resource(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "backups-lifecycle",
      {
        bucket: "backups-id",
        rules: [
          {
            id: "expire",
            status: "Enabled",
            expiration: { days: 90 },
            transitions: [{ days: 30, storageClass: "GLACIER_IR" }],
          },
        ],
      },
      { dependencies: [bucket.urn] },
    );
    const task = resource("aws:ecs/taskDefinition:TaskDefinition", "backup-task", {
      family: "app-prod-backup",
      cpu: "1024",
      memory: "2048",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
    });
    const daily = resource("aws:scheduler/schedule:Schedule", "backup-daily", {
      scheduleExpression: "cron(0 3 * * ? *)",
      target: {
        arn: "arn:aws:ecs:us-east-1:123456789012:cluster/app-prod",
        ecsParameters: {
          taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/app-prod-backup:3",
          launchType: "FARGATE",
        },
      },
    });
    const estimate = estimateCost(
      [bucket, lifecycle, task, daily],
      context({ backupSizeGb: 2, taskRunMinutes: 20 }),
    );
    // 30 backups a month × 2 GB: 30 days in Standard (60 GB), 60 days in Glacier IR (120 GB).
    expect(linesOf(estimate, "backups")).toEqual([
      "PUT requests: 0.0001",
      "lifecycle transitions to Glacier Instant Retrieval: 0.0006",
      "storage (GLACIER_IR, days 30-90): 0.48",
      "storage (STANDARD, days 0-30): 1.38",
    ]);
    // 30 runs × 20 min = 10 h of 1 vCPU and 2 GB on Graviton.
    expect(usdOf(estimate, "backup-task")).toBeCloseTo(10 * 0.03238 + 20 * 0.00356, 4);
    expect(estimate.assumptions.map((entry) => entry.key)).not.toContain(
      "golive:billing.assumptions.backupsPerMonth",
    );
  });

  it("prices the backup network: NAT gateway hours and GB, Elastic IPs; VPC pieces are free", () => {
    const estimate = estimateCost(
      [
        resource("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.40.0.0/16" }),
        resource("aws:ec2/subnet:Subnet", "private", { cidrBlock: "10.40.1.0/24" }),
        resource("aws:ec2/internetGateway:InternetGateway", "igw", {}),
        resource("aws:ec2/routeTable:RouteTable", "private-routes", {}),
        resource("aws:ec2/eip:Eip", "nat-ip", { domain: "vpc" }),
        resource("aws:ec2/natGateway:NatGateway", "nat", { connectivityType: "public" }),
        resource("aws:ecs/cluster:Cluster", "cluster", {}),
        resource("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {
          serviceName: "com.amazonaws.us-east-1.s3",
          vpcEndpointType: "Gateway",
        }),
      ],
      context({ natProcessedGbPerMonth: 10 }),
    );
    expect(usdOf(estimate, "nat")).toBeCloseTo(720 * 0.045 + 10 * 0.045, 4);
    expect(usdOf(estimate, "nat-ip")).toBeCloseTo(3.6, 4);
    expect(estimate.monthlyUsd).toBeCloseTo(32.4 + 0.45 + 3.6, 4);
    expect(estimate.unpriced).toEqual([]);
  });
});

describe("Supabase, Cloudflare and Vercel plans", () => {
  it("prices the plan share, compute size less credits, and PITR", () => {
    const estimate = estimateCost(
      [
        resource("supabase:index/project:Project", "db", { instanceSize: "large", organizationId: "org" }),
        resource("pulumi-nodejs:dynamic/supabase:ManagementSetting", "pitr", {
          path: "/billing/addons",
          method: "PATCH",
          body: JSON.stringify({ addon_type: "pitr", addon_variant: "pitr_7" }),
        }),
        resource("pulumi-nodejs:dynamic/supabase:ManagementSetting", "pooler", {
          path: "/config/database/pooler",
          body: "{}",
        }),
        resource("supabase:index/edgeFunction:EdgeFunction", "push", { slug: "push" }),
        resource("supabase:index/apikey:Apikey", "publishable", { name: "web", type: "publishable" }),
      ],
      context({ supabasePlanShare: 0.5 }),
    );
    expect(linesOf(estimate, "db")).toEqual([
      "Supabase pro plan: 12.5",
      "compute credits of the plan: -5",
      "compute hours (large): 109.224",
    ]);
    expect(usdOf(estimate, "pitr")).toBeCloseTo(0.137 * 720, 4);
    expect(usdOf(estimate, "pooler")).toBe(0);
    expect(usdOf(estimate, "push")).toBe(0);
  });

  it("prices a zone's plan once, in the stack that configures the zone", () => {
    const ruleset = resource("cloudflare:index/ruleset:Ruleset", "waf", {
      zoneId: "z1",
      phase: "http_request_firewall_managed",
    });
    const setting = resource("cloudflare:index/zoneSetting:ZoneSetting", "tls", {
      zoneId: "z1",
      settingId: "min_tls_version",
    });
    const record = resource("cloudflare:index/dnsRecord:DnsRecord", "app", { zoneId: "z1", name: "app" });
    const owner = estimateCost([ruleset, setting, record], context({}, { cloudflarePlan: "pro" }));
    expect(owner.monthlyUsd).toBe(25);
    expect(owner.lines[0]!.name).toBe("zone z1");
    expect(
      estimateCost([ruleset], context({ cloudflareBilling: "annual" }, { cloudflarePlan: "business" }))
        .monthlyUsd,
    ).toBe(200);
    // A stack that only adds a record to another stack's zone does not pay for the zone again.
    expect(estimateCost([record], context({}, { cloudflarePlan: "pro" })).monthlyUsd).toBe(0);
  });

  it("prices the Vercel team once per stack; env vars and domains are free", () => {
    const estimate = estimateCost(
      [
        resource("vercel:index/project:Project", "web", { name: "web" }),
        resource("vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", "url", { key: "URL" }),
        resource("vercel:index/projectDomain:ProjectDomain", "domain", { domain: "app.example.com" }),
      ],
      context({ vercelMembers: 3 }),
    );
    expect(estimate.monthlyUsd).toBe(60);
    expect(estimate.freeResources).toBe(2);
  });
});

describe("what is not priced", () => {
  it("names types without an entry and types the catalogue does not price, never counting them as zero silently", () => {
    const estimate = estimateCost(
      [
        resource("aws:rds/instance:Instance", "legacy-db", { instanceClass: "db.t4g.micro" }),
        resource("aws:ecr/repository:Repository", "images", {}),
        resource("aws:sns/topicSubscription:TopicSubscription", "sms", {
          protocol: "sms",
          endpoint: "+15555550100",
        }),
      ],
      context(),
    );
    expect(estimate.unpriced.map((entry) => [entry.type, entry.kind, entry.resources])).toEqual([
      ["aws:ecr/repository:Repository", "not-priced", ["images"]],
      ["aws:rds/instance:Instance", "unknown", ["legacy-db"]],
      ["aws:sns/topicSubscription:TopicSubscription", "not-priced", ["sms"]],
    ]);
    expect(estimate.monthlyUsd).toBe(0);
  });

  it("notes regions priced at another region's prices", () => {
    const estimate = estimateCost(
      [resource("aws:kms/key:Key", "key", {})],
      context({}, { region: "eu-central-1" }),
    );
    expect(estimate.notes.join("\n")).toContain("eu-central-1 may cost more");
  });
});

describe("golive:billing: assumptions and the budget", () => {
  it("reads assumptions from config, and a bad one is a clear config error", () => {
    const raw = editKey(stackConfig("prod"), "golive:billing", (billing) => {
      billing.assumptions = { logIngestGbPerMonth: 4, supabasePlan: "team" };
    });
    const { context: fromConfig, problem } = costContextFromConfig(raw.values);
    expect(problem).toBeUndefined();
    expect(fromConfig.assumptions.logIngestGbPerMonth).toBe(4);
    expect([...fromConfig.configured].sort()).toEqual(["logIngestGbPerMonth", "supabasePlan"]);
    expect(fromConfig.monthlyBudgetUsd).toBe(300);
    const bad = editKey(stackConfig("prod"), "golive:billing", (billing) => {
      billing.assumptions = { logIngestGbPerMonth: -1 };
    });
    expect(() => parseStackConfig(bad)).toThrow(/golive:billing\.assumptions\.logIngestGbPerMonth/);
    expect(costContextFromConfig(bad.values).problem).toContain(
      "golive:billing.assumptions.logIngestGbPerMonth",
    );
  });

  it("warns above 80% of the monthly budget", () => {
    const key = [resource("aws:kms/key:Key", "key", {})];
    const at = (budget: number) =>
      estimateCost(key, context({ kmsRequestsPerKey: 0 }, { monthlyBudgetUsd: budget })).budget!;
    expect(at(1.25)).toMatchObject({ percent: 80, exceeded: false });
    expect(at(1.2)).toMatchObject({ percent: 83.3, exceeded: true, warnPercent: 80 });
  });
});
