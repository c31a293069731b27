import { describe, expect, it } from "vitest";
import { T } from "../../policies/lib/types";
import {
  analyzeResource,
  analyzeStack,
  undeterminable,
  UNKNOWN,
  violations,
  type TestResource,
} from "./harness";
import { only, pack, res } from "./fixtures";

const usEast1 = { type: T.awsProvider, name: "us-east-1", props: { region: "us-east-1" } };
const healthCheck = res(T.healthCheck, "uptime-health", {
  type: "HTTPS",
  fqdn: "app.dirtfree.com",
  port: 443,
  resourcePath: "/api/health",
  failureThreshold: 3,
});

const alarm = (name: string, props: Record<string, unknown>, extra: Partial<TestResource> = {}) =>
  res(
    T.metricAlarm,
    name,
    { alarmActions: [UNKNOWN], okActions: [UNKNOWN], actionsEnabled: true, ...props },
    extra,
  );

const uptimeAlarm = alarm(
  "alarm-uptime",
  {
    namespace: "AWS/Route53",
    metricName: "HealthCheckPercentageHealthy",
    dimensions: { HealthCheckId: UNKNOWN },
    statistic: "Average",
    threshold: 99.9,
    comparisonOperator: "LessThanThreshold",
  },
  { propertyDependencies: { dimensions: [healthCheck.urn] }, provider: usEast1 },
);
const latency = alarm("alarm-latency", {
  namespace: "golive/app",
  metricName: "EdgeTimeToFirstByteP95",
  statistic: "Maximum",
  threshold: 2000,
  unit: "Milliseconds",
  comparisonOperator: "GreaterThanThreshold",
});
const errorRate = alarm("alarm-error-rate", {
  threshold: 1,
  comparisonOperator: "GreaterThanThreshold",
  metricQueries: [
    { id: "rate", expression: "100 * errors / requests", returnData: true },
    { id: "errors", metric: { namespace: "golive/app", metricName: "Errors5xx", period: 300, stat: "Sum" } },
    { id: "requests", metric: { namespace: "golive/app", metricName: "Requests", period: 300, stat: "Sum" } },
  ],
});
const dbAlarm = (metricName: string, threshold: number) =>
  alarm(`alarm-db-${metricName}`, {
    namespace: "golive/database",
    metricName,
    statistic: "Maximum",
    threshold,
    comparisonOperator: "GreaterThanThreshold",
  });
const project = res(T.supabaseProject, "db", {});

