import { accessSync, constants, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPORT_MARKER } from "../tooling/report/render";

const REPO_ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}

interface Workflow {
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

function load(file: string): Workflow {
  return parse(readFileSync(path.join(WORKFLOWS, file), "utf8"), {
    strict: true,
    uniqueKeys: true,
  }) as Workflow;
}

function job(workflow: Workflow, name: string): Job {
  const found = workflow.jobs[name];
  if (found === undefined)
    throw new Error(`no job "${name}"; jobs: ${Object.keys(workflow.jobs).join(", ")}`);
  return found;
}

function stepRunning(steps: readonly Step[], command: string): Step {
  const found = steps.find((step) => step.run?.includes(command));
  if (found === undefined) throw new Error(`no step runs "${command}"`);
  return found;
}

function stepUsing(steps: readonly Step[], action: string): Step {
  const found = steps.find((step) => step.uses?.startsWith(`${action}@`));
  if (found === undefined) throw new Error(`no step uses ${action}`);
  return found;
}

const pullRequest = load("pull-request.yml");
const main = load("main.yml");
const ALL = { "pull-request.yml": pullRequest, "main.yml": main };

describe("every workflow", () => {
  it.each(Object.entries(ALL))(
    "%s pins every action to a version tag and uses Node 20",
    (_file, workflow) => {
      for (const [name, entry] of Object.entries(workflow.jobs)) {
        for (const step of entry.steps) {
          if (step.uses !== undefined)
            expect(step.uses, `${name}: ${step.uses}`).toMatch(
              /^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@v\d+(\.\d+){0,2}$/,
            );
          if (step.uses?.startsWith("actions/setup-node@"))
            expect(step.with?.["node-version"], name).toBe(20);
        }
        // A job that runs the repository's code installs exactly what package-lock.json pins.
        const runsNode = entry.steps.some(
          (step) => step.run?.includes("bin/golive") || step.run?.includes("pulumi "),
        );
        if (runsNode) {
          expect(
            entry.steps.some((step) => step.run?.includes("npm ci") || step.run === ".ci/run"),
            name,
          ).toBe(true);
        }
      }
    },
  );

  it("names commands that exist in the repository", () => {
    accessSync(path.join(REPO_ROOT, ".ci", "run"), constants.X_OK);
    accessSync(path.join(REPO_ROOT, "bin", "golive"), constants.X_OK);
    accessSync(path.join(REPO_ROOT, "policies", "PulumiPolicy.yaml"));
  });
});

describe("pull-request.yml", () => {
  it("runs on pull requests", () => {
    expect(Object.keys(pullRequest.on)).toEqual(["pull_request"]);
  });

  it("runs the CI entry point and fails on stale offline plans", () => {
    const checks = job(pullRequest, "checks");
    expect(checks.steps.some((step) => step.run === ".ci/run")).toBe(true);
    // The CI entry point itself checks the plans and every example's database.
    const ciScript = readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
    expect(ciScript).toContain("node bin/golive plan --check");
    expect(ciScript).toMatch(/for migrations in examples\/\*\/supabase\/migrations[\s\S]*golive db check/);
    expect(stepRunning(checks.steps, "bin/golive diff").run).toContain("GITHUB_STEP_SUMMARY");
  });

  it("previews each stack with the policy pack only when cloud credentials are configured", () => {
    const preview = job(pullRequest, "preview");
    expect(preview.needs).toBe("checks");
    expect(preview.strategy?.matrix?.stack).toEqual(["staging", "prod"]);
    const guard = preview.env?.CLOUD_CREDENTIALS ?? "";
    for (const secret of ["PULUMI_ACCESS_TOKEN", "CLOUDFLARE_API_TOKEN", "SUPABASE_ACCESS_TOKEN"]) {
      expect(guard).toContain(`secrets.${secret} != ''`);
    }
    expect(guard).toContain("secrets[matrix.role-secret] != ''");
    const run = stepRunning(preview.steps, "pulumi preview");
    for (const flag of ["--policy-pack policies", "--json", "--event-log", '--stack "$STACK"'])
      expect(run.run).toContain(flag);
    expect(run.env?.STACK).toBe("${{ matrix.stack }}");
    // Every step that needs the cloud is skipped without credentials.
    for (const step of preview.steps) {
      if (step.name === "No cloud credentials") expect(step.if).toBe("env.CLOUD_CREDENTIALS != 'true'");
      else expect(step.if, step.name ?? step.uses).toMatch(/^env\.CLOUD_CREDENTIALS == 'true'/);
    }
    expect(stepUsing(preview.steps, "pulumi/actions").with?.["pulumi-version"]).toBe("3.248.0");
    expect(preview.permissions?.["id-token"]).toBe("write");
  });

  it("renders one report from every stack's preview and event log", () => {
    const report = job(pullRequest, "report");
    expect(report.needs).toBe("preview");
    expect(report.permissions?.["pull-requests"]).toBe("write");
    const render = stepRunning(report.steps, "bin/golive report");
    expect(render.run).toContain(
      '--stack "$stack=preview/preview-$stack/preview.json,preview/preview-$stack/events.ndjson"',
    );
    expect(render.run).toContain("--out report.md");
    for (const step of report.steps)
      expect(step.if, step.name ?? step.uses).toBe("env.CLOUD_CREDENTIALS == 'true'");
  });

  describe("the comment script", () => {
    const script = String(stepUsing(job(pullRequest, "report").steps, "actions/github-script").with?.script);
    type Comment = { id: number; body: string; user: { type: string } };

    async function runScript(existing: Comment[]): Promise<string[]> {
      const calls: string[] = [];
      const github = {
        rest: {
          issues: {
            listComments: "listComments",
            updateComment: (args: { comment_id: number; body: string }) => {
              calls.push(`update ${args.comment_id}: ${args.body}`);
              return Promise.resolve({ data: { id: args.comment_id } });
            },
            createComment: (args: { issue_number: number; body: string }) => {
              calls.push(`create on ${args.issue_number}: ${args.body}`);
              return Promise.resolve({ data: { id: 99 } });
            },
          },
        },
        paginate: (method: string) => Promise.resolve(method === "listComments" ? existing : []),
      };
      const context = { repo: { owner: "acme", repo: "golive" }, issue: { number: 7 } };
      const core = { info: () => undefined };
      const fakeRequire = (id: string) => {
        if (id !== "fs") throw new Error(`unexpected require(${id})`);
        return { readFileSync: () => `${REPORT_MARKER}\nnew report` };
      };
      // github-script runs the script as the body of an async function with these parameters.
      const AsyncFunction = Object.getPrototypeOf(async function () {
        await Promise.resolve();
      }).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
      await new AsyncFunction("github", "context", "core", "require", script)(
        github,
        context,
        core,
        fakeRequire,
      );
      return calls;
    }

    it("uses the report's hidden marker", () => {
      expect(script).toContain(`"${REPORT_MARKER}"`);
    });

    it("updates the bot's existing report comment in place", async () => {
      const calls = await runScript([
        { id: 1, body: "a human comment", user: { type: "User" } },
        { id: 2, body: `${REPORT_MARKER}\nold report`, user: { type: "Bot" } },
      ]);
      expect(calls).toEqual([`update 2: ${REPORT_MARKER}\nnew report`]);
    });

    it("creates the comment when there is none, ignoring a human quoting the marker", async () => {
      const calls = await runScript([{ id: 3, body: `quoting ${REPORT_MARKER}`, user: { type: "User" } }]);
      expect(calls).toEqual([`create on 7: ${REPORT_MARKER}\nnew report`]);
    });
  });
});

/** The AWS role secret a job assumes for a stack, with the matrix expression resolved. */
function roleSecretOf(entry: Job, stack: string): string {
  const role = String(
    stepUsing(entry.steps, "aws-actions/configure-aws-credentials").with?.["role-to-assume"],
  );
  const include = (entry.strategy?.matrix?.include ?? []) as Record<string, string>[];
  const fromMatrix = /^\$\{\{ secrets\[matrix\.([\w-]+)\] \}\}$/.exec(role);
  if (fromMatrix) return include.find((row) => row.stack === stack)?.[fromMatrix[1]!] ?? "";
  return /^\$\{\{ secrets\.(\w+) \}\}$/.exec(role)?.[1] ?? "";
}

/** Each stack file pins its own account; the role must be that stack's. */
describe("per-stack AWS credentials", () => {
  const accountOf = (stack: string): string =>
    String(
      (
        parse(readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
          config: Record<string, string[]>;
        }
      ).config["aws:allowedAccountIds"]![0],
    );

  it("the stacks pin different accounts, so one role cannot serve both", () => {
    expect(accountOf("staging")).not.toBe(accountOf("prod"));
  });

  it("each preview assumes the role of its own stack's account", () => {
    const preview = job(pullRequest, "preview");
    expect(roleSecretOf(preview, "staging")).toBe("AWS_STAGING_ROLE_ARN");
    expect(roleSecretOf(preview, "prod")).toBe("AWS_PROD_ROLE_ARN");
  });

  it("each deploy job assumes the role of the stack it deploys", () => {
    for (const stack of ["staging", "prod"]) {
      const deploy = job(main, stack);
      expect(stepRunning(deploy.steps, "pulumi up").run).toContain(`--stack ${stack} `);
      expect(roleSecretOf(deploy, stack)).toBe(`AWS_${stack.toUpperCase()}_ROLE_ARN`);
    }
  });

  it("uploads the offline plan's policy findings as SARIF", () => {
    const checks = job(pullRequest, "checks");
    expect(checks.permissions?.["security-events"]).toBe("write");
    expect(stepRunning(checks.steps, ".ci/run").env?.GOLIVE_SARIF).toBe("golive.sarif");
    expect(stepUsing(checks.steps, "github/codeql-action/upload-sarif").with?.sarif_file).toBe(
      "golive.sarif",
    );
    expect(readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8")).toContain('--sarif "$GOLIVE_SARIF"');
  });
});

describe("main.yml", () => {
  it("deploys on pushes to main, never cancelling a deployment half-way", () => {
    expect(main.on).toEqual({ push: { branches: ["main"] } });
    expect(
      (main as unknown as { concurrency: { "cancel-in-progress": boolean } }).concurrency[
        "cancel-in-progress"
      ],
    ).toBe(false);
  });

  it("updates staging, then prod behind the production environment's approval", () => {
    const staging = job(main, "staging");
    const prod = job(main, "prod");
    expect(stepRunning(staging.steps, "pulumi up").run).toBe(
      "pulumi up --stack staging --policy-pack policies --yes",
    );
    expect(stepRunning(prod.steps, "pulumi up").run).toBe(
      "pulumi up --stack prod --policy-pack policies --yes",
    );
    expect(prod.needs).toBe("staging");
    expect(prod.environment).toBe("production");
    // DB-03: an on-demand backup, waited for, before prod changes; a failed step stops the job.
    const backup = prod.steps.findIndex((step) => step.run?.includes("backup-task/run-on-demand.sh"));
    expect(backup).toBeGreaterThan(-1);
    expect(backup).toBeLessThan(prod.steps.findIndex((step) => step.run?.includes("pulumi up")));
    expect((prod.steps[backup] as Record<string, unknown>)["continue-on-error"]).toBeUndefined();
    expect(stepRunning(staging.steps, "bin/golive plan --check")).toBeDefined();
    for (const entry of [staging, prod]) {
      expect(stepUsing(entry.steps, "pulumi/actions").with?.["pulumi-version"]).toBe("3.248.0");
      expect(entry.steps.findIndex((step) => step.run?.includes("npm ci"))).toBeLessThan(
        entry.steps.findIndex((step) => step.run?.includes("pulumi up")),
      );
    }
  });
});
