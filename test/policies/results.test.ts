import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { T } from "../../policies/lib/types";
import {
  buildResults,
  buildSarif,
  fromEngineEvents,
  packMetadata,
  parseMessage,
  type ResultsInput,
} from "../../tooling/results";
import { analyzeResource, analyzeStack, UNKNOWN, type RunResult } from "./harness";
import { OUTSIDE_WINDOW, pack, res } from "./fixtures";
import { fixedClock } from "../../policies/lib/clock";

const FIXTURE = path.resolve(
  __dirname,
  "../fixtures/pulumi-output/pulumi/TestSimpleAnalyzeResourceMultipleViolations/eventstream.json",
);

/** Run a small stack through the real policies, the way the engine would: Analyze per resource, then AnalyzeStack. */
async function run(
  env: "prod" | "staging",
  exemptions?: string,
): Promise<{ input: ResultsInput; urns: string[] }> {
  const policies = pack(env, {
    clock: fixedClock(OUTSIDE_WINDOW),
    ...(exemptions ? { exemptions } : {}),
  });
  const stack = res(T.stack, `golive-${env}`, {}, {}, env);
  const resources = [
    stack,
    res(T.environment, env, {}, { parent: stack.urn }, env),
    res(T.topic, "alerts-critical", { kmsMasterKeyId: UNKNOWN }, {}, env),
    res(T.secretVersion, "app", { secretId: "x", secretString: UNKNOWN }, {}, env),
    res(T.randomPassword, "cron-secret", { length: 16 }, {}, env),
  ];
  const results: RunResult[] = [];
  for (const resource of resources) results.push(await analyzeResource(policies, resource, { stack: env }));
  results.push(await analyzeStack(policies, resources, { stack: env }));
  const stackRun = results.length - 1;
  return {
    urns: resources.map((r) => r.urn),
    input: {
      pack: packMetadata("golive-checklist", "0.1.0", policies),
      diagnostics: results.flatMap((r) => r.diagnostics),
      notApplicable: results.flatMap((r, i) =>
        r.notApplicable.map((na) => ({
          ...na,
          ...(i === stackRun ? { phase: "analyzeStack" } : { phase: "analyze", urn: resources[i]!.urn }),
        })),
      ),
      analyzedUrns: resources.map((r) => r.urn),
      stack: env,
      environment: env,
      preview: true,
    },
  };
}

describe("message parsing", () => {
  it("reads the item, the kind and the exemption", () => {
    expect(parseMessage("Description.\n[SEC-02] too short", "Description.")).toMatchObject({
      checklistId: "SEC-02",
      kind: "violation",
      text: "[SEC-02] too short",
    });
    expect(parseMessage("[ENV-02] undeterminable: .secretString is not known until apply").kind).toBe(
      "undeterminable",
    );
    expect(parseMessage('[EDGE-04] exempted by "free-plan" (owner x): …')).toMatchObject({
      kind: "exempted",
      exemption: "free-plan",
    });
    expect(parseMessage("[ENV-04] notice: override applied").kind).toBe("notice");
    expect(parseMessage("can't run policy 'x' from policy pack 'p@v1' during preview: y").kind).toBe(
      "undeterminable",
    );
    expect(parseMessage("<{%reset%}>a policy failed<{%reset%}>\n")).toMatchObject({
      kind: "violation",
      text: "a policy failed",
    });
  });
});