describe("alert-01-uptime-check", () => {
  const name = "alert-01-uptime-check";

  it("passes an HTTPS health check with an alarm below 99.9%", async () => {
    expect(violations(await analyzeResource(only(pack("prod"), name), healthCheck), name)).toEqual([]);
    expect(
      violations(await analyzeStack(only(pack("prod"), name), [healthCheck, uptimeAlarm]), name),
    ).toEqual([]);
  });

  it("fails without an uptime alarm (mandatory in prod, advisory in staging)", async () => {
    const prod = violations(await analyzeStack(only(pack("prod"), name), [healthCheck]), name);
    expect(prod[0]!.message).toContain("no alarm fires when the health check is healthy less than 99.9%");
    expect(prod[0]!.enforcementLevel).toBe("mandatory");
    const staging = violations(
      await analyzeStack(only(pack("staging"), name), [], { stack: "staging" }),
      name,
    );
    expect(staging[0]!.message).toContain("no uptime check probes the health endpoint /api/health");
    expect(staging[0]!.enforcementLevel).toBe("advisory");
  });

  it("fails a disabled or inverted health check, which never reports the app down", async () => {
    for (const flag of ["disabled", "invertHealthcheck"]) {
      const off = { ...healthCheck, props: { ...healthCheck.props, [flag]: true } };
      expect(violations(await analyzeResource(only(pack("prod"), name), off), name)[0]!.message).toContain(
        `${flag}: true`,
      );
      expect(
        violations(await analyzeStack(only(pack("prod"), name), [off, uptimeAlarm]), name)[0]!.message,
      ).toContain("no uptime check probes the health endpoint");
    }
  });

  it("fails a loose target, an HTTP check and an alarm outside us-east-1", async () => {
    const loose = { ...uptimeAlarm, props: { ...uptimeAlarm.props, threshold: 95 } };
    expect(violations(await analyzeStack(only(pack("prod"), name), [healthCheck, loose]), name)).toHaveLength(
      1,
    );
    const http = { ...healthCheck, props: { ...healthCheck.props, type: "HTTP" } };
    expect(violations(await analyzeResource(only(pack("prod"), name), http), name)[0]!.message).toContain(
      "over HTTPS",
    );
    const elsewhere = { ...uptimeAlarm, provider: { ...usEast1, props: { region: "eu-west-1" } } };
    expect(
      violations(await analyzeStack(only(pack("prod"), name), [healthCheck, elsewhere]), name)[0]!.message,
    ).toContain("only in us-east-1");
  });

  it("passes burn-rate window alarms for the objective when a notifying composite names them", async () => {
    const window = (key: string, objective: number, deps = [healthCheck.urn], checkId: unknown = UNKNOWN) =>
      res(
        T.metricAlarm,
        `alarm-${key}`,
        {
          name: `app-prod-${key}`,
          threshold: 14.4,
          comparisonOperator: "GreaterThanThreshold",
          metricQueries: [
            {
              id: "healthy",
              metric: {
                namespace: "AWS/Route53",
                metricName: "HealthCheckPercentageHealthy",
                dimensions: { HealthCheckId: checkId },
                period: 3600,
                stat: "Average",
              },
            },
            {
              id: "burn",
              expression: `(100 - healthy) / ${Math.round((100 - objective) * 1e6) / 1e6}`,
              returnData: true,
            },
          ],
        },
        { propertyDependencies: { metricQueries: deps }, provider: usEast1 },
      );
    const composite = (names: string[]) =>
      res(
        T.compositeAlarm,
        "alarm-fast-burn",
        {
          alarmName: "app-prod-fast-burn",
          alarmRule: names.map((n) => `ALARM("${n}")`).join(" AND "),
          alarmActions: [UNKNOWN],
          actionsEnabled: true,
        },
        { provider: usEast1 },
      );
    const long = window("fast-burn-1h", 99.9);
    const short = window("fast-burn-5m", 99.9);
    const run = async (resources: TestResource[]) =>
      violations(await analyzeStack(only(pack("prod"), name), [healthCheck, ...resources]), name);
    expect(await run([long, short, composite(["app-prod-fast-burn-1h", "app-prod-fast-burn-5m"])])).toEqual(
      [],
    );
    // A looser objective, no composite, or a window on another check do not count.
    expect(await run([window("loose", 99), composite(["app-prod-loose"])])).toHaveLength(1);
    expect(await run([long, short])).toHaveLength(1);
    expect(
      await run([window("other", 99.9, [], "0a1b2c3d-other-check"), composite(["app-prod-other"])]),
    ).toHaveLength(1);
  });

  it("reports an unknown check type as undeterminable", async () => {
    const unknown = { ...healthCheck, props: { ...healthCheck.props, type: UNKNOWN } };
    expect(undeterminable(await analyzeResource(only(pack("prod"), name), unknown), name)).toHaveLength(1);
  });
});

