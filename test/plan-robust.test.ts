/**
 * `golive plan` and friends when programs misbehave and paths are wrong: every run ends, with a
 * message and golive's own exit code (0/1/2/3), never the program's.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGolive } from "../tooling/cli/golive";
import { memoryIo } from "../tooling/cli/io";
import { resourceCounts } from "../tooling/cli/plan-command";
import { StackPlanError } from "../tooling/plan/errors";
import { readProject } from "../tooling/plan/project";
import { planStacks } from "../tooling/plan/run";

const REPO_ROOT = path.resolve(__dirname, "..");
const PROGRAM = path.join(__dirname, "fixtures", "plan", "misbehaving-program");
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "golive-robust-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function golive(args: string[], env: Record<string, string> = {}) {
  const io = memoryIo({ cwd: REPO_ROOT, env: { ...process.env, GOLIVE_POLICY_CLOCK: "", ...env } });
  const code = await runGolive(args, io);
  return { code, stdout: io.out.join(""), stderr: io.err.join("") };
}

describe("several stacks", () => {
  const project = readProject(PROGRAM);
  const targets = ["fine", "exit7"].map((stack) => ({
    stack,
    configFile: path.join(PROGRAM, `Pulumi.${stack}.yaml`),
  }));
  const plan = () => planStacks({ project, targets, preview: false, clock: "2026-03-03T10:00:00Z" });

  it("a later program's failure is reported when the earlier stacks plan", async () => {
    const failure = await plan().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StackPlanError);
    expect((failure as StackPlanError).stackName).toBe("exit7");
    expect((failure as StackPlanError).message).toContain("process.exit(7)");
  }, 180_000);
});

describe("programs that misbehave", () => {
  it("process.exit(0) before registering is an error, not a silent success", async () => {
    const run = await golive([
      "plan",
      "--program",
      PROGRAM,
      "--stack",
      "exit0",
      "--out",
      path.join(scratch, "p"),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "the program called process.exit(0) before it finished registering its resources",
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 180_000);

  it("the program's exit code never becomes golive's", async () => {
    const run = await golive([
      "plan",
      "--program",
      PROGRAM,
      "--stack",
      "exit7",
      "--out",
      path.join(scratch, "p"),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("process.exit(7)");
  }, 180_000);

  it("a program that waits forever is stopped at the time limit, which the message names", async () => {
    const run = await golive(
      ["plan", "--program", PROGRAM, "--stack", "hang", "--out", path.join(scratch, "p")],
      {
        GOLIVE_PROGRAM_TIMEOUT: "2s",
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("index.ts did not finish within 2 s");
    expect(run.stderr).toContain("GOLIVE_PROGRAM_TIMEOUT=10m");
  }, 180_000);

  it("a program stuck in a synchronous loop is stopped from another thread (the command line)", () => {
    const result = spawnSync(
      path.join(REPO_ROOT, "bin", "golive"),
      ["plan", "--program", PROGRAM, "--stack", "spin", "--out", path.join(scratch, "p")],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...process.env, GOLIVE_PROGRAM_TIMEOUT: "3s" },
        timeout: 170_000,
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('stack "spin": the program failed: index.ts did not finish within 3 s');
  }, 180_000);

  it("a time limit that is not a duration is bad input", async () => {
    const run = await golive(["plan", "--program", PROGRAM, "--stack", "hang"], {
      GOLIVE_PROGRAM_TIMEOUT: "soon",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('GOLIVE_PROGRAM_TIMEOUT: "soon" is not a duration');
  });
});

describe("output paths", () => {
  it("--out naming a file, or under /proc, is exit 2 with the path named", async () => {
    const file = path.join(scratch, "a-file");
    writeFileSync(file, "");
    const onFile = await golive(["plan", "--stack", "prod", "--out", file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toBe(
      `golive plan: --out ${file}: ${file} is a file, not a directory; --out takes a directory\n`,
    );
    const underFile = await golive(["plan", "--stack", "prod", "--out", path.join(file, "plans")]);
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toContain(`${file} is a file, not a directory`);
    const proc = await golive(["plan", "--stack", "prod", "--out", "/proc/self/plans"]);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toContain("--out /proc/self/plans is under /proc, a kernel file system");
  });

  it("--sarif and --results must be files in a directory that exists", async () => {
    const dirTarget = await golive(["plan", "--stack", "prod", "--sarif", scratch]);
    expect(dirTarget.code).toBe(2);
    expect(dirTarget.stderr).toContain(`--sarif ${scratch} is a directory; give a file name`);
    const missing = path.join(scratch, "nowhere", "results.json");
    const noDir = await golive(["plan", "--stack", "prod", "--results", missing]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toContain(`the directory ${path.dirname(missing)} does not exist`);
  });
});

describe("exit codes are golive's own, the same for every command", () => {
  it("golive report exits 2 on bad input, as plan, diff and db do", async () => {
    const report = await golive(["report", "--stack", `prod=${path.join(scratch, "missing.json")}`]);
    expect(report.code).toBe(2);
    const diff = await golive(["diff", path.join(scratch, "missing-a"), path.join(scratch, "missing-b")]);
    expect(diff.code).toBe(2);
  });

  it("golive db check fails on a folder with no migrations, and says so", async () => {
    const empty = path.join(scratch, "empty-migrations");
    mkdirSync(empty);
    writeFileSync(path.join(empty, "README.md"), "migrations live elsewhere\n");
    const run = await golive(["db", "check", empty]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `migrations directory ${empty}: holds no *.sql migrations (it has 1 other files)`,
    );
  });
});

describe("honest summaries", () => {
  it("the resource counts add up, the stack resource included", () => {
    const line = resourceCounts({
      resources: 142,
      customResources: 126,
      components: 8,
      providers: 7,
      mandatoryViolations: 0,
      advisoryViolations: 0,
      otherFindings: 0,
      verdict: "pass",
    });
    expect(line).toBe("142 resources (126 custom, 8 components, 7 providers, 1 stack)");
    const numbers = [...line.matchAll(/(\d+) (custom|components|providers|stack)/g)].map((m) => Number(m[1]));
    expect(numbers.reduce((a, b) => a + b, 0)).toBe(142);
  });
});
