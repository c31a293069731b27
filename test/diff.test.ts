import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runGolive } from "../tooling/cli/golive";
import { memoryIo } from "../tooling/cli/io";
import { runDiffCommand } from "../tooling/cli/diff-command";
import { diffInputs, diffPlans, parsePlan, stepBetween } from "../tooling/diff/plan-diff";
import { stableStringify } from "../tooling/plan/json";
import { PLAN_FORMAT, type PlanDocument, type PlanResource } from "../tooling/plan/model";
import { REPORT_MARKER } from "../tooling/report/render";

const STACK = "urn:pulumi:prod::golive::";

function resource(
  type: string,
  name: string,
  inputs: PlanResource["inputs"],
  options?: PlanResource["options"],
): PlanResource {
  return {
    urn: `${STACK}${type}::${name}`,
    type,
    name,
    custom: true,
    inputs,
    ...(options ? { options } : {}),
  };
}

function plan(resources: PlanResource[], overrides: Partial<PlanDocument> = {}): PlanDocument {
  return {
    format: PLAN_FORMAT,
    project: "golive",
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
    ...overrides,
  };
}

const BUCKET = "aws:s3/bucket:Bucket";
const TOPIC = "aws:sns/topic:Topic";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

const before = plan([
  resource(
    BUCKET,
    "backups",
    { bucket: "app-prod-backups", tags: { env: "prod", owner: "ops" } },
    { protect: true },
  ),
  resource(TOPIC, "alerts", { name: "alerts" }),
  resource(VERSION, "server", { secretId: "arn:secret", secretString: "[secret]" }),
  resource("aws:kms/key:Key", "key", { description: "old" }, { replaceOnChanges: ["description"] }),
]);

const after = plan(
  [
    resource(BUCKET, "backups", { bucket: "app-prod-backups", tags: { env: "prod", owner: "platform" } }),
    resource(VERSION, "server", { secretId: "arn:secret", secretString: "now-in-plain-text" }),
    resource("aws:kms/key:Key", "key", { description: "new" }, { replaceOnChanges: ["description"] }),
    resource("aws:sqs/queue:Queue", "jobs", { name: "jobs", delaySeconds: "[unknown]" }),
  ],
  {
    policy: {
      pack: { name: "golive-checklist", version: "0.1.0" },
      clock: "2026-03-03T10:00:00Z",
      violations: [
        {
          policy: "db-04-prod-database-protected",
          kind: "violation",
          checklistId: "DB-04",
          level: "mandatory",
          severity: "critical",
          urn: `${STACK}${BUCKET}::backups`,
          message: "[DB-04] the backup bucket is not protected",
        },
      ],
      coverage: [],
    },
  },
);

describe("diffInputs", () => {
  it("names changed leaves with engine property paths", () => {
    expect(
      diffInputs(
        {
          tags: { env: "prod", "team.name": "a" },
          ports: [80, 443],
          gone: 1,
          asset: { $asset: { sha256: "a" } },
        },
        {
          tags: { env: "staging", "team.name": "b" },
          ports: [80],
          added: true,
          asset: { $asset: { sha256: "b" } },
        },
      ),
    ).toEqual([
      { path: "added", kind: "add", inputDiff: true },
      { path: "asset", kind: "update", inputDiff: true },
      { path: "gone", kind: "delete", inputDiff: true },
      { path: "ports[1]", kind: "delete", inputDiff: true },
      { path: "tags.env", kind: "update", inputDiff: true },
      { path: 'tags["team.name"]', kind: "update", inputDiff: true },
    ]);
  });

  it("finds nothing between equal inputs, secrets included", () => {
    expect(diffInputs({ a: "[secret]", b: [1, { c: 2 }] }, { a: "[secret]", b: [1, { c: 2 }] })).toEqual([]);
  });
});

describe("stepBetween", () => {
  it("is a replace when a changed input is listed in replaceOnChanges", () => {
    const step = stepBetween(before.resources[3], after.resources[2]);
    expect(step.op).toBe("replace");
    expect(step.replaceReasons).toEqual(["description"]);
    expect(step.detailedDiff).toEqual([{ path: "description", kind: "update-replace", inputDiff: true }]);
  });

  it("is an update when only protect changes, and same when nothing does", () => {
    const unprotected = { ...before.resources[0]!, options: {} };
    expect(stepBetween(before.resources[0], unprotected).op).toBe("update");
    expect(stepBetween(before.resources[1], before.resources[1]).op).toBe("same");
  });
});