describe("alert-02-latency-alarm", () => {
  const name = "alert-02-latency-alarm";

  it("passes a p95 alarm at 2 s and honours a stricter configured threshold", async () => {
    expect(violations(await analyzeStack(only(pack("prod"), name), [latency]), name)).toEqual([]);
    const config = { [name]: { p95ThresholdMs: 200 } };
    expect(
      violations(await analyzeStack(only(pack("prod"), name), [latency], { config }), name)[0]!.message,
    ).toContain("no p95 latency alarm fires at 200 ms or less");
  });

  it("reads a load balancer's response time in seconds, as AWS publishes it", async () => {
    const albAlarm = (threshold: number, unit?: string) =>
      alarm("alb-latency", {
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        extendedStatistic: "p95",
        threshold,
        comparisonOperator: "GreaterThanThreshold",
        ...(unit ? { unit } : {}),
      });
    // 2000 seconds is not 2 s, whatever the number looks like.
    expect(violations(await analyzeStack(only(pack("prod"), name), [albAlarm(2000)]), name)).toHaveLength(1);
    expect(violations(await analyzeStack(only(pack("prod"), name), [albAlarm(2)]), name)).toEqual([]);
    expect(
      violations(await analyzeStack(only(pack("prod"), name), [albAlarm(2000, "Milliseconds")]), name),
    ).toEqual([]);
  });

  it("refuses a p95 of Route 53's checker latency, which has Average, Minimum and Maximum only", async () => {
    const route53 = alarm("alarm-route53-p95", {
      namespace: "AWS/Route53",
      metricName: "TimeToFirstByte",
      extendedStatistic: "p95",
      threshold: 2000,
      comparisonOperator: "GreaterThanThreshold",
    });
    const found = violations(await analyzeStack(only(pack("prod"), name), [route53]), name);
    expect(found.map((v) => v.message).join("\n")).toContain("stays INSUFFICIENT_DATA and never fires");
    expect(found.map((v) => v.message).join("\n")).toContain("no alarm watches p95 latency");
    const viaMath = alarm("alarm-route53-math", {
      threshold: 2000,
      comparisonOperator: "GreaterThanThreshold",
      metricQueries: [
        {
          id: "ttfb",
          returnData: true,
          metric: { namespace: "AWS/Route53", metricName: "TimeToFirstByte", period: 300, stat: "p95" },
        },
      ],
    });
    expect(
      violations(await analyzeStack(only(pack("prod"), name), [viaMath, latency]), name)[0]!.message,
    ).toContain("stays INSUFFICIENT_DATA");
    // Next to a working alarm it is still named: it can never fire.
    expect(violations(await analyzeStack(only(pack("prod"), name), [route53, latency]), name)).toHaveLength(
      1,
    );
  });

  it("fails without a p95 alarm (advisory in staging)", async () => {
    const average = {
      ...latency,
      props: { ...latency.props, metricName: "EdgeTimeToFirstByte", statistic: "Average" },
    };
    const found = violations(
      await analyzeStack(only(pack("staging"), name), [average], { stack: "staging" }),
      name,
    );
    expect(found[0]!.message).toContain("no alarm watches p95 latency");
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });
});

describe("alert-03-error-rate-alarm", () => {
  const name = "alert-03-error-rate-alarm";

  it("passes a metric math error rate at 1%", async () => {
    expect(violations(await analyzeStack(only(pack("prod"), name), [errorRate]), name)).toEqual([]);
  });

  it("reads a percent metric's threshold as percent (0.1 is 0.1%)", async () => {
    const strict = alarm("alarm-error-rate", {
      namespace: "golive/app",
      metricName: "ErrorRatePercent",
      statistic: "Average",
      threshold: 0.1,
      comparisonOperator: "GreaterThanThreshold",
    });
    expect(violations(await analyzeStack(only(pack("prod"), name), [strict]), name)).toEqual([]);
    const loose = { ...strict, props: { ...strict.props, threshold: 2 } };
    expect(violations(await analyzeStack(only(pack("prod"), name), [loose]), name)).toHaveLength(1);
  });

  it("fails an error count alarm (not a rate) and a loose rate", async () => {
    const count = alarm("alarm-errors", {
      namespace: "AWS/Lambda",
      metricName: "Errors",
      statistic: "Sum",
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
    });
    expect(violations(await analyzeStack(only(pack("prod"), name), [count]), name)[0]!.message).toContain(
      "no alarm watches the error rate",
    );
    const loose = { ...errorRate, props: { ...errorRate.props, threshold: 5 } };
    expect(violations(await analyzeStack(only(pack("prod"), name), [loose]), name)[0]!.message).toContain(
      "at 1% or less",
    );
  });
});

describe("alert-04-database-alarms", () => {
  const name = "alert-04-database-alarms";
  const all = [
    project,
    dbAlarm("ConnectionsUsedPercent", 80),
    dbAlarm("DiskUsedPercent", 80),
    dbAlarm("CpuPercent", 70),
    dbAlarm("MemoryUsedPercent", 0.8),
  ];

  it("passes the four alarms at the checklist's thresholds", async () => {
    expect(violations(await analyzeStack(only(pack("prod"), name), all), name)).toEqual([]);
  });

  it("fails a missing or loose alarm", async () => {
    const found = violations(
      await analyzeStack(only(pack("prod"), name), [project, dbAlarm("CpuPercent", 90)]),
      name,
    );
    const text = found.map((d) => d.message).join("\n");
    expect(text).toContain("no database connections alarm");
    expect(text).toContain("no database CPU alarm fires above 70%");
  });

  it("does not apply without a database", async () => {
    expect(violations(await analyzeStack(only(pack("prod"), name), []), name)).toEqual([]);
  });
});

