import { describe, expect, it } from "vitest";
import { scheduleExpressionProblems } from "../../policies/lib/eventbridge";
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

const secretResource = res(T.secret, "app-secrets", { kmsKeyId: UNKNOWN });
const queue = res(T.queue, "cron-dead-letter", {
  name: "dirt-free-crm-prod-cron-dead-letter",
  sqsManagedSseEnabled: true,
});
const invoker = (props: Record<string, unknown> = {}) =>
  res(
    T.lambda,
    "cron-invoker",
    {
      role: UNKNOWN,
      timeout: 60,
      environment: { variables: { CRON_SECRET_ID: UNKNOWN, CRON_SECRET_KEY: "CRON_SECRET" } },
      ...props,
    },
    { propertyDependencies: { environment: [secretResource.urn] } },
  );

function schedule(
  target: Record<string, unknown> = {},
  props: Record<string, unknown> = {},
  name = "reminders",
): TestResource {
  const fn = invoker();
  return res(
    T.schedule,
    `cron-${name}`,
    {
      name,
      scheduleExpression: "cron(0 9 ? * MON-FRI *)",
      scheduleExpressionTimezone: "America/Chicago",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: UNKNOWN,
        roleArn: UNKNOWN,
        input: JSON.stringify({ job: name, url: "https://app.dirtfree.com/api/cron/execute/reminders" }),
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: UNKNOWN },
        ...target,
      },
      ...props,
    },
    { propertyDependencies: { target: [fn.urn, queue.urn] } },
  );
}

const failureAlarm = (job = "reminders", actions: unknown[] = [UNKNOWN]) =>
  res(T.metricAlarm, `alarm-cron-${job}-failed`, {
    namespace: "golive/cron",
    metricName: "Failure",
    dimensions: { Job: job },
    statistic: "Sum",
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    alarmActions: actions,
  });
const depthAlarm = res(T.metricAlarm, "alarm-cron-dead-letter", {
  namespace: "AWS/SQS",
  metricName: "ApproximateNumberOfMessagesVisible",
  dimensions: { QueueName: "dirt-free-crm-prod-cron-dead-letter" },
  statistic: "Maximum",
  threshold: 0,
  comparisonOperator: "GreaterThanThreshold",
  alarmActions: [UNKNOWN],
});

const stack = (
  overrides: Partial<Record<"schedule" | "invoker" | "failure" | "depth", TestResource | null>> = {},
) =>
  [
    secretResource,
    queue,
    overrides.invoker === undefined ? invoker() : overrides.invoker,
    overrides.schedule === undefined ? schedule() : overrides.schedule,
    overrides.failure === undefined ? failureAlarm() : overrides.failure,
    overrides.depth === undefined ? depthAlarm : overrides.depth,
  ].filter((resource): resource is TestResource => resource !== null);

describe("EventBridge expressions", () => {
  it("accepts cron, rate and at", () => {
    expect(scheduleExpressionProblems("cron(0 9 ? * MON-FRI *)")).toEqual([]);
    expect(scheduleExpressionProblems("cron(*/15 2-4 1,15 * ? *)")).toEqual([]);
    expect(scheduleExpressionProblems("cron(0 10 ? * 6L *)")).toEqual([]);
    expect(scheduleExpressionProblems("rate(5 minutes)")).toEqual([]);
    expect(scheduleExpressionProblems("rate(1 day)")).toEqual([]);
    expect(scheduleExpressionProblems("at(2026-03-03T10:00:00)")).toEqual([]);
  });

  it("rejects malformed expressions with a reason", () => {
    expect(scheduleExpressionProblems("0 9 * * 1")[0]).toContain("is not cron(...)");
    expect(scheduleExpressionProblems("cron(0 9 * * MON-FRI)")[0]).toContain("needs 6 fields");
    expect(scheduleExpressionProblems("cron(0 9 * * MON-FRI *)")).toContain(
      "exactly one of day-of-month and day-of-week must be ?",
    );
    expect(scheduleExpressionProblems("cron(61 9 ? * * *)")[0]).toContain("minutes");
    expect(scheduleExpressionProblems("rate(1 minutes)")[0]).toContain("singular");
  });
});

