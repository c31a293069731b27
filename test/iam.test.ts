import { describe, expect, it } from "vitest";
import { assumeRolePolicy, ownLogsStatement } from "../lib/iam";

describe("IAM documents", () => {
  it("lets one service assume a role, on behalf of one account when given", () => {
    expect(assumeRolePolicy("lambda.amazonaws.com")).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    expect(assumeRolePolicy("scheduler.amazonaws.com", "123456789012").Statement[0]).toMatchObject({
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
  });

  it("writes to one log group's streams only", () => {
    const arn = "arn:aws:logs:us-east-1:123456789012:log-group:/golive/prod/cron";
    expect(ownLogsStatement("Logs", arn)).toEqual({
      Sid: "Logs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${arn}:*`,
    });
  });
});