describe("alert-05-alarm-actions-routed", () => {
  const name = "alert-05-alarm-actions-routed";
  const critical = res(T.topic, "alerts-critical", {
    name: "dirt-free-crm-prod-alerts-critical",
    kmsMasterKeyId: UNKNOWN,
  });
  const warning = res(T.topic, "alerts-warning", {
    name: "dirt-free-crm-prod-alerts-warning",
    kmsMasterKeyId: UNKNOWN,
  });
  const sub = (topic: TestResource & { urn: string }, protocol: string, endpoint: string) =>
    res(
      T.topicSubscription,
      `${topic.name}-${protocol}`,
      { topic: UNKNOWN, protocol, endpoint },
      {
        propertyDependencies: { topic: [topic.urn] },
      },
    );
  const slack = res(
    T.slackChannel,
    "alerts-slack",
    { snsTopicArns: [UNKNOWN, UNKNOWN] },
    {
      propertyDependencies: { snsTopicArns: [critical.urn, warning.urn] },
    },
  );
  const routed = [
    critical,
    warning,
    sub(critical, "email", "oncall@dirtfree.com"),
    sub(critical, "https", "https://events.pagerduty.com/integration/abc/enqueue"),
    sub(warning, "email", "dev@dirtfree.com"),
    slack,
    { ...latency, propertyDependencies: { alarmActions: [critical.urn] } },
  ];

  it("passes routed severities", async () => {
    expect(violations(await analyzeStack(only(pack("prod"), name), routed), name)).toEqual([]);
    expect(violations(await analyzeResource(only(pack("prod"), name), latency), name)).toEqual([]);
  });

  it("fails an alarm without actions, unless a notifying composite alarm names it", async () => {
    const silent = alarm("alarm-silent", { name: "app-prod-silent", alarmActions: [] });
    expect(
      violations(await analyzeStack(only(pack("prod"), name), [...routed, silent]), name)[0]!.message,
    ).toContain("no alarmActions");
    const composite = res(
      T.compositeAlarm,
      "alarm-composite",
      { alarmName: "app-prod-down", alarmRule: 'ALARM("app-prod-silent")', alarmActions: [UNKNOWN] },
      { propertyDependencies: { alarmActions: [critical.urn] } },
    );
    expect(
      violations(await analyzeStack(only(pack("prod"), name), [...routed, silent, composite]), name),
    ).toEqual([]);
  });

  it("fails a composite alarm with its actions disabled or without actions", async () => {
    const composite = (props: Record<string, unknown>) =>
      res(T.compositeAlarm, "raw-composite", { alarmName: "app-down", alarmRule: "ALARM(a)", ...props });
    const disabled = composite({ actionsEnabled: false, alarmActions: [UNKNOWN] });
    expect(violations(await analyzeResource(only(pack("prod"), name), disabled), name)[0]!.message).toContain(
      "has its actions disabled",
    );
    expect(
      violations(await analyzeResource(only(pack("prod"), name), composite({})), name)[0]!.message,
    ).toContain("no alarmActions");
    const outside = composite({ alarmActions: ["arn:aws:sns:us-east-1:123456789012:elsewhere"] });
    expect(
      violations(await analyzeStack(only(pack("prod"), name), [...routed, outside]), name)[0]!.message,
    ).toContain("not a topic of this stack");
    const routedComposite = {
      ...composite({ alarmActions: [UNKNOWN] }),
      propertyDependencies: { alarmActions: [critical.urn] },
    };
    expect(violations(await analyzeResource(only(pack("prod"), name), routedComposite), name)).toEqual([]);
  });

  it("fails a critical topic without a pager and a topic without subscriptions", async () => {
    const noPager = routed.filter((r) => !r.name.endsWith("-https"));
    const found = violations(await analyzeStack(only(pack("prod"), name), noPager), name);
    expect(found[0]!.message).toContain('critical topic "alerts-critical" does not reach pager');
    const bare = violations(
      await analyzeStack(only(pack("staging"), name), [critical, warning], { stack: "staging" }),
      name,
    );
    expect(bare.map((d) => d.message).join("\n")).toContain("has no subscription");
    expect(bare[0]!.enforcementLevel).toBe("advisory");
  });

  it("fails an alarm that notifies a topic outside the stack", async () => {
    const outside = alarm("alarm-outside", {
      alarmActions: ["arn:aws:sns:us-east-1:123456789012:elsewhere"],
    });
    expect(
      violations(await analyzeStack(only(pack("prod"), name), [...routed, outside]), name)[0]!.message,
    ).toContain("not a topic of this stack");
  });

  it("reports unknown actions as undeterminable", async () => {
    const unknown = alarm("alarm-unknown", { alarmActions: UNKNOWN });
    expect(undeterminable(await analyzeResource(only(pack("prod"), name), unknown), name)).toHaveLength(1);
  });
});