describe("cron-01-valid-schedule", () => {
  const name = "cron-01-valid-schedule";

  it("passes a valid, named schedule with a time zone", async () => {
    expect(violations(await analyzeResource(only(pack("prod"), name), schedule()), name)).toEqual([]);
    expect(violations(await analyzeStack(only(pack("prod"), name), stack()), name)).toEqual([]);
  });

  it("fails a bad expression, a missing or bad zone and no name, mandatory in staging too", async () => {
    const bad = schedule(
      {},
      { scheduleExpression: "cron(0 9 * * 1)", scheduleExpressionTimezone: "Mars/Olympus", name: undefined },
    );
    const found = violations(await analyzeResource(only(pack("staging"), name), bad), name);
    const text = found.map((d) => d.message).join("\n");
    expect(text).toContain("needs 6 fields");
    expect(text).toContain('"Mars/Olympus" is not an IANA time zone');
    expect(text).toContain("has no explicit name");
    expect(found.every((d) => d.enforcementLevel === "mandatory")).toBe(true);
  });

  it("fails two jobs with the same name", async () => {
    const twice = [schedule(), { ...schedule(), urn: schedule().urn + "-copy", name: "cron-reminders-copy" }];
    expect(violations(await analyzeStack(only(pack("prod"), name), twice), name)[0]!.message).toContain(
      "share the name reminders",
    );
  });

  it("fails a job run by a scheduled EventBridge rule (no time zone), mandatory in staging too", async () => {
    const rule = res(T.eventRule, "raw-nightly-report", {
      name: "dirt-free-crm-prod-nightly-report",
      scheduleExpression: "cron(0 3 * * ? *)",
    });
    const found = violations(await analyzeResource(only(pack("staging"), name), rule), name);
    expect(found[0]!.message).toContain("without a time zone");
    expect(found[0]!.enforcementLevel).toBe("mandatory");
  });

  it("passes the metrics collector's own rule and event rules without a schedule", async () => {
    const collector = res(
      T.eventRule,
      "metrics-collector-schedule",
      { name: "dirt-free-crm-prod-metrics-collector", scheduleExpression: "rate(1 minute)" },
      {
        urn: "urn:pulumi:prod::golive::golive:environment:Environment$golive:monitoring:MetricsCollector$aws:cloudwatch/eventRule:EventRule::metrics-collector-schedule",
      },
    );
    expect(violations(await analyzeResource(only(pack("prod"), name), collector), name)).toEqual([]);
    const onEvent = res(T.eventRule, "on-upload", { eventPattern: JSON.stringify({ source: ["aws.s3"] }) });
    expect(violations(await analyzeResource(only(pack("prod"), name), onEvent), name)).toEqual([]);
  });

  it("fails closed on an unknown expression, and reports an unknown name", async () => {
    const unknown = schedule({}, { scheduleExpression: UNKNOWN, name: UNKNOWN });
    const result = await analyzeResource(only(pack("prod"), name), unknown);
    expect(violations(result, name)[0]!.message).toContain("must be known at preview");
    expect(undeterminable(result, name)).toHaveLength(1);
  });
});

