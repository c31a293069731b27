/** IAM policy documents shared by the components that make roles (pure; tested without mocks). */

export type PolicyDocument = { Version: "2012-10-17"; Statement: Record<string, unknown>[] };

/** A role `service` may assume, optionally only on behalf of `sourceAccount` (confused deputy). */
export function assumeRolePolicy(service: string, sourceAccount?: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
      },
    ],
  };
}

/** Writing to one log group's streams, and nothing else about logs. */
export function ownLogsStatement(sid: string, logGroupArn: string): Record<string, unknown> {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${logGroupArn}:*`,
  };
}
