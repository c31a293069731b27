import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { StackIndex } from "../../policies/lib/props";
import { T } from "../../policies/lib/types";

/** Just the fields StackIndex reads; the rest of a PolicyResource is not consulted. */
function resource(
  type: string,
  name: string,
  props: Record<string, unknown>,
  propertyDependencies: Record<string, PolicyResource[]> = {},
): PolicyResource {
  return {
    type,
    name,
    urn: `urn:pulumi:prod::golive::${type}::${name}`,
    props,
    propertyDependencies,
  } as unknown as PolicyResource;
}

describe("StackIndex", () => {
  const critical = resource(T.topic, "critical", {
    arn: "arn:aws:sns:us-east-1:1:critical",
    name: "critical",
  });
  const warning = resource(T.topic, "warning", { arn: "arn:aws:sns:us-east-1:1:warning", name: "warning" });
  const byValue = resource(T.metricAlarm, "by-value", {
    alarmActions: ["arn:aws:sns:us-east-1:1:warning", "arn:aws:sns:us-east-1:1:critical"],
  });
  const byDependency = resource(
    T.metricAlarm,
    "by-dependency",
    { alarmActions: [] },
    { alarmActions: [warning] },
  );
  const elsewhere = resource(T.metricAlarm, "elsewhere", { alarmActions: ["arn:aws:sns:us-east-1:2:other"] });
  const index = new StackIndex([critical, warning, byValue, byDependency, elsewhere]);

  it("finds what a property refers to by dependency first, then by identifier in stack order", () => {
    expect(index.referencedBy(byValue, "alarmActions").map((r) => r.name)).toEqual(["critical", "warning"]);
    expect(index.referencedBy(byDependency, "alarmActions").map((r) => r.name)).toEqual(["warning"]);
    expect(index.referencedBy(elsewhere, "alarmActions")).toEqual([]);
    expect(index.referencedBy(byValue, "alarmActions", [T.queue])).toEqual([]);
  });

  it("answers reverse references, by value and by dependency, without a resource twice", () => {
    expect(index.referencing(warning, "alarmActions", [T.metricAlarm]).map((r) => r.name)).toEqual([
      "by-value",
      "by-dependency",
    ]);
    expect(index.referencing(critical, "alarmActions", [T.metricAlarm]).map((r) => r.name)).toEqual([
      "by-value",
    ]);
    expect(index.referencing(critical, "alarmActions", [T.queue])).toEqual([]);
  });

  it("lists resources of several types in stack order", () => {
    expect(index.ofType(T.metricAlarm, T.topic).map((r) => r.name)).toEqual([
      "critical",
      "warning",
      "by-value",
      "by-dependency",
      "elsewhere",
    ]);
  });

  it("never matches a resource against its own identifiers", () => {
    const self = resource(T.topic, "self", { arn: "arn:x", policy: "arn:x" });
    expect(new StackIndex([self]).referencedBy(self, "policy")).toEqual([]);
  });
});
