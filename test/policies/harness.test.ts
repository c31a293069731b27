/**
 * The harness must behave like @pulumi/policy's server: the same requests give the same
 * diagnostics through harness.ts and through server.js's own Analyze/AnalyzeStack functions.
 */
import { describe, expect, it } from "vitest";
import { fixedClock } from "../../policies/lib/clock";
import { UNKNOWN_SENTINELS } from "../../policies/lib/unknowns";
import { T } from "../../policies/lib/types";
import {
  analyzeResource,
  analyzeStack,
  UNKNOWN,
  viaServerAnalyze,
  viaServerAnalyzeStack,
  type RunResult,
  secret,
} from "./harness";
import { ACCOUNTS, OUTSIDE_WINDOW, pack, res } from "./fixtures";
import { createRequire } from "node:module";

const sorted = (result: RunResult) =>
  result.diagnostics.map((d) => `${d.policyName}|${d.enforcementLevel}|${d.urn ?? ""}|${d.message}`).sort();
const sortedNa = (result: RunResult) =>
  result.notApplicable.map((na) => `${na.policyName}|${na.reason ?? ""}`).sort();

describe("harness fidelity with @pulumi/policy's server", () => {
  const policies = pack("prod", { clock: fixedClock(OUTSIDE_WINDOW) });

  it("gives the same Analyze diagnostics and not-applicable answers", async () => {
    const cases = [
      res(T.stack, "golive-prod"),
      res(T.awsProvider, "default", { allowedAccountIds: JSON.stringify([ACCOUNTS.staging]) }),
      res(T.secretVersion, "secrets", {
        secretId: "x",
        secretString: secret('{"STRIPE":"sk_test_51AbCdEfGhIjKl"}'),
      }),
      res(T.secretVersion, "preview", { secretId: "x", secretString: UNKNOWN }),
      res(T.topic, "critical", { tags: { app: "x" } }, { opts: { protect: true } }),
    ];
    for (const resource of cases) {
      const ours = await analyzeResource(policies, resource);
      const theirs = await viaServerAnalyze(policies, resource);
      expect(sorted(ours)).toEqual(sorted(theirs));
      expect(sortedNa(ours)).toEqual(sortedNa(theirs));
      expect(ours.diagnostics.length + ours.notApplicable.length).toBeGreaterThan(0);
    }
  });

  it("gives the same AnalyzeStack diagnostics, parents and property dependencies included", async () => {
    const stack = res(T.stack, "golive-prod");
    const resources = [
      stack,
      res(T.environment, "prod", {}, { parent: stack.urn }),
      res(T.environment, "prod2", {}, { parent: stack.urn }),
    ];
    const ours = await analyzeStack(policies, resources);
    const theirs = await viaServerAnalyzeStack(policies, resources);
    expect(sorted(ours)).toEqual(sorted(theirs));
    expect(ours.diagnostics.length).toBeGreaterThan(0);
  });

  it("the per-violation level (object form) reaches the wire as advisory", async () => {
    // Pooler settings computed at apply: DB-02 (mandatory in prod) can only say "undeterminable".
    const resource = res(T.supabaseSettings, "preview", { projectRef: "x", pooler: UNKNOWN });
    const theirs = await viaServerAnalyze(policies, resource);
    const notice = theirs.diagnostics.find((d) => d.message.includes("undeterminable"));
    expect(notice?.enforcementLevel).toBe("advisory");
    expect(notice?.policyName).toBe("db-02-connection-pooling");
  });

  it("knows the SDK's unknown sentinels", () => {
    const proxy = createRequire(__filename)("@pulumi/policy/proxy") as Record<string, unknown>;
    const fromSdk = Object.entries(proxy)
      .filter(([key]) => key.startsWith("unknown") && key.endsWith("Value"))
      .map(([, value]) => value as string);
    expect(new Set(fromSdk)).toEqual(UNKNOWN_SENTINELS);
  });
});