describe("alert-06-topics-encrypted", () => {
  const name = "alert-06-topics-encrypted";

  it("passes a topic with a key and fails one without (advisory in staging)", async () => {
    expect(
      violations(
        await analyzeResource(only(pack("prod"), name), res(T.topic, "t", { kmsMasterKeyId: UNKNOWN })),
        name,
      ),
    ).toEqual([]);
    expect(
      violations(await analyzeResource(only(pack("prod"), name), res(T.topic, "t", {})), name)[0]!
        .enforcementLevel,
    ).toBe("mandatory");
    expect(
      violations(await analyzeResource(only(pack("staging"), name), res(T.topic, "t", {})), name)[0]!
        .enforcementLevel,
    ).toBe("advisory");
  });

  it("fails a topic encrypted with the AWS-managed key, which alarms cannot publish to", async () => {
    for (const key of ["alias/aws/sns", "arn:aws:kms:us-east-1:123456789012:alias/aws/sns"]) {
      const managed = res(T.topic, "t", { kmsMasterKeyId: key });
      expect(
        violations(await analyzeResource(only(pack("prod"), name), managed), name)[0]!.message,
      ).toContain("alias/aws/sns");
    }
  });
});

describe("alert-07-log-retention", () => {
  const name = "alert-07-log-retention";
  const group = (groupName: string, retentionInDays: unknown, logClass = "debug") =>
    res(T.logGroup, `logs-${groupName.replace(/\W+/g, "-")}`, {
      name: groupName,
      retentionInDays,
      tags: { "log-class": logClass },
    });

  it("passes 30 days for debug and 365 for audit", async () => {
    expect(
      violations(await analyzeResource(only(pack("prod"), name), group("/aws/lambda/x", 30)), name),
    ).toEqual([]);
    expect(
      violations(
        await analyzeResource(only(pack("prod"), name), group("/golive/app/audit", 365, "audit")),
        name,
      ),
    ).toEqual([]);
  });

  it("fails no retention, long debug and short audit retention", async () => {
    const policies = only(pack("prod"), name);
    expect(
      violations(await analyzeResource(policies, group("/aws/lambda/x", undefined)), name)[0]!.message,
    ).toContain("keeps logs forever");
    expect(
      violations(await analyzeResource(policies, group("/aws/lambda/x", 90)), name)[0]!.message,
    ).toContain("at most 30");
    expect(
      violations(await analyzeResource(policies, group("/golive/app/audit", 30, "audit")), name)[0]!.message,
    ).toContain("keep 365");
  });

  it("fails a Lambda without its log group (advisory in staging)", async () => {
    const fn = res(T.lambda, "cron-invoker", { name: "dirt-free-crm-prod-cron-invoker", role: "r" });
    const withGroup = [fn, group("/aws/lambda/dirt-free-crm-prod-cron-invoker", 30)];
    expect(violations(await analyzeStack(only(pack("prod"), name), withGroup), name)).toEqual([]);
    const found = violations(
      await analyzeStack(only(pack("staging"), name), [fn], { stack: "staging" }),
      name,
    );
    expect(found[0]!.message).toContain("logs never expire");
    expect(found[0]!.enforcementLevel).toBe("advisory");
  });

  it("reports an unknown retention as undeterminable", async () => {
    expect(
      undeterminable(await analyzeResource(only(pack("prod"), name), group("/x", UNKNOWN)), name),
    ).toHaveLength(1);
  });
});
