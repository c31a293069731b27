import { describe, expect, it } from "vitest";
import { decideScope, parseScope, withScopeSchema } from "../../policies/lib/scope";
import { T } from "../../policies/lib/types";
import { analyzeStack, notices, violations } from "./harness";
import { only, pack, res } from "./fixtures";

const BUDGET = "bill-01-monthly-budget";
const AUDIT = "db-07-audit-trail";
const stack = res(T.stack, "payments-prod");
const environment = res(T.environment, "prod", {}, { parent: stack.urn });
const bucket = res(T.bucket, "uploads", { bucket: "uploads" });

describe("scope: stack-wide presence checks", () => {
  it("in component scope (the default without golive's environment component or golive:app) a missing budget is a notice", async () => {
    const result = await analyzeStack(only(pack("prod", { withoutDefaults: true }), BUDGET), [stack, bucket]);
    expect(violations(result, BUDGET)).toEqual([]);
    const [notice] = notices(result, BUDGET);
    expect(notice!.message).toContain("no monthly cost budget exists");
    expect(notice!.message).toContain("no golive:environment:Environment component and no golive:app");
    expect(notice!.enforcementLevel).toBe("advisory");
  });

  it("with golive's environment component the stack is an environment and a missing budget blocks", async () => {
    const policies = only(pack("prod", { withoutDefaults: true }), BUDGET);
    const result = await analyzeStack(policies, [stack, environment, bucket]);
    expect(violations(result, BUDGET)[0]!.message).toContain("no monthly cost budget exists");
    expect(violations(result, BUDGET)[0]!.enforcementLevel).toBe("mandatory");
  });

  it("the pack config scope decides, over golive:scope and GOLIVE_SCOPE", async () => {
    const asEnvironment = { [AUDIT]: { scope: "environment" } };
    const policies = only(
      pack("prod", { config: { scope: "component" }, extraEnv: { GOLIVE_SCOPE: "component" } }),
      AUDIT,
    );
    const told = await analyzeStack(policies, [stack, bucket], { config: asEnvironment });
    expect(violations(told, AUDIT)[0]!.message).toContain("no audit log group exists");
    const byStack = await analyzeStack(policies, [stack, environment, bucket]);
    expect(violations(byStack, AUDIT)).toEqual([]);
    expect(notices(byStack, AUDIT)[0]!.message).toContain("golive:scope says this stack holds one part");
  });

  it("GOLIVE_SCOPE applies when neither pack nor stack config says", async () => {
    const policies = only(
      pack("prod", { withoutDefaults: true, extraEnv: { GOLIVE_SCOPE: "environment" } }),
      AUDIT,
    );
    const result = await analyzeStack(policies, [stack, bucket]);
    expect(violations(result, AUDIT)[0]!.message).toContain("no audit log group exists");
  });

  it("checks what is present whatever the scope: a budget above the declared amount still fails", async () => {
    const budget = res(T.budget, "monthly", { timeUnit: "MONTHLY", limitAmount: "5000", budgetType: "COST" });
    const policies = only(pack("prod", { config: { billing: { monthlyBudgetUsd: 500 } } }), BUDGET);
    const result = await analyzeStack(policies, [stack, budget]);
    expect(
      violations(result, BUDGET)
        .map((v) => v.message)
        .join("\n"),
    ).toContain("at or below the declared");
  });
});

describe("lib/scope", () => {
  it("parses the two scopes and nothing else", () => {
    expect(parseScope(" Component ")).toBe("component");
    expect(parseScope("environment")).toBe("environment");
    expect(parseScope("stack")).toBeUndefined();
    expect(parseScope(3)).toBeUndefined();
  });

  it("adds scope to every policy's config schema, keeping its own properties", () => {
    const schema = withScopeSchema({ properties: { limit: { type: "number" } } });
    expect(Object.keys(schema.properties)).toEqual(["limit", "scope"]);
  });

  it("decides environment for a root environment component and component otherwise", () => {
    const ctx = { config: new Map<string, unknown>(), scopeFromEnv: undefined };
    expect(decideScope([{ type: T.environment, parent: undefined }], ctx, {}).scope).toBe("environment");
    expect(decideScope([{ type: T.bucket, parent: undefined }], ctx, {}).scope).toBe("component");
    const golive = {
      config: new Map<string, unknown>([["golive:app", { name: "shop" }]]),
      scopeFromEnv: undefined,
    };
    expect(decideScope([{ type: T.bucket, parent: undefined }], golive, {}).scope).toBe("environment");
  });
});