describe("cron-02-authenticated-invocation", () => {
  const name = "cron-02-authenticated-invocation";

  it("passes an invoker that reads the secret from Secrets Manager", async () => {
    expect(violations(await analyzeStack(only(pack("prod"), name), stack()), name)).toEqual([]);
    expect(violations(await analyzeResource(only(pack("prod"), name), schedule()), name)).toEqual([]);
  });

  it("fails a secret in the schedule's input and an invoker without the secret store (mandatory in staging)", async () => {
    const leaky = schedule({
      input: JSON.stringify({ headers: { Authorization: "Bearer q8ZrT2vLxN4pW7sK1mB9cF3h" } }),
    });
    const found = violations(await analyzeResource(only(pack("staging"), name), leaky), name);
    expect(found[0]!.message).toContain("carries a bearer credential in its input");
    expect(found[0]!.enforcementLevel).toBe("mandatory");
    const bare = {
      ...invoker({ environment: { variables: { JOB_URL: "https://app.dirtfree.com" } } }),
      propertyDependencies: {},
    };
    const stackFound = violations(
      await analyzeStack(only(pack("prod"), name), stack({ invoker: bare })),
      name,
    );
    expect(stackFound[0]!.message).toContain("is given no secret from Secrets Manager");
  });

  it("fails a schedule whose target is not in the stack, and reports an unknown target", async () => {
    const outside = {
      ...schedule({ arn: "arn:aws:lambda:us-east-1:123456789012:function:other" }),
      propertyDependencies: {},
    };
    expect(violations(await analyzeStack(only(pack("prod"), name), [outside]), name)[0]!.message).toContain(
      "does not invoke a function of this stack",
    );
    const unknown = { ...schedule(), propertyDependencies: {} };
    expect(undeterminable(await analyzeStack(only(pack("prod"), name), [unknown]), name)).toHaveLength(1);
  });
});

describe("cron-03-retries-and-dead-letter", () => {
  const name = "cron-03-retries-and-dead-letter";

  it("passes explicit retries, a dead-letter queue and a timeout", async () => {
    expect(violations(await analyzeResource(only(pack("prod"), name), schedule()), name)).toEqual([]);
    expect(violations(await analyzeStack(only(pack("prod"), name), stack()), name)).toEqual([]);
  });

  it("fails without retries or a dead-letter queue: mandatory in prod, advisory in staging", async () => {
    const bare = schedule({ retryPolicy: undefined, deadLetterConfig: undefined });
    const prod = violations(await analyzeResource(only(pack("prod"), name), bare), name);
    expect(prod.map((d) => d.message).join("\n")).toContain("has no target.retryPolicy");
    expect(prod.map((d) => d.message).join("\n")).toContain("has no dead-letter queue");
    expect(prod[0]!.enforcementLevel).toBe("mandatory");
    const staging = violations(await analyzeResource(only(pack("staging"), name), bare), name);
    expect(staging[0]!.enforcementLevel).toBe("advisory");
    const zero = schedule({ retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } });
    expect(violations(await analyzeResource(only(pack("prod"), name), zero), name)[0]!.message).toContain(
      "retries 0 times",
    );
  });

  it("fails a scheduled EventBridge rule whose target has no retries or dead-letter queue", async () => {
    const rule = res(T.eventRule, "raw-nightly-report", {
      name: "dirt-free-crm-prod-nightly-report",
      scheduleExpression: "rate(1 day)",
    });
    const bare = res(
      T.eventTarget,
      "raw-nightly-report-target",
      { rule: "dirt-free-crm-prod-nightly-report", arn: UNKNOWN },
      { propertyDependencies: { rule: [rule.urn] } },
    );
    const text = violations(await analyzeStack(only(pack("prod"), name), [rule, bare]), name)
      .map((d) => d.message)
      .join("\n");
    expect(text).toContain("has no explicit retries");
    expect(text).toContain("has no dead-letter queue");
    const safe = {
      ...bare,
      props: {
        ...bare.props,
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: UNKNOWN },
      },
    };
    expect(violations(await analyzeStack(only(pack("prod"), name), [rule, safe]), name)).toEqual([]);
  });

  it("fails an invoker without a timeout", async () => {
    const fn = invoker({ timeout: undefined });
    expect(
      violations(await analyzeStack(only(pack("prod"), name), stack({ invoker: fn })), name)[0]!.message,
    ).toContain("has no timeout");
  });
});

