import { describe, expect, it } from "vitest";
import { T } from "../../policies/lib/types";
import { analyzeStack, violations } from "./harness";
import { pack, res } from "./fixtures";

const stackResource = res(T.stack, "orders-prod");
const rdsAlarm = (name: string, metricName: string, threshold: number, comparisonOperator: string) =>
  res(T.metricAlarm, name, {
    namespace: "AWS/RDS",
    metricName,
    statistic: "Average",
    threshold,
    comparisonOperator,
    alarmActions: ["arn:aws:sns:eu-west-1:123456789012:alerts"],
  });

describe("scope component: stack-wide presence items do not apply, declared values are still judged", () => {
  it("reports absent alarms, budgets and audit logs in an environment stack only", async () => {
    const presence = ["ALERT-01", "ALERT-02", "ALERT-03", "BILL-01", "BILL-02", "DB-07"];
    const environment = await analyzeStack(pack("prod", { config: { scope: "environment" } }), [
      stackResource,
    ]);
    const found = new Set(
      environment.diagnostics
        .filter((d) => d.enforcementLevel === "mandatory")
        .map((d) => /\[([A-Z]+-\d+)\]/.exec(d.message)?.[1]),
    );
    for (const id of presence) expect(found, id).toContain(id);
    const component = await analyzeStack(pack("prod", { config: { scope: "component" } }), [stackResource]);
    const left = new Set(
      component.diagnostics
        .filter((d) => d.enforcementLevel === "mandatory")
        .map((d) => /\[([A-Z]+-\d+)\]/.exec(d.message)?.[1]),
    );
    for (const id of presence) expect(left, id).not.toContain(id);
  });

  it("still judges what a component stack declares: an RDS CPU alarm at 95%", async () => {
    const alarms = [
      rdsAlarm("cpu", "CPUUtilization", 95, "GreaterThanThreshold"),
      rdsAlarm("connections", "DatabaseConnections", 160, "GreaterThanThreshold"),
      rdsAlarm("memory", "FreeableMemory", 1.6e9, "LessThanThreshold"),
      rdsAlarm("storage", "FreeStorageSpace", 40e9, "LessThanThreshold"),
    ];
    const result = await analyzeStack(pack("prod", { config: { scope: "component" } }), [
      stackResource,
      ...alarms,
    ]);
    const alert04 = violations(result, "alert-04-database-alarms").map((d) => d.message);
    expect(alert04).toHaveLength(1);
    expect(alert04[0]).toContain('no database CPU alarm fires above 70% (found "cpu" at 95)');
    const fixed = [rdsAlarm("cpu", "CPUUtilization", 70, "GreaterThanThreshold"), ...alarms.slice(1)];
    const good = await analyzeStack(pack("prod", { config: { scope: "component" } }), [
      stackResource,
      ...fixed,
    ]);
    expect(violations(good, "alert-04-database-alarms")).toEqual([]);
  });
});
