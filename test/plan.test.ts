import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGolive } from "../tooling/cli/golive";
import { memoryIo } from "../tooling/cli/io";
import { parsePlan } from "../tooling/diff/plan-diff";
import { renderPlanMarkdown } from "../tooling/plan/markdown";
import { PLAN_SECRET } from "../tooling/plan/model";
import { Redactor, relativePath } from "../tooling/plan/values";
import { PLACEHOLDER_MARK } from "../tooling/stack-files";

const REPO_ROOT = path.resolve(__dirname, "..");
const MODULE_PROGRAM = path.join(__dirname, "fixtures", "plan", "module-program");

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "golive-plan-"));
});

// Leave nothing in the temp directory.
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function golive(args: string[], cwd = REPO_ROOT) {
  const io = memoryIo({ cwd, env: { ...process.env, GOLIVE_POLICY_CLOCK: "" } });
  const code = await runGolive(args, io);
  return { code, stdout: io.out.join(""), stderr: io.err.join("") };
}

function filesIn(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name), "utf8")]),
  );
}

describe("golive plan on the golive program", () => {
  let first: string;
  let firstRun: Awaited<ReturnType<typeof golive>>;

  beforeAll(async () => {
    first = path.join(scratch, "first");
    firstRun = await golive(["plan", "--stack", "prod", "--out", first]);
  });

  it("writes prod's plan, pins the policy clock and exits by the verdict", () => {
    expect(Object.keys(filesIn(first)).sort()).toEqual(["prod.json", "prod.md"]);
    const plan = parsePlan(readFileSync(path.join(first, "prod.json"), "utf8"), "prod.json");
    expect(plan.stack).toBe("prod");
    expect(plan.policy.clock).toBe("2026-03-03T10:00:00Z");
    expect(firstRun.stdout).toContain(
      "policy clock pinned to 2026-03-03T10:00:00Z (Tuesday 10:00 UTC, inside",
    );
    expect(firstRun.stdout).toMatch(/^prod: \d+ resources/m);
    expect(plan.resources.length).toBeGreaterThan(20);
    expect(firstRun.code).toBe(plan.summary.verdict === "fail" ? 1 : 0);
    expect(plan.summary.mandatoryViolations).toBe(
      plan.policy.violations.filter(
        (violation) => violation.kind === "violation" && violation.level === "mandatory",
      ).length,
    );
    // Every checklist item is listed, with the pack's policies against it.
    expect(plan.policy.coverage.length).toBeGreaterThanOrEqual(40);
    expect(plan.policy.coverage.some((item) => item.policies.length > 0 && item.status !== "no policy")).toBe(
      true,
    );
  });

  it("writes sorted resources, and Markdown that is a pure rendering of the JSON", () => {
    const json = readFileSync(path.join(first, "prod.json"), "utf8");
    const plan = parsePlan(json, "prod.json");
    const urns = plan.resources.map((resource) => resource.urn);
    expect(urns).toEqual([...urns].sort());
    expect(renderPlanMarkdown(plan)).toBe(readFileSync(path.join(first, "prod.md"), "utf8"));
    expect(readFileSync(path.join(first, "prod.md"), "utf8")).toContain("```mermaid\nflowchart LR");
  });

  it("never writes a secret, a placeholder's value, a machine path or a timestamp", () => {
    for (const [name, text] of Object.entries(filesIn(first))) {
      expect(text, name).not.toContain(PLACEHOLDER_MARK);
      expect(text, name).not.toContain(REPO_ROOT);
      expect(text, name).not.toContain(tmpdir());
      expect(text, name).not.toContain(new Date().toISOString().slice(0, 10));
    }
    const plan = parsePlan(readFileSync(path.join(first, "prod.json"), "utf8"), "prod.json");
    expect(plan.placeholderSecrets).toContain("STRIPE_SECRET_KEY");
    expect(JSON.stringify(plan.resources)).toContain(`"${PLAN_SECRET}"`);
  });

  it("--check passes identical files (the next run is byte-identical) and names a stale one", async () => {
    const second = path.join(scratch, "second");
    cpSync(first, second, { recursive: true });
    const mdFile = path.join(second, "prod.md");
    writeFileSync(mdFile, `${readFileSync(mdFile, "utf8")}\nA line nobody generated.\n`);
    const checked = await golive(["plan", "--stack", "prod", "--check", "--out", second]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain("these plan files are stale");
    expect(checked.stderr).toMatch(/prod\.md differs from a fresh plan/);
    expect(checked.stderr).toContain("- A line nobody generated.");
    expect(checked.stderr).toContain("npm run plan");
    // prod.json is not stale: the second run produced exactly the first run's bytes.
    expect(checked.stderr).not.toContain("prod.json");
    // --check writes nothing.
    expect(readFileSync(mdFile, "utf8")).toContain("A line nobody generated.");
  });
});

describe("golive plan --program", () => {
  it("plans another Pulumi program, runs it from its project directory, and fails on mandatory violations", async () => {
    const out = path.join(scratch, "module");
    const run = await golive(["plan", "--program", MODULE_PROGRAM, "--out", out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("mandatory policy violations");
    // Another team's program: judged by what it declares (an unpinned provider, a secret copied
    // into a tag), not for lacking golive's own environment component.
    expect(run.stdout).toContain("✗ env-01-aws-account-pinned");
    expect(run.stdout).toContain("✗ sec-01-no-plaintext-secret-inputs (uploads)");
    expect(run.stdout).not.toContain("env-01-environment-identity");
    const plan = parsePlan(readFileSync(path.join(out, "prod.json"), "utf8"), "prod.json");
    expect(plan.project).toBe("module-program");
    expect(plan.source).toEqual({ program: "src/index.ts", config: "Pulumi.prod.yaml" });
    expect(plan.summary.verdict).toBe("fail");
    expect(plan.outputs.runsFromProjectRoot).toBe(true);
    expect(plan.outputs.token).toBe(PLAN_SECRET);
    expect(plan.placeholderSecrets).toEqual(["fixture:apiToken"]);
    // The program copied its secret into a plain tag; the plan still shows no secret.
    const bucket = plan.resources.find((resource) => resource.name === "uploads");
    expect(bucket?.inputs.tags).toEqual({ leaked: PLAN_SECRET });
    for (const text of Object.values(filesIn(out))) expect(text).not.toContain(PLACEHOLDER_MARK);
  });
});

describe("golive plan on bad input", () => {
  it("names an unknown stack and the stacks there are", async () => {
    const run = await golive(["plan", "--stack", "qa"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `golive plan: unknown stack "qa": ${path.join(REPO_ROOT, "Pulumi.qa.yaml")} does not exist; stacks here: prod, staging\n`,
    );
  });

  it("names a missing stack file, a directory without Pulumi.yaml and a bad option", async () => {
    const missing = await golive(["plan", "--config", "nowhere/Pulumi.prod.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${path.join(REPO_ROOT, "nowhere", "Pulumi.prod.yaml")} does not exist`);
    const noProject = await golive(["plan", "--program", scratch]);
    expect(noProject.code).toBe(2);
    expect(noProject.stderr).toContain(`${path.join(scratch, "Pulumi.yaml")} does not exist`);
    const option = await golive(["plan", "--stak", "prod"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--stak'");
    const clock = memoryIo({ cwd: REPO_ROOT, env: { ...process.env, GOLIVE_POLICY_CLOCK: "tuesday" } });
    expect(await runGolive(["plan"], clock)).toBe(2);
    expect(clock.err.join("")).toContain('GOLIVE_POLICY_CLOCK="tuesday" is not an ISO 8601 date-time');
  });

  it("shows a config error as the config's own message, without a stack trace", async () => {
    const dir = path.join(scratch, "bad-config");
    mkdirSync(dir);
    const file = path.join(dir, "Pulumi.prod.yaml");
    const text = readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8");
    writeFileSync(file, text.replace("golive:environment: prod", "golive:environment: production"));
    const run = await golive(["plan", "--config", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('stack "prod"');
    expect(run.stderr).toContain("golive:environment");
    expect(run.stderr).toContain("nothing was deployed");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it("exits 2 from the command line with one message and no stack trace", () => {
    const result = spawnSync(path.join(REPO_ROOT, "bin", "golive"), ["plan", "--stack", "qa"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain('unknown stack "qa"');
  });
});

describe("plan values", () => {
  it("redacts secret text anywhere, longest first, ignoring short strings", () => {
    const redactor = new Redactor(["hunter2-secret-value", "hunter2-secret", "short"]);
    expect(redactor.text("url=https://x/?t=hunter2-secret-value&u=hunter2-secret short")).toBe(
      `url=https://x/?t=${PLAN_SECRET}&u=${PLAN_SECRET} short`,
    );
    expect(redactor.value({ tags: ["hunter2-secret"], n: 1 })).toEqual({ tags: [PLAN_SECRET], n: 1 });
  });

  it("makes paths under the project relative", () => {
    expect(relativePath("/repo/project/migrations/001.sql in /repo/project", "/repo/project")).toBe(
      "./migrations/001.sql in /repo/project",
    );
    expect(relativePath("/repo/project", "/repo/project")).toBe(".");
    expect(relativePath("/repo/projectile/x", "/repo/project")).toBe("/repo/projectile/x");
  });
});