describe("cron-04-failure-alarm", () => {
  const name = "cron-04-failure-alarm";

  it("passes with a failure alarm per job and a dead-letter depth alarm", async () => {
    expect(violations(await analyzeStack(only(pack("prod"), name), stack()), name)).toEqual([]);
  });

  it("fails a job without a failure alarm, or whose alarm notifies no one", async () => {
    const missing = violations(
      await analyzeStack(only(pack("prod"), name), stack({ failure: null, depth: null })),
      name,
    );
    expect(missing[0]!.message).toContain("job reminders has no failure alarm");
    const silent = violations(
      await analyzeStack(
        only(pack("prod"), name),
        stack({
          failure: failureAlarm("reminders", []),
          depth: { ...depthAlarm, props: { ...depthAlarm.props, alarmActions: [] } },
        }),
      ),
      name,
    );
    expect(silent[0]!.message).toContain("notifies no one");
    const other = violations(
      await analyzeStack(
        only(pack("staging"), name),
        stack({ failure: failureAlarm("nightly"), depth: null }),
        {
          stack: "staging",
        },
      ),
      name,
    );
    expect(other[0]!.enforcementLevel).toBe("advisory");
  });

  it("fails failure and depth alarms that do not fire on the first failure", async () => {
    const lax = { ...failureAlarm(), props: { ...failureAlarm().props, threshold: 100 } };
    const laxDepth = { ...depthAlarm, props: { ...depthAlarm.props, threshold: 10 } };
    const found = violations(
      await analyzeStack(only(pack("prod"), name), stack({ failure: lax, depth: laxDepth })),
      name,
    );
    expect(found[0]!.message).toContain(
      "the failure alarm of job reminders does not fire on the first failure",
    );
    const below = {
      ...depthAlarm,
      props: { ...depthAlarm.props, comparisonOperator: "LessThanThreshold", threshold: 1 },
    };
    const depth = violations(await analyzeStack(only(pack("prod"), name), stack({ depth: below })), name);
    expect(depth[0]!.message).toContain("depth alarm");
    expect(depth[0]!.message).toContain("does not fire on the first failure");
  });

  it("fails a dead-letter queue without a depth alarm", async () => {
    const found = violations(await analyzeStack(only(pack("prod"), name), stack({ depth: null })), name);
    expect(found[0]!.message).toContain(
      'dead-letter queue "cron-dead-letter" of job reminders has no depth alarm',
    );
  });
});

