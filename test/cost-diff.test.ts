/**
 * The change in monthly cost between two plans (`golive diff`), between a preview's old and new
 * states (the PR report), and what `golive cost` prints from plan files.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { costChange } from "../lib/cost/diff";
import { runGolive } from "../tooling/cli/golive";
import { memoryIo } from "../tooling/cli/io";
import { diffPlans } from "../tooling/diff/plan-diff";
import { planCost } from "../tooling/plan/cost";
import { stableStringify } from "../tooling/plan/json";
import { PLAN_FORMAT, type PlanDocument, type PlanResource } from "../tooling/plan/model";
import { costChangeOfSteps } from "../tooling/report/cost";
import { renderReport } from "../tooling/report/render";
import type { RawStep } from "../tooling/report/steps";
import { REPO_ROOT } from "./support/stacks";

const CONFIG = {
  "aws:region": "us-west-2",
  "golive:billing": JSON.stringify({ monthlyBudgetUsd: 10, assumptions: { healthCheckEndpoint: "aws" } }),
};

function resource(type: string, name: string, inputs: PlanResource["inputs"]): PlanResource {
  return { urn: `urn:pulumi:prod::app::${type}::${name}`, type, name, custom: true, inputs };
}

function plan(resources: PlanResource[], config: Record<string, string> = CONFIG): PlanDocument {
  return {
    format: PLAN_FORMAT,
    project: "app",
    stack: "prod",
    mode: "up",
    source: { program: "index.ts", config: "Pulumi.prod.yaml" },
    placeholderSecrets: [],
    summary: {
      resources: resources.length,
      customResources: resources.length,
      components: 0,
      providers: 0,
      mandatoryViolations: 0,
      advisoryViolations: 0,
      otherFindings: 0,
      verdict: "pass",
    },
    resources,
    outputs: {},
    diagnostics: [],
    policy: {
      pack: { name: "golive-checklist", version: "0.1.0" },
      clock: "2026-03-03T10:00:00Z",
      violations: [],
      coverage: [],
    },
    cost: planCost(resources, config),
  };
}

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const existing = resource(ALARM, "lambda-errors", {
  namespace: "AWS/Lambda",
  metricName: "Errors",
  period: 300,
});
const errorRate = resource(ALARM, "error-rate", {
  metricQueries: [
    { id: "rate", expression: "100 * errors / requests", returnData: true },
    { id: "errors", metric: { namespace: "golive/app", metricName: "Errors5xx", period: 60, stat: "Sum" } },
    {
      id: "requests",
      metric: { namespace: "AWS/Lambda", metricName: "Invocations", period: 60, stat: "Sum" },
    },
  ],
});
const latency = resource(ALARM, "latency", {
  metricQueries: [
    { id: "p95", expression: "MAX([a, b])", returnData: true },
    { id: "a", metric: { namespace: "AWS/Lambda", metricName: "Duration", period: 60, stat: "p95" } },
    {
      id: "b",
      metric: {
        namespace: "AWS/Lambda",
        metricName: "PostRuntimeExtensionsDuration",
        period: 60,
        stat: "p95",
      },
    },
  ],
});
const health = resource("aws:route53/healthCheck:HealthCheck", "health", {
  type: "HTTPS_STR_MATCH",
  fqdn: "app.example.com",
  resourcePath: "/api/health",
  searchString: "ok",
  measureLatency: true,
});

describe("the cost delta", () => {
  it("says what a change adds: +$4.20/month: 2 new alarms, 1 health check", () => {
    // Two metric-math alarms of two metrics ($0.20 each), one custom metric ($0.30), an AWS-endpoint
    // health check ($0.50) with HTTPS, string matching and latency ($1 each).
    const change = costChange(plan([existing]).cost, plan([existing, errorRate, latency, health]).cost);
    expect(change.summary).toBe("+$4.20/month: 2 new alarms, 1 health check");
    expect(change.beforeUsd).toBe(0.1);
    expect(change.afterUsd).toBe(4.3);
    expect(change.resources.map((entry) => [entry.name, entry.change, entry.deltaUsd])).toEqual([
      ["error-rate", "added", 0.5],
      ["latency", "added", 0.2],
      ["health", "added", 3.5],
    ]);
  });

  it("names removals and the largest changes, and says when nothing priced changed", () => {
    const bigger = resource("supabase:index/project:Project", "db", { instanceSize: "large" });
    const smaller = resource("supabase:index/project:Project", "db", { instanceSize: "medium" });
    const change = costChange(plan([smaller, health]).cost, plan([bigger]).cost);
    expect(change.summary).toBe("+$46.54/month: 1 health check removed, db +$50.04");
    expect(costChange(plan([existing]).cost, plan([existing]).cost).summary).toBe(
      "±$0.00/month: no priced change",
    );
  });

  it("shows in golive diff's comment, with the budget warning", () => {
    const report = diffPlans({
      before: { file: "base/prod.json", plan: plan([existing]) },
      after: { file: "head/prod.json", plan: plan([existing, errorRate, latency, health]) },
    });
    expect(report.cost?.summary).toBe("+$4.20/month: 2 new alarms, 1 health check");
    const markdown = renderReport([report], { title: "Offline plan diff" });
    expect(markdown).toContain("### Monthly cost");
    expect(markdown).toContain("| `prod` | +$4.20/month: 2 new alarms, 1 health check | $0.10 | $4.30 |");
    expect(markdown).not.toContain("monthly budget");
    const tight = {
      ...CONFIG,
      "golive:billing": JSON.stringify({ monthlyBudgetUsd: 5, assumptions: { healthCheckEndpoint: "aws" } }),
    };
    const over = diffPlans({
      before: { file: "base/prod.json", plan: plan([existing], tight) },
      after: { file: "head/prod.json", plan: plan([existing, errorRate, latency, health], tight) },
    });
    expect(renderReport([over])).toContain(
      "⚠️ `prod`: $4.30 is 86% of the $5.00 monthly budget (above 80%) (BILL-01)",
    );
  });

  it("says nothing for plans written before the cost section", () => {
    const old = { ...plan([existing]) };
    delete old.cost;
    const report = diffPlans({
      before: { file: "a", plan: old },
      after: { file: "b", plan: plan([existing, health]) },
    });
    expect(report.cost).toBeUndefined();
  });

  it("prices a preview's old and new states for the PR report", () => {
    const state = (entry: PlanResource) => ({
      type: entry.type,
      inputs: entry.inputs,
      additionalSecretOutputs: [],
    });
    const steps: RawStep[] = [
      {
        op: "same",
        urn: existing.urn,
        type: ALARM,
        old: state(existing),
        new: state(existing),
        diffReasons: [],
        replaceReasons: [],
      },
      {
        op: "create",
        urn: health.urn,
        type: health.type,
        new: state(health),
        diffReasons: [],
        replaceReasons: [],
      },
      {
        op: "update",
        urn: latency.urn,
        type: ALARM,
        old: state(existing),
        new: {
          ...state(latency),
          inputs: { ...latency.inputs, metricQueries: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
        },
        diffReasons: ["metricQueries"],
        replaceReasons: [],
      },
    ];
    const change = costChangeOfSteps(steps, CONFIG);
    expect(change.summary).toBe("+$3.50/month: 1 new health check");
  });

  it("names new types it cannot price, but not the program's components", () => {
    const component = "urn:pulumi:prod::app::acme:index:Service::api";
    const steps: RawStep[] = [
      {
        op: "create",
        urn: component,
        type: "acme:index:Service",
        new: { type: "acme:index:Service", inputs: {}, additionalSecretOutputs: [] },
        diffReasons: [],
        replaceReasons: [],
      },
      {
        op: "create",
        urn: "urn:pulumi:prod::app::acme:index:Service$aws:rds/instance:Instance::api-db",
        type: "aws:rds/instance:Instance",
        new: {
          type: "aws:rds/instance:Instance",
          inputs: { instanceClass: "db.t4g.micro" },
          additionalSecretOutputs: [],
        },
        diffReasons: [],
        replaceReasons: [],
      },
    ];
    expect(costChangeOfSteps(steps).newlyUnpriced).toEqual(["aws:rds/instance:Instance"]);
  });
});

describe("golive cost", () => {
  it("prints a plan file's estimate with its assumptions, and refuses a plan without one", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "golive-cost-"));
    const file = path.join(dir, "prod.json");
    writeFileSync(file, stableStringify(plan([existing, errorRate, latency, health])));
    const io = memoryIo({ cwd: dir });
    expect(await runGolive(["cost", "prod.json", "--check-budget"], io)).toBe(0);
    const out = io.out.join("");
    expect(out).toContain("prod: $4.30/month ($4.30 fixed, $0.00 usage-driven");
    expect(out).toContain("43% of the $10.00 monthly budget");
    expect(out).toContain('golive:billing.assumptions.healthCheckEndpoint = "aws" (config)');
    const json = memoryIo({ cwd: dir });
    expect(await runGolive(["cost", "prod.json", "--json"], json)).toBe(0);
    expect((JSON.parse(json.out.join("")) as Record<string, { monthlyUsd: number }>).prod!.monthlyUsd).toBe(
      4.3,
    );

    const old = { ...plan([existing]) };
    delete old.cost;
    writeFileSync(path.join(dir, "old.json"), stableStringify(old));
    const refused = memoryIo({ cwd: dir });
    expect(await runGolive(["cost", "old.json"], refused)).toBe(2);
    expect(refused.err.join("")).toContain(
      "old.json: has no cost section; regenerate it with `npm run plan`",
    );
  });

  it("runs a stack's program offline and prices it as the plan does", async () => {
    const io = memoryIo({ cwd: REPO_ROOT });
    expect(await runGolive(["cost", "--stack", "staging", "--json"], io)).toBe(0);
    const estimates = JSON.parse(io.out.join("")) as Record<string, { monthlyUsd: number }>;
    const golden = JSON.parse(
      readFileSync(path.join(REPO_ROOT, "test", "golden", "cost", "staging.json"), "utf8"),
    ) as {
      monthlyUsd: number;
    };
    expect(estimates.staging!.monthlyUsd).toBe(golden.monthlyUsd);
    const unknown = memoryIo({ cwd: REPO_ROOT });
    expect(await runGolive(["cost", "--stack", "qa"], unknown)).toBe(2);
    expect(unknown.err.join("")).toContain(
      `golive cost: unknown stack "qa": ${path.join(REPO_ROOT, "Pulumi.qa.yaml")} does not exist; stacks here: prod, staging`,
    );
  }, 300_000);

  it("fails --check-budget above 80% of the budget", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "golive-cost-"));
    const resources = [resource("supabase:index/project:Project", "db", { instanceSize: "micro" })];
    writeFileSync(path.join(dir, "prod.json"), stableStringify(plan(resources)));
    const io = memoryIo({ cwd: dir });
    expect(await runGolive(["cost", "prod.json", "--check-budget"], io)).toBe(1);
    expect(io.err.join("")).toContain("over 80% of the monthly budget: prod");
  });
});