describe("diffPlans", () => {
  const stack = diffPlans({
    before: { file: "base/prod.json", plan: before },
    after: { file: "head/prod.json", plan: after },
  });
  const byName = new Map(stack.resources.map((change) => [change.name, change]));

  it("maps every resource to one report step", () => {
    expect(Object.fromEntries([...byName].map(([name, change]) => [name, change.op]))).toEqual({
      alerts: "delete",
      backups: "update",
      jobs: "create",
      key: "replace",
      server: "update",
    });
    expect(stack.counts).toEqual({ create: 1, delete: 1, replace: 1, update: 2 });
    expect(stack.sources).toEqual(["base/prod.json", "head/prod.json"]);
  });

  it("carries property changes, protect removal and unknowns", () => {
    const backups = byName.get("backups")!;
    expect(backups.protectChange).toBe("removed");
    expect(backups.changes).toEqual([
      expect.objectContaining({
        path: "tags.owner",
        kind: "update",
        old: { kind: "plain", value: "ops" },
        new: { kind: "plain", value: "platform" },
      }),
    ]);
    const jobs = byName.get("jobs")!;
    expect(jobs.changes.find((change) => change.path === "delaySeconds")?.new).toEqual({ kind: "unknown" });
  });

  it("flags a secret that became plain text and never carries its value", () => {
    const server = byName.get("server")!;
    expect(server.secretExposures).toEqual([expect.objectContaining({ kind: "secret-became-plaintext" })]);
    expect(JSON.stringify(server.changes)).not.toContain("now-in-plain-text");
  });

  it("takes the policy verdict from the new plan", () => {
    expect(stack.policy?.violations).toEqual([
      expect.objectContaining({ policyName: "db-04-prod-database-protected", enforcementLevel: "mandatory" }),
    ]);
  });

  it("lines up two stacks' resources by everything but the stack name", () => {
    const staging = plan(
      before.resources.map((entry) => ({
        ...entry,
        urn: entry.urn.replace("urn:pulumi:prod::", "urn:pulumi:staging::"),
      })),
      { stack: "staging" },
    );
    const compared = diffPlans({
      before: { file: "staging.json", plan: staging },
      after: { file: "prod.json", plan: before },
    });
    expect(compared.resources.every((change) => change.op === "same")).toBe(true);
  });
});

describe("parsePlan", () => {
  it("names the file and what is wrong", () => {
    expect(() => parsePlan("{", "plans/prod.json")).toThrow(/^plans\/prod\.json: is not JSON/);
    expect(() => parsePlan('{"format":"other"}', "x.json")).toThrow(/x\.json: is not a golive plan/);
    expect(() => parsePlan(JSON.stringify({ ...before, resources: [{ urn: "u" }] }), "y.json")).toThrow(
      /y\.json: resources\[0\] needs "urn", "type" and "inputs"/,
    );
  });
});

describe("golive diff", () => {
  const roots: string[] = [];
  // Leave nothing in the temp directory.
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  function dirs(): { root: string } {
    const root = mkdtempSync(path.join(tmpdir(), "golive-diff-"));
    roots.push(root);
    const base = path.join(root, "base");
    const head = path.join(root, "head");
    mkdirSync(base);
    mkdirSync(head);
    writeFileSync(path.join(base, "prod.json"), stableStringify(before));
    writeFileSync(path.join(head, "prod.json"), stableStringify(after));
    writeFileSync(path.join(head, "staging.json"), stableStringify({ ...after, stack: "staging" }));
    return { root };
  }

  it("renders the report comment for two plan files", async () => {
    const { root } = dirs();
    const io = memoryIo({ cwd: root });
    expect(await runDiffCommand(["base/prod.json", "head/prod.json"], io)).toBe(0);
    const markdown = io.out.join("");
    expect(markdown.startsWith(REPORT_MARKER)).toBe(true);
    expect(markdown).toContain("Offline plan diff");
    expect(markdown).toContain("db-04-prod-database-protected");
    expect(markdown).not.toContain("now-in-plain-text");
  });

  it("pairs two plans/ directories by stack and writes --out", async () => {
    const { root } = dirs();
    const io = memoryIo({ cwd: root });
    expect(await runDiffCommand(["base", "head", "--out", "comment.md"], io)).toBe(0);
    const markdown = readFileSync(path.join(root, "comment.md"), "utf8");
    expect(markdown).toContain("`prod`");
    expect(markdown).toContain("`staging`");
    expect(io.out.join("")).toMatch(/^Wrote comment\.md \(\d+ characters/);
  });

  it("exits 2 with a message naming the file on bad input", async () => {
    const { root } = dirs();
    writeFileSync(path.join(root, "broken.json"), "not json");
    const io = memoryIo({ cwd: root });
    expect(await runDiffCommand(["broken.json", "head/prod.json"], io)).toBe(2);
    expect(io.err.join("")).toMatch(/^golive diff: broken\.json: is not JSON/);
    const missing = memoryIo({ cwd: root });
    expect(await runDiffCommand(["nope.json", "head/prod.json"], missing)).toBe(2);
    expect(missing.err.join("")).toContain("nope.json: cannot be read");
    const usage = memoryIo({ cwd: root });
    expect(await runDiffCommand(["only-one.json"], usage)).toBe(2);
    expect(usage.err.join("")).toContain("give two plans, BASE and HEAD");
  });
});

describe("golive command dispatch", () => {
  it("hands `report` to the report command and `db check` to the database check", async () => {
    const report = memoryIo();
    expect(await runGolive(["report", "--help"], report)).toBe(0);
    expect(report.out.join("")).toContain("Usage: golive report --stack NAME=PREVIEW.json");

    const db = memoryIo({ cwd: path.resolve(__dirname, "..") });
    expect(
      await runGolive(
        ["db", "check", "test/fixtures/migrations/missing-rls", "--environment", "staging"],
        db,
      ),
    ).toBe(1);
    expect(db.out.join("")).toMatch(/^Database check \(staging\): FAILED/);
    expect(db.out.join("")).toContain("public.reviews has row level security off");
  });

  it("exits 2 with usage on a bad command line", async () => {
    const unknown = memoryIo();
    expect(await runGolive(["deploy"], unknown)).toBe(2);
    expect(unknown.err.join("")).toContain('golive: unknown command "deploy"');
    const environment = memoryIo();
    expect(await runGolive(["db", "check", "x", "--environment", "production"], environment)).toBe(2);
    expect(environment.err.join("")).toContain('--environment must be staging or prod, got "production"');
    const missing = memoryIo();
    expect(await runGolive(["db", "check", "/nonexistent/migrations"], missing)).toBe(2);
    expect(missing.err.join("")).toContain("migrations directory /nonexistent/migrations");
  });
});
