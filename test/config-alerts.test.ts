import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../config/load";
import { alertsSchema, urlSecretNames } from "../config/schema/alerts";
import { PLACEHOLDER_MARK } from "../tooling/stack-files";
import { problemAt, problemsOf } from "./support/config-problems";
import { editKey, stackConfig } from "./support/stacks";

type Json = Record<string, unknown>;
const obj = (value: unknown) => value as Json;

describe("the committed stacks' alerts sections", () => {
  it("prod: 99.9% uptime, p95 2 s, PagerDuty through a provided secret", () => {
    const config = parseStackConfig(stackConfig("prod"));
    expect(config.alerts.uptime.targetPercent).toBe(99.9);
    expect(config.alerts.latency.p95Seconds).toBe(2);
    expect(config.alerts.pagerDuty?.integrationUrlSecret).toBe("PAGERDUTY_CLOUDWATCH_URL");
  });

  it("offline plans fill the PagerDuty URL with an https placeholder that cannot resolve", () => {
    const url = parseStackConfig(stackConfig("prod")).providedSecrets.PAGERDUTY_CLOUDWATCH_URL;
    expect(url).toMatch(/^https:\/\//);
    expect(url).toContain(PLACEHOLDER_MARK);
    expect(new URL(url!).hostname.endsWith(".invalid")).toBe(true);
    expect(urlSecretNames({ pagerDuty: { integrationUrlSecret: "X_URL" } })).toEqual(["X_URL"]);
    expect(urlSecretNames("not an object")).toEqual([]);
  });

  it("staging needs no pager", () => {
    expect(parseStackConfig(stackConfig("staging")).alerts.pagerDuty).toBeUndefined();
  });

  it("defaults follow the seeds: 99.9% uptime, p95 2 s, 30/365 days of logs", () => {
    const alerts = alertsSchema.parse({});
    expect(alerts.uptime.targetPercent).toBe(99.9);
    expect(alerts.latency.p95Seconds).toBe(2);
    expect(alerts.logs.debugRetentionDays).toBe(30);
    expect(alerts.logs.auditRetentionDays).toBe(365);
  });
});

describe("bad alerts config", () => {
  it("prod without PagerDuty or Slack", () => {
    const raw = editKey(stackConfig("prod"), "golive:alerts", (alerts) => {
      delete alerts.pagerDuty;
      delete alerts.slack;
    });
    const problems = problemsOf(raw);
    expect(problemAt(problems, "golive:alerts.pagerDuty").message).toContain("must page");
    expect(problemAt(problems, "golive:alerts.slack").message).toContain("ALERT-05");
  });

  it("prod with no critical email", () => {
    const raw = editKey(stackConfig("prod"), "golive:alerts", (alerts) => {
      obj(alerts.email).critical = [];
    });
    expect(problemAt(problemsOf(raw), "golive:alerts.email.critical").message).toContain("email");
  });

  it("a PagerDuty secret that is not declared, or whose value is not an https URL (never shown)", () => {
    const undeclared = editKey(stackConfig("prod"), "golive:alerts", (alerts) => {
      obj(alerts.pagerDuty).integrationUrlSecret = "PAGER_URL";
    });
    expect(
      problemAt(problemsOf(undeclared), "golive:alerts.pagerDuty.integrationUrlSecret").message,
    ).toContain("not declared in golive:secrets.provided");

    const raw = stackConfig("prod");
    const provided = JSON.parse(raw.values["golive:providedSecrets"]!) as Record<string, string>;
    provided.PAGERDUTY_CLOUDWATCH_URL = "http://events.pagerduty.com/integration/abc123secretkey/enqueue";
    const plainHttp = {
      ...raw,
      values: { ...raw.values, "golive:providedSecrets": JSON.stringify(provided) },
    };
    const problem = problemAt(problemsOf(plainHttp), "golive:providedSecrets.PAGERDUTY_CLOUDWATCH_URL");
    expect(problem.message).toContain("https://");
    expect(problem.message).not.toContain("abc123secretkey");
    expect(problem.fix).toContain("--secret");
  });

  it("a log retention CloudWatch does not accept", () => {
    const raw = editKey(stackConfig("prod"), "golive:alerts", (alerts) => {
      obj(alerts.logs).debugRetentionDays = 45;
    });
    expect(problemAt(problemsOf(raw), "golive:alerts.logs.debugRetentionDays").message).toContain(
      "1, 3, 5, 7, 14, 30",
    );
  });

  it("audit logs kept less than a year in prod, but allowed in staging", () => {
    const shorter = (alerts: Record<string, unknown>) => {
      obj(alerts.logs).auditRetentionDays = 180;
    };
    const problem = problemAt(
      problemsOf(editKey(stackConfig("prod"), "golive:alerts", shorter)),
      "golive:alerts.logs.auditRetentionDays",
    );
    expect(problem.message).toContain("ALERT-07");
    expect(
      parseStackConfig(editKey(stackConfig("staging"), "golive:alerts", shorter)).alerts.logs
        .auditRetentionDays,
    ).toBe(180);
  });

  it("a Slack channel given by name instead of id", () => {
    const raw = editKey(stackConfig("prod"), "golive:alerts", (alerts) => {
      obj(alerts.slack).channelId = "#production-alerts";
    });
    expect(problemAt(problemsOf(raw), "golive:alerts.slack.channelId").message).toContain("not #name");
  });

  it("an uptime target of 100%", () => {
    const raw = editKey(stackConfig("staging"), "golive:alerts", (alerts) => {
      obj(alerts.uptime).targetPercent = 100;
    });
    expect(problemAt(problemsOf(raw), "golive:alerts.uptime.targetPercent").message).toContain("below 100");
  });
});