describe("cron-04: the failure signal catalogue (any metric that counts the job's failures)", () => {
  const name = "cron-04-failure-alarm";
  const run = async (resources: TestResource[]) =>
    violations(await analyzeStack(only(pack("prod"), name), resources), name);
  const alarm = (alarmName: string, props: Record<string, unknown>, extra: Partial<TestResource> = {}) =>
    res(
      T.metricAlarm,
      alarmName,
      { threshold: 0, comparisonOperator: "GreaterThanThreshold", alarmActions: [UNKNOWN], ...props },
      extra,
    );
  const fnUrn = invoker().urn;

  it("accepts an alarm on the target function's AWS/Lambda Errors, by dependency (preview) or by name (up)", async () => {
    const byDependency = alarm(
      "fn-errors",
      { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: UNKNOWN } },
      { propertyDependencies: { dimensions: [fnUrn] } },
    );
    expect(await run(stack({ failure: byDependency }))).toEqual([]);
    const named = { ...invoker(), props: { ...invoker().props, name: "invoice-run-prod" } };
    const byName = alarm("fn-errors", {
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: "invoice-run-prod" },
    });
    expect(await run(stack({ invoker: named, failure: byName }))).toEqual([]);
    // Another function's errors say nothing about this job.
    const other = alarm("other-errors", {
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: "someone-else" },
    });
    expect((await run(stack({ invoker: named, failure: other, depth: null })))[0]!.message).toContain(
      "job reminders has no failure alarm",
    );
  });

  it("accepts the scheduler's own failure counts for the job's schedule group", async () => {
    const scheduler = alarm("dropped", {
      namespace: "AWS/Scheduler",
      metricName: "InvocationDroppedCount",
      dimensions: { ScheduleGroup: "default" },
    });
    expect(await run(stack({ failure: scheduler }))).toEqual([]);
    const otherGroup = alarm("dropped", {
      namespace: "AWS/Scheduler",
      metricName: "TargetErrorCount",
      dimensions: { ScheduleGroup: "billing" },
    });
    expect((await run(stack({ failure: otherGroup, depth: null })))[0]!.message).toContain(
      "no failure alarm",
    );
  });

  it("takes the dead-letter queue's depth alarm as the job's failure alarm", async () => {
    expect(await run(stack({ failure: null }))).toEqual([]);
  });

  it("reads metric math: a sum of failures at > 0 fires on the first failure, an error rate at 5% does not", async () => {
    const math = (expression: string, threshold: number) =>
      alarm(
        "fn-errors-math",
        {
          threshold,
          metricQueries: [
            { id: "e", expression, returnData: true },
            {
              id: "m1",
              metric: {
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions: { FunctionName: UNKNOWN },
                stat: "Sum",
                period: 300,
              },
            },
            {
              id: "m2",
              metric: {
                namespace: "AWS/Lambda",
                metricName: "Invocations",
                dimensions: { FunctionName: UNKNOWN },
                stat: "Sum",
                period: 300,
              },
            },
          ],
        },
        { propertyDependencies: { metricQueries: [fnUrn] } },
      );
    const withoutDepth = async (failure: TestResource) =>
      (await run(stack({ failure, depth: null })))
        .map((found) => found.message)
        .filter((message) => !message.includes("has no depth alarm"));
    expect(await withoutDepth(math("FILL(m1, 0)", 0))).toEqual([]);
    expect((await withoutDepth(math("100 * m1 / m2", 5)))[0]).toContain("does not fire on the first failure");
  });

  it("counts an alarm without actions that a notifying composite alarm names", async () => {
    const silent = alarm("fn-errors", {
      name: "invoice-errors",
      namespace: "golive/cron",
      metricName: "Failure",
      dimensions: { Job: "reminders" },
      alarmActions: [],
    });
    const composite = res(T.compositeAlarm, "jobs", {
      alarmRule: 'ALARM("invoice-errors")',
      alarmActions: [UNKNOWN],
    });
    expect(await run([...stack({ failure: silent }), composite])).toEqual([]);
    const silentDepth = { ...depthAlarm, props: { ...depthAlarm.props, alarmActions: [] } };
    expect((await run(stack({ failure: silent, depth: silentDepth })))[0]!.message).toContain(
      "notifies no one",
    );
  });

  it("checks jobs on EventBridge rules: FailedInvocations of the rule, or the target's errors", async () => {
    const rule = res(T.eventRule, "weekly-report", {
      name: "weekly-report",
      scheduleExpression: "cron(0 7 ? * MON *)",
    });
    const fn = res(T.lambda, "weekly-report", { name: "weekly-report-prod", timeout: 600 });
    const target = res(
      T.eventTarget,
      "weekly-report",
      { rule: "weekly-report", arn: UNKNOWN, retryPolicy: { maximumRetryAttempts: 2 } },
      { propertyDependencies: { rule: [rule.urn], arn: [fn.urn] } },
    );
    const missing = await run([rule, fn, target]);
    expect(missing[0]!.message).toContain("job weekly-report has no failure alarm");
    expect(missing[0]!.message).toContain("AWS/Events FailedInvocations");
    const failed = alarm("rule-failed", {
      namespace: "AWS/Events",
      metricName: "FailedInvocations",
      dimensions: { RuleName: "weekly-report" },
    });
    expect(await run([rule, fn, target, failed])).toEqual([]);
    const errors = alarm("fn-errors", {
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: "weekly-report-prod" },
    });
    expect(await run([rule, fn, target, errors])).toEqual([]);
  });

  it("accepts a state machine target's ExecutionsFailed", async () => {
    const machineArn = "arn:aws:states:eu-central-1:111122223333:stateMachine:nightly";
    const machine = res("aws:sfn/stateMachine:StateMachine", "nightly", { arn: machineArn });
    const sched = res(
      T.schedule,
      "nightly",
      { name: "nightly", target: { arn: machineArn, roleArn: UNKNOWN } },
      { propertyDependencies: { target: [machine.urn] } },
    );
    const failed = alarm("nightly-failed", {
      namespace: "AWS/States",
      metricName: "ExecutionsFailed",
      dimensions: { StateMachineArn: machineArn },
    });
    expect(await run([machine, sched, failed])).toEqual([]);
    expect((await run([machine, sched]))[0]!.message).toContain("AWS/States ExecutionsFailed");
  });
});