describe("results of a prod preview", () => {
  it("classify findings and fill the coverage matrix", async () => {
    const { input } = await run("prod");
    const results = buildResults(input);
    const row = (id: string) => results.coverage.find((r) => r.checklistId === id)!;
    expect(results.schema).toBe("golive-policy-results/1");
    expect(results.summary.blocking).toBe(true);
    expect(row("SEC-02").status).toBe("violated");
    expect(row("SEC-02").blocking).toBe(1);
    expect(row("ENV-04").status).toBe("violated");
    expect(row("ENV-02").status).toBe("undeterminable");
    expect(row("ALERT-06").status).toBe("passed");
    expect(row("EDGE-07").status).toBe("not applicable");
    expect(results.coverage).toHaveLength(43);
    const counted = Object.values(results.summary.coverage).reduce((a, b) => a + b, 0);
    expect(counted).toBe(43);
    const finding = results.findings.find((f) => f.policyName === "sec-02-generated-secret-strength")!;
    expect(finding).toMatchObject({
      checklistId: "SEC-02",
      kind: "violation",
      enforcementLevel: "mandatory",
      blocking: true,
    });
    expect(finding.message.startsWith("[SEC-02]")).toBe(true);
  });

  it("staging: prod-only items are not applicable and advisory findings do not block", async () => {
    const { input } = await run("staging");
    const results = buildResults(input);
    const row = (id: string) => results.coverage.find((r) => r.checklistId === id)!;
    expect(row("ENV-04").status).toBe("not applicable");
    expect(row("OPS-01").status).toBe("not applicable");
    // SEC-02 is `both`: it still blocks in staging.
    expect(row("SEC-02").blocking).toBe(1);
    const advisory = results.findings.filter((f) => f.kind === "violation" && !f.blocking);
    expect(advisory.length).toBeGreaterThan(0);
    expect(advisory.every((f) => f.enforcementLevel === "advisory")).toBe(true);
  });

  it("an exempted item shows as exempted, and as a suppressed SARIF result", async () => {
    const exemptions = JSON.stringify({
      exemptions: [
        {
          id: "short-cron-secret",
          policy: "SEC-02",
          urn: "*cron-secret",
          reason: "Legacy partner needs 16 characters",
          owner: "dev@x.com",
          expires: "2026-12-31",
        },
      ],
    });
    const { input } = await run("staging", exemptions);
    const results = buildResults(input);
    expect(results.coverage.find((r) => r.checklistId === "SEC-02")!.status).toBe("exempted");
    const sarif = buildSarif(results, input.pack, { artifactUri: "Pulumi.staging.yaml" });
    const suppressed = sarif.runs[0]!.results.filter((r) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.suppressions![0]!.justification).toContain("short-cron-secret");
  });
});

describe("SARIF 2.1.0", () => {
  it("has one rule per policy and results pointing at them", async () => {
    const { input } = await run("prod");
    const results = buildResults(input);
    const sarif = buildSarif(results, input.pack, {
      artifactUri: "Pulumi.prod.yaml",
      documentationBase: "https://example.com/golive/blob/main",
    });
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toContain("sarif-2.1.0");
    const run0 = sarif.runs[0]!;
    expect(run0.tool.driver.rules).toHaveLength(input.pack.policies.length);
    const rule = run0.tool.driver.rules.find((r) => r.id === "sec-02-generated-secret-strength")!;
    expect(rule.helpUri).toBe("https://example.com/golive/blob/main/docs/checklist.md#sec-02");
    expect(rule.properties).toMatchObject({
      checklistId: "SEC-02",
      severity: "high",
      "security-severity": "7.5",
    });
    for (const result of run0.results) {
      expect(run0.tool.driver.rules[result.ruleIndex!]!.id).toBe(result.ruleId);
      expect(result.locations[0]!.physicalLocation!.artifactLocation.uri).toBe("Pulumi.prod.yaml");
      if (result.kind !== "fail") expect(result.level).toBe("none");
    }
    const failing = run0.results.find((r) => r.ruleId === "sec-02-generated-secret-strength")!;
    expect(failing).toMatchObject({ kind: "fail", level: "error" });
    expect(failing.locations[0]!.logicalLocations![0]!.fullyQualifiedName).toContain("cron-secret");
    expect(run0.results.some((r) => r.kind === "review")).toBe(true);
    expect(run0.properties.blocking).toBe(true);
  });
});

describe("engine event log", () => {
  it("reads policyEvent and policyAnalyzeSummaryEvent lines, colour markup removed", () => {
    const events = fs
      .readFileSync(FIXTURE, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as unknown);
    const { diagnostics, passed } = fromEngineEvents(events, "analyzerA");
    expect(diagnostics).toHaveLength(10);
    expect(diagnostics[0]).toMatchObject({
      urn: "urn:pulumi:test::test::pkgA:m:typA::resA",
      message: "a policy failed",
    });
    expect(diagnostics.some((d) => d.enforcementLevel === "mandatory")).toBe(true);
    expect(passed.map((p) => p.policyName)).toContain("always-fails-critical");
    expect(fromEngineEvents(events, "another-pack").diagnostics).toEqual([]);
  });
});
