/**
 * Scheduling wiring the components share: the role EventBridge Scheduler assumes, and a Lambda run
 * on an EventBridge rule. Plain functions that declare resources under the caller's component (no
 * component of their own, so resource names and parents are the caller's).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy } from "../lib/iam";

/**
 * The role EventBridge Scheduler assumes to start a run, with its one inline policy (parented to the
 * role). `policy` is the least-privilege document of what the schedules start.
 */
export function schedulerRole(
  name: string,
  account: pulumi.Output<string>,
  policy: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  const role = new aws.iam.Role(
    `${name}-scheduler-role`,
    {
      assumeRolePolicy: account.apply((accountId) =>
        JSON.stringify(assumeRolePolicy("scheduler.amazonaws.com", accountId)),
      ),
    },
    opts,
  );
  new aws.iam.RolePolicy(`${name}-scheduler-policy`, { role: role.id, policy }, { parent: role });
  return role;
}

export interface LambdaSchedule {
  /** The rule's physical name. */
  readonly ruleName: pulumi.Input<string>;
  readonly description: string;
  /** `rate(...)` or `cron(...)`. */
  readonly expression: string;
  /** How long an undelivered run may wait; a stale run is worth nothing, the next one replaces it. */
  readonly maxEventAgeSeconds: number;
}

/**
 * Runs `fn` on an EventBridge rule: no retries of the asynchronous invocation or of the rule's
 * delivery (the next run reports its own period), and the permission for the rule to invoke it.
 */
export function scheduleLambda(
  name: string,
  fn: aws.lambda.Function,
  schedule: LambdaSchedule,
  opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.EventRule {
  new aws.lambda.FunctionEventInvokeConfig(
    `${name}-async`,
    { functionName: fn.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: schedule.maxEventAgeSeconds },
    { parent: fn },
  );
  const rule = new aws.cloudwatch.EventRule(
    `${name}-schedule`,
    {
      name: schedule.ruleName,
      description: schedule.description,
      scheduleExpression: schedule.expression,
      state: "ENABLED",
    },
    opts,
  );
  const permission = new aws.lambda.Permission(
    `${name}-invoked-by-schedule`,
    {
      action: "lambda:InvokeFunction",
      function: fn.name,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    },
    { parent: fn },
  );
  new aws.cloudwatch.EventTarget(
    `${name}-target`,
    {
      rule: rule.name,
      arn: fn.arn,
      retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: schedule.maxEventAgeSeconds },
    },
    { parent: rule, dependsOn: [permission] },
  );
  return rule;
}
