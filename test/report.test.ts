import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DETAIL_LEVELS,
  MIN_BUDGET,
  REPORT_MARKER,
  ReportInputError,
  buildStackReport,
  compareStacks,
  loadReportInput,
  parsePropertyPath,
  renderReport,
  renderReportDetailed,
  stripStackName,
  suggestLabels,
  toResourceChange,
  type StackReportInput,
} from "../tooling/report/index";
import { runReportCommand } from "../tooling/cli/report-command";
import type { CommandIo } from "../tooling/cli/io";

const repoRoot = path.resolve(__dirname, "..");
// Recorded CLI output copied into the repository with its provenance (test/fixtures/pulumi-output/README.md).
const sharedFixtures = path.join(repoRoot, "test/fixtures/pulumi-output");
const localFixtures = path.join(repoRoot, "test/fixtures/report");
const goldenDir = path.join(repoRoot, "test/golden/report");
// Set UPDATE_GOLDEN=1 to rewrite the golden files from the current renderer (then review the diff).
const updateGoldens = process.env.UPDATE_GOLDEN === "1";

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      const relative = prefix === "" ? entry : `${prefix}/${entry}`;
      return statSync(full).isDirectory() ? listFiles(full, relative) : [relative];
    });
}

const allSharedFiles = listFiles(sharedFixtures);
const isData = (file: string): boolean => file.endsWith(".json") || file.endsWith(".ndjson");
const dataFixtures = allSharedFiles.filter(isData);
const textFixtures = allSharedFiles.filter((file) => !isData(file));

function readShared(file: string): { file: string; text: string } {
  return { file, text: readFileSync(path.join(sharedFixtures, file), "utf8") };
}

function readLocal(file: string): { file: string; text: string } {
  return { file, text: readFileSync(path.join(localFixtures, file), "utf8") };
}

function sharedStack(name: string, preview: string, events?: string): StackReportInput {
  return buildStackReport(
    events === undefined
      ? { name, preview: readShared(preview) }
      : { name, preview: readShared(preview), events: readShared(events) },
  );
}

function localStack(name: string, preview: string, events?: string): StackReportInput {
  return buildStackReport(
    events === undefined
      ? { name, preview: readLocal(preview) }
      : { name, preview: readLocal(preview), events: readLocal(events) },
  );
}

function golivePair(): StackReportInput[] {
  return [
    localStack("staging", "golive-staging.stdout.txt"),
    localStack("prod", "golive-prod.json", "golive-prod-events.ndjson"),
  ];
}

function expectGolden(name: string, markdown: string): void {
  const file = path.join(goldenDir, name);
  if (updateGoldens) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, markdown);
  }
  expect(
    existsSync(file),
    `missing golden ${name}: run UPDATE_GOLDEN=1 npx vitest run test/report.test.ts`,
  ).toBe(true);
  expect(markdown).toBe(readFileSync(file, "utf8"));
}

/** Pipes that delimit table cells: not escaped, not inside a code span. */
function countCellDelimiters(line: string): number {
  let count = 0;
  let fence = 0;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (char === "\\") {
      i += 1;
    } else if (char === "`") {
      let run = 1;
      while (line[i + run] === "`") run += 1;
      if (fence === 0) fence = run;
      else if (fence === run) fence = 0;
      i += run - 1;
    } else if (char === "|" && fence === 0) {
      count += 1;
    }
  }
  return count;
}

/** The structure a reviewer's renderer needs: whole tables, closed details and fences, no ANSI. */
function expectWellFormed(markdown: string): void {
  expect(markdown.startsWith(`${REPORT_MARKER}\n`)).toBe(true);
  expect(markdown.includes("\u001b")).toBe(false);
  expect(markdown).not.toContain("<{%");
  expect(markdown.split("<details").length).toBe(markdown.split("</details>").length);
  const lines = markdown.split("\n");
  expect(lines.filter((line) => line.startsWith("```")).length % 2).toBe(0);
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]!.startsWith("|") || (i > 0 && lines[i - 1]!.startsWith("|"))) continue;
    const header = lines[i]!;
    expect(lines[i + 1], `table without separator: ${header}`).toMatch(
      /^\| (--- \| )*---( \|)?$|^\|( --- \|)+$/,
    );
    for (let j = i; j < lines.length && lines[j]!.startsWith("|"); j += 1) {
      expect(countCellDelimiters(lines[j]!), `row ${j + 1}: ${lines[j]}`).toBe(countCellDelimiters(header));
    }
  }
}

describe("fixtures of recorded CLI output", () => {
  it("finds the recorded fixtures in the repository", () => {
    expect(dataFixtures.length).toBeGreaterThanOrEqual(13);
    expect(dataFixtures).toContain("drift-adopter/simple-s3-drift.ndjson");
    expect(dataFixtures).toContain("pulumi/TestSimpleAnalyzeResourceMultipleViolations/eventstream.json");
  });

  for (const fixture of dataFixtures) {
    it(`renders ${fixture} within budget and as reviewed`, () => {
      const stack = sharedStack("stack", fixture);
      const report = renderReportDetailed([stack]);
      expect(report.markdown.length).toBeLessThanOrEqual(65_536);
      expect(report.detail).toBe("full");
      expectWellFormed(report.markdown);
      expectGolden(`${fixture.replace(/\//g, "__")}.md`, report.markdown);

      const small = renderReportDetailed([stack], { budget: 1500 });
      expect(small.markdown.length).toBeLessThanOrEqual(1500);
      expectWellFormed(small.markdown);
    });
  }

  for (const fixture of textFixtures) {
    it(`rejects the text render ${fixture} with a clear error`, () => {
      expect(() => sharedStack("stack", fixture)).toThrowError(ReportInputError);
      expect(() => sharedStack("stack", fixture)).toThrowError(
        new RegExp(`^${fixture.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: no JSON document or event log found`),
      );
    });
  }

  it("renders two stacks with their event logs as reviewed", () => {
    const stacks = [
      sharedStack(
        "staging",
        "drift-adopter/small_scale_10_replace.json",
        "drift-adopter/small_scale_10_deployments.json",
      ),
      sharedStack("prod", "drift-adopter/standard_json_replace.json", "drift-adopter/simple-s3-drift.ndjson"),
    ];
    const markdown = renderReport(stacks);
    expectWellFormed(markdown);
    expectGolden("fixtures-staging-prod.md", markdown);
  });
});

describe("golive stacks", () => {
  it("renders staging and prod at every detail level as reviewed", () => {
    for (const level of DETAIL_LEVELS) {
      const report = renderReportDetailed(golivePair(), { maxDetail: level, budget: 1_000_000 });
      expect(report.detail).toBe(level);
      expectWellFormed(report.markdown);
      expectGolden(`golive-staging-prod.${level}.md`, report.markdown);
    }
  });

  it("puts risk first: deletes, then replaces, with reasons, stateful types and flags", () => {
    const markdown = renderReport(golivePair());
    const risk = markdown.slice(markdown.indexOf("### ⚠️ Risk"), markdown.indexOf("### Policy"));
    expect(markdown.indexOf("### ⚠️ Risk")).toBeLessThan(markdown.indexOf("### Changes in"));
    const deleteRow = risk.indexOf("`staging-uploads`");
    const replaceRow = risk.indexOf("`staging-api-record`");
    expect(deleteRow).toBeGreaterThan(0);
    expect(deleteRow).toBeLessThan(replaceRow);
    expect(risk).toContain("replaced (delete and re-create) because of `zoneId`");
    expect(risk).toContain("stateful bucket: its data is lost");
    expect(risk).toContain("retainOnDelete: removed from the stack but left running in the cloud");
    expect(risk).toContain("protect turned off");
    expect(risk).toContain("stateful Supabase project (database) changes in place");
  });

  it("compares staging with prod by type and name without the stack prefix", () => {
    const comparison = compareStacks(golivePair());
    expect(comparison.identical).toBe(3);
    expect(
      comparison.rows.map((row) => [row.name, row.cells.map((cell) => cell?.op ?? null), row.note]),
    ).toEqual([
      ["jobs-dlq", [null, "update"], "changes only in prod; no change in staging"],
      ["api-record", ["replace", "update"], "different operations"],
      ["uploads", ["delete", null], "changes only in staging; no change in prod"],
      [
        "app-settings",
        ["update", "update"],
        'different properties (only in staging: tags["app.kubernetes.io/name"]; only in prod: database)',
      ],
    ]);
  });

  it("strips the stack name as a prefix or suffix only", () => {
    expect(stripStackName("staging-db", ["staging"])).toBe("db");
    expect(stripStackName("db_prod", ["prod", "production"])).toBe("db");
    expect(stripStackName("production.db", ["prod", "production"])).toBe("db");
    expect(stripStackName("app-staging-db", ["staging"])).toBe("app-staging-db");
    expect(stripStackName("staging", ["staging"])).toBe("staging");
  });

  it("suggests labels", () => {
    expect(suggestLabels(golivePair())).toEqual(["destroy"]);
    expect(suggestLabels([sharedStack("s", "drift-adopter/aws_secret_input.json")])).toEqual([]);
    const policyOnly = sharedStack(
      "s",
      "pulumi/TestSimpleAnalyzeResourceMultipleViolations/eventstream.json",
    );
    expect(suggestLabels([policyOnly])).toEqual(["no-changes"]);
    const markdown = renderReport(golivePair());
    expect(markdown.split("\n").slice(0, 2)).toEqual([
      REPORT_MARKER,
      "<!-- golive-report-labels: destroy -->",
    ]);
  });

  it("is deterministic whatever the order of the input", () => {
    const stacks = golivePair();
    const shuffled = stacks.map((stack) => ({ ...stack, resources: [...stack.resources].reverse() }));
    expect(renderReport(shuffled)).toBe(renderReport(stacks));
  });
});

describe("parsing", () => {
  it("parses property paths", () => {
    expect(parsePropertyPath("tags.Environment")).toEqual(["tags", "Environment"]);
    expect(parsePropertyPath("ingress[0].fromPort")).toEqual(["ingress", 0, "fromPort"]);
    expect(parsePropertyPath('["key.with.dots"]')).toEqual(["key.with.dots"]);
    expect(parsePropertyPath('tags["app.kubernetes.io/name"].x[2]')).toEqual([
      "tags",
      "app.kubernetes.io/name",
      "x",
      2,
    ]);
    expect(parsePropertyPath("triggers[*]")).toEqual(["triggers", "*"]);
    expect(parsePropertyPath("a..b")).toBeUndefined();
    expect(parsePropertyPath("a[x]")).toBeUndefined();
  });

  it("reads a preview with text before and after the JSON, nanosecond duration, and skips internal keys", () => {
    const staging = localStack("staging", "golive-staging.stdout.txt");
    expect(staging.durationSeconds).toBeCloseTo(4.212345678, 9);
    expect(staging.counts).toEqual({ create: 1, delete: 1, replace: 1, same: 1, update: 3 });
    const settings = staging.resources.find((resource) => resource.name === "staging-app-settings")!;
    expect(settings.changes.map((change) => change.path)).toEqual(["auth", 'tags["app.kubernetes.io/name"]']);
    const secret = staging.resources.find((resource) => resource.name === "staging-stripe-key")!;
    expect(secret.changes.map((change) => change.path)).toEqual([
      "kmsKeyId",
      "name",
      "recoveryWindowInDays",
      "tags",
    ]);
    expect(secret.changes[0]!.new).toEqual({ kind: "unknown" });
    const markdown = renderReport([staging]);
    expect(markdown).not.toMatch(/__defaults|__meta/);
    expect(markdown).toContain("legacyApiKeysEnabled is deprecated; use the new API keys");

    const trailing = `${readLocal("golive-prod.json").text}\nwarning: A new version of Pulumi is available.\n`;
    const loaded = loadReportInput(
      "trailing.json",
      `Installing policy pack golive-checklist...\n${trailing}`,
    );
    expect(loaded.format).toBe("preview");
  });

  it("reads event logs as JSON lines and as an {events: [...]} document", () => {
    expect(loadReportInput("a", readShared("drift-adopter/simple-s3-drift.ndjson").text).format).toBe(
      "events",
    );
    expect(loadReportInput("b", readShared("drift-adopter/engine_events_update.json").text).format).toBe(
      "events",
    );
    const fromWrapper = sharedStack("s", "drift-adopter/engine_events_update.json");
    expect(
      fromWrapper.resources.map((resource) => [resource.op, resource.changes.map((change) => change.kind)]),
    ).toEqual([["update", ["update", "delete"]]]);
  });

  it("folds replacement sub-steps of an event log into one replace", () => {
    const stack = sharedStack("s", "drift-adopter/small_scale_10_deployments.json");
    const ops = stack.resources
      .filter((resource) => resource.op !== "same")
      .map((resource) => `${resource.op} ${resource.name}`);
    expect(ops.sort()).toEqual([
      "create cmd-3",
      "delete random-str-extra-0",
      "replace random-str-0",
      "replace tls-key-0",
      "update cmd-0",
    ]);
    expect(stack.counts).toEqual({ create: 1, delete: 1, replace: 2, same: 7, update: 1 });
  });

  it("falls back to diffReasons/replaceReasons when detailedDiff is null", () => {
    const stack = sharedStack("s", "drift-adopter/standard_json_replace.json");
    const key = stack.resources.find((resource) => resource.name === "tls-key-0")!;
    expect(key.changesSource).toBe("reasons");
    expect(key.changes.map((change) => change.path)).toEqual([
      "algorithm",
      "ecdsaCurve",
      "id",
      "privateKeyOpenssh",
      "privateKeyPem",
      "privateKeyPemPkcs8",
      "publicKeyFingerprintMd5",
      "publicKeyFingerprintSha256",
      "publicKeyOpenssh",
      "publicKeyPem",
    ]);
    expect(key.changes.filter((change) => change.forcesReplacement).map((change) => change.path)).toEqual([
      "algorithm",
      "ecdsaCurve",
    ]);
    const byPath = new Map(key.changes.map((change) => [change.path, change]));
    expect(byPath.get("algorithm")).toMatchObject({
      old: { kind: "plain", value: "ECDSA" },
      new: { kind: "plain", value: "RSA" },
    });
    expect(byPath.get("privateKeyPem")).toMatchObject({ old: { kind: "secret" }, new: { kind: "secret" } });
    expect(byPath.get("publicKeyPem")?.new).toEqual({ kind: "unknown" });
    const markdown = renderReport([stack]);
    expect(markdown).toContain("The provider gave no detailed diff (detailedDiff was null)");
    expect(markdown).toContain('| `algorithm` | changed, **forces replacement** | `"ECDSA"` | `"RSA"` |');

    const password = sharedStack("s", "drift-adopter/command_with_triggers.json").resources.find(
      (resource) => resource.name === "cache-pass",
    )!;
    expect(password.changes).toEqual([
      {
        path: "length",
        kind: "update-replace",
        old: { kind: "plain", value: 32 },
        new: { kind: "plain", value: 16 },
        forcesReplacement: true,
      },
    ]);
  });

  it("names the file and the problem for bad input", () => {
    const bad = JSON.stringify({ steps: [{ op: "explode", urn: "urn:pulumi:s::p::t::n" }] });
    expect(() => loadReportInput("preview-staging.json", bad)).toThrowError(
      /^preview-staging\.json: invalid `pulumi preview --json` output: steps\[0\]\.op: /,
    );
    const noUrn = JSON.stringify({ steps: [{ op: "create" }] });
    expect(() => loadReportInput("p.json", noUrn)).toThrowError(/^p\.json: .*steps\[0\]\.urn/);
    expect(() => loadReportInput("empty.json", "  \n")).toThrowError(/^empty\.json: the file is empty/);
    expect(() => loadReportInput("other.json", '{"name": "x"}')).toThrowError(
      /^other\.json: this JSON is neither/,
    );
    const brokenLog = '{"type":"preludeEvent","preludeEvent":{}}\n{"type": oops}\n';
    expect(() => loadReportInput("events.ndjson", brokenLog)).toThrowError(
      /^events\.ndjson: line 2: not valid JSON/,
    );
    const badPolicy = '{"policyEvent":{"message":"m"}}\n{"summaryEvent":{}}\n';
    expect(() =>
      buildStackReport({ name: "s", preview: { file: "events.ndjson", text: badPolicy } }),
    ).toThrowError(/^events\.ndjson: line 1: invalid policyEvent: policyName: /);
    expect(() =>
      buildStackReport({
        name: "s",
        preview: readLocal("golive-prod.json"),
        events: readLocal("golive-staging.stdout.txt"),
      }),
    ).toThrowError(/^golive-staging\.stdout\.txt: expected an engine event log/);
  });
});

describe("policy events", () => {
  it("shows the advisory violation of simple-s3-drift.ndjson", () => {
    const stack = sharedStack("s", "drift-adopter/simple-s3-drift.ndjson");
    expect(stack.policy?.violations).toEqual([
      {
        policyPack: "example-policies",
        policyPackVersion: "0.0.6",
        policyName: "s3-bucket-replication-enabled",
        enforcementLevel: "advisory",
        resourceUrn: "urn:pulumi:test::simple-s3::aws:s3/bucket:Bucket::test-bucket",
        message:
          "Encourages use of cross-region replication for S3 buckets. S3 buckets should have cross-region replication.",
      },
    ]);
    const markdown = renderReport([stack]);
    expect(markdown).toContain("#### ⚠️ Advisory (1)");
    expect(markdown).not.toContain("Mandatory");
    expect(markdown).toContain(
      "| `s` | `s3-bucket-replication-enabled` (`example-policies@0.0.6`) | — | `test-bucket` (`aws:s3/bucket:Bucket`) | Encourages use of cross-region replication",
    );
  });

  it("groups the TestSimpleAnalyzeResourceMultipleViolations events by level, mandatory first, by severity", () => {
    const stack = sharedStack("s", "pulumi/TestSimpleAnalyzeResourceMultipleViolations/eventstream.json");
    expect(stack.policy?.violations).toHaveLength(10);
    const markdown = renderReport([stack]);
    const mandatory = markdown.indexOf("#### ❌ Mandatory (5)");
    const advisory = markdown.indexOf("#### ⚠️ Advisory (5)");
    expect(mandatory).toBeGreaterThan(0);
    expect(advisory).toBeGreaterThan(mandatory);
    const order = (names: string[]): number[] =>
      names.map((name) => markdown.indexOf(`| \`s\` | \`${name}\``));
    const mandatoryRows = order([
      "always-fails-critical",
      "always-fails-high",
      "always-fails-medium",
      "always-fails-low",
      "always-fails-unspecified",
    ]);
    const advisoryRows = order([
      "always-fails-advisory-critical",
      "always-fails-advisory-high",
      "always-fails-advisory-medium",
      "always-fails-advisory-low",
      "always-fails-advisory-unspecified",
    ]);
    expect(mandatoryRows.every((index) => index > mandatory && index < advisory)).toBe(true);
    expect(advisoryRows.every((index) => index > advisory)).toBe(true);
    expect([...mandatoryRows].sort((a, b) => a - b)).toEqual(mandatoryRows);
    expect([...advisoryRows].sort((a, b) => a - b)).toEqual(advisoryRows);
    expect(markdown).toContain(
      "| `s` | `always-fails-high` (`analyzerA@1.0.0`) | high | `resA` (`pkgA:m:typA`) | a policy failed |",
    );
    expect(markdown).toContain("**5 mandatory policy violations**");
  });

  it("escapes policy messages and strips their colour codes", () => {
    const markdown = renderReport(golivePair());
    expect(markdown).toContain(
      "Point-in-time recovery must be enabled for production databases. Enable the pitr\\_7 add-on.",
    );
    expect(markdown).toContain("hides \\| pipes and \\*stars\\* from &lt;b&gt;HTML&lt;/b&gt;.");
  });
});

describe("secrets", () => {
  const syntheticSecrets = [
    "plain-text-db-password-7f3a",
    "whsec_plaintext_91c2",
    "old-plain-webhook-value-55aa",
    "runner-key-plaintext-3b1d",
    "sk_live_sig_wrapped_plaintext_8e1f",
  ];

  /** Secret strings found in the fixtures: PEM private key bodies and values inside secret wrappers. */
  function fixtureSecrets(): string[] {
    const found = new Set<string>();
    const visit = (value: unknown): void => {
      if (typeof value === "string") {
        const pem = /-----BEGIN [A-Z ]*PRIVATE KEY-----\n([\s\S]*?)\n-----END/.exec(value);
        for (const line of pem?.[1]?.split("\n") ?? []) if (line.trim() !== "") found.add(line.trim());
      } else if (Array.isArray(value)) {
        value.forEach(visit);
      } else if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") {
          for (const key of ["plaintext", "value"]) {
            const inner = record[key];
            if (typeof inner === "string" && inner !== "[secret]") found.add(inner.replace(/^"|"$/g, ""));
          }
        }
        if (record.type === "random:index/randomPassword:RandomPassword") {
          const outputs = record.outputs as Record<string, unknown> | undefined;
          if (typeof outputs?.result === "string") found.add(outputs.result);
        }
        Object.values(record).forEach(visit);
      }
    };
    const files = [
      ...dataFixtures.map((file) => readShared(file).text),
      ...listFiles(localFixtures).map((file) => readLocal(file).text),
    ];
    for (const text of files) {
      for (const line of text.split("\n")) {
        try {
          visit(JSON.parse(line));
        } catch {
          // Not one JSON value per line: the whole file is one document, parsed below.
        }
      }
      // A single document, possibly after some text; event logs were read line by line above.
      const start = text.startsWith("{") ? 0 : text.indexOf("\n{") + 1;
      try {
        visit(JSON.parse(text.slice(start)));
      } catch {
        expect(text.split("\n").filter((line) => line.trim() !== "").length).toBeGreaterThan(1);
      }
    }
    return [...found];
  }

  function allRenders(): string[] {
    const stacks = [
      ...dataFixtures.map((file, index) => sharedStack(`s${index}`, file)),
      localStack("exposure", "secret-exposure.json"),
      localStack("events", "secret-exposure-events.ndjson"),
      ...golivePair(),
    ];
    const renders: string[] = [];
    for (const stack of stacks) {
      for (const level of DETAIL_LEVELS)
        renders.push(renderReport([stack], { maxDetail: level, budget: 1_000_000 }));
    }
    for (const level of DETAIL_LEVELS)
      renders.push(renderReport(stacks, { maxDetail: level, budget: 1_000_000 }));
    renders.push(renderReport(stacks, { budget: MIN_BUDGET }));
    return renders;
  }

  it("never shows a known secret from the fixtures", () => {
    const secrets = [...fixtureSecrets(), ...syntheticSecrets];
    expect(secrets).toContain("fake-ca-key");
    expect(secrets).toContain("synthetic-bastion-key-body-0c4d");
    expect(secrets).toContain("old-password-value");
    expect(secrets).toContain("sk_live_sig_wrapped_plaintext_8e1f");
    for (const markdown of allRenders()) {
      expect(markdown).not.toContain("PRIVATE KEY");
      for (const secret of secrets) expect(markdown).not.toContain(secret);
    }
  });

  it("warns loudly when a secret becomes plain text, and the other way round", () => {
    const stack = localStack("staging", "secret-exposure.json");
    const exposures = stack.resources.flatMap((resource) =>
      resource.secretExposures.map((exposure) => [resource.name, exposure.kind, exposure.path]),
    );
    // Resources come sorted by URN.
    expect(exposures).toEqual([
      ["bastion", "private-key-in-plaintext", "inputs.userData"],
      ["jobs-runner", "secret-became-plaintext", "inputs.environment.variables.RUNNER_KEY"],
      ["webhook-config", "secret-became-plaintext", "value"],
      ["api-worker", "plaintext-became-secret", "bindings[0].text"],
      ["app-db", "secret-became-plaintext", "databasePassword"],
    ]);
    const db = stack.resources.find((resource) => resource.name === "app-db")!;
    expect(db.changes[0]).toMatchObject({
      path: "databasePassword",
      old: { kind: "secret" },
      new: { kind: "secret" },
    });

    const markdown = renderReport([stack]);
    expectWellFormed(markdown);
    expectGolden("secret-exposure.md", markdown);
    const caution = markdown.indexOf("> [!CAUTION]");
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(markdown.indexOf("### Summary"));
    expect(markdown).toContain(
      "`databasePassword` was secret in the old state and is plain text in the new one",
    );
    expect(markdown).toContain("`bindings[0].text` is secret now but was plain text before");
    // The warning survives the smallest budgets.
    expect(renderReport([stack], { maxDetail: "counts" })).toContain("**Secret exposure: 5 values.**");
  });

  it("masks properties declared secret even when the state holds them in plain text", () => {
    const password = toResourceChange({
      op: "replace",
      urn: "urn:pulumi:dev::test::random:index/randomPassword:RandomPassword::db-pass",
      old: {
        type: "random:index/randomPassword:RandomPassword",
        outputs: { result: "plain-result-1" },
        additionalSecretOutputs: [],
      },
      new: {
        type: "random:index/randomPassword:RandomPassword",
        outputs: { result: "plain-result-2" },
        additionalSecretOutputs: [],
      },
      diffReasons: ["result"],
      replaceReasons: [],
      detailedDiff: [{ path: "result", kind: "update", inputDiff: false }],
    });
    expect(password.changes[0]).toMatchObject({ old: { kind: "secret" }, new: { kind: "secret" } });
    const declared = toResourceChange({
      op: "create",
      urn: "urn:pulumi:dev::test::custom:index:Thing::thing",
      new: {
        type: "custom:index:Thing",
        inputs: { token: { nested: "plain-token-3" }, size: 2 },
        additionalSecretOutputs: ["token"],
      },
      diffReasons: [],
      replaceReasons: [],
    });
    expect(declared.changes.map((change) => [change.path, change.new.kind])).toEqual([
      ["size", "plain"],
      ["token", "secret"],
    ]);
  });

  it("flags private keys stored without a secret marker and hides them", () => {
    const stack = sharedStack("s", "drift-adopter/events_with_deps.json");
    expect(
      stack.resources.flatMap((resource) => resource.secretExposures.map((exposure) => exposure.path)),
    ).toEqual(["inputs.caPrivateKeyPem", "inputs.privateKeyPem", "outputs.privateKeyPem"]);
    expect(renderReport([stack])).toContain("| `privateKeyPem` | removed | `[hidden]` | — |");
  });
});

describe("size budget", () => {
  it("steps down one detail level at a time and stays under the budget", () => {
    const stacks = golivePair();
    const sizes = DETAIL_LEVELS.map(
      (level) => renderReportDetailed(stacks, { maxDetail: level, budget: 1_000_000 }).markdown.length,
    );
    for (let i = 1; i < sizes.length; i += 1) expect(sizes[i]!).toBeLessThan(sizes[i - 1]!);
    DETAIL_LEVELS.forEach((level, index) => {
      // The degrade note adds a little text below `full`; give each level room for it.
      const fits = renderReportDetailed(stacks, { budget: sizes[index]! + 200 });
      expect(fits.detail).toBe(level);
      expect(fits.markdown.length).toBeLessThanOrEqual(sizes[index]! + 200);
      expectWellFormed(fits.markdown);
      if (level !== "full") expect(fits.markdown).toContain("> [!NOTE]");
    });
    const cut = renderReportDetailed(stacks, { budget: sizes[sizes.length - 1]! - 200 });
    expect(cut.detail).toBe("truncated");
    expect(cut.markdown.length).toBeLessThanOrEqual(sizes[sizes.length - 1]! - 200);
    expectWellFormed(cut.markdown);
    expect(cut.markdown).toContain("Report cut to");
  });

  it("keeps whole sections when even counts do not fit", () => {
    for (const budget of [MIN_BUDGET, 500, 700, 900]) {
      const report = renderReportDetailed(golivePair(), { budget });
      expect(report.detail).toBe("truncated");
      expect(report.markdown.length).toBeLessThanOrEqual(budget);
      expectWellFormed(report.markdown);
    }
    expect(() => renderReport(golivePair(), { budget: MIN_BUDGET - 1 })).toThrowError(RangeError);
  });

  it("fits a large preview into GitHub's limit", () => {
    const steps = Array.from({ length: 400 }, (_, index) => ({
      op: index % 10 === 0 ? "delete" : "update",
      urn: `urn:pulumi:prod::golive::aws:s3/bucket:Bucket::bucket-${String(index).padStart(3, "0")}`,
      oldState: {
        type: "aws:s3/bucket:Bucket",
        id: `bucket-${index}`,
        inputs: { policy: "x".repeat(400), tags: { Owner: "team-a", Index: String(index) } },
        outputs: { policy: "x".repeat(400), tags: { Owner: "team-a", Index: String(index) } },
      },
      newState: {
        type: "aws:s3/bucket:Bucket",
        inputs: { policy: "y".repeat(400), tags: { Owner: "team-b", Index: String(index) } },
      },
      diffReasons: ["policy", "tags"],
      detailedDiff: {
        policy: { kind: "update", inputDiff: false },
        "tags.Owner": { kind: "update", inputDiff: false },
      },
    }));
    const stack = buildStackReport({
      name: "prod",
      preview: { file: "big.json", text: JSON.stringify({ steps }) },
    });
    const full = renderReportDetailed([stack], { budget: 10_000_000 });
    expect(full.markdown.length).toBeGreaterThan(65_536);
    const fitted = renderReportDetailed([stack]);
    expect(fitted.detail).not.toBe("full");
    expect(fitted.markdown.length).toBeLessThanOrEqual(65_536);
    expectWellFormed(fitted.markdown);
    expect(fitted.markdown).toContain("To stay under 65,536 characters");
  });
});

describe("golive report command", () => {
  /** A working directory holding `files`, and an in-memory CommandIo running there. */
  function memoryIo(files: Record<string, string>): CommandIo & { out: string; err: string; cwd: string } {
    const cwd = mkdtempSync(path.join(tmpdir(), "golive-report-"));
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(cwd, file), text);
    const io = {
      out: "",
      err: "",
      cwd,
      isTTY: false,
      env: process.env,
      stdout: (text: string) => {
        io.out += text;
      },
      stderr: (text: string) => {
        io.err += text;
      },
    };
    return io;
  }

  const files = {
    "preview-staging.json": readLocal("golive-staging.stdout.txt").text,
    "preview-prod.json": readLocal("golive-prod.json").text,
    "events-prod.ndjson": readLocal("golive-prod-events.ndjson").text,
  };

  it("writes the comment to stdout", async () => {
    const io = memoryIo(files);
    const code = await runReportCommand(
      ["--stack", "staging=preview-staging.json", "--stack=prod=preview-prod.json,events-prod.ndjson"],
      io,
    );
    expect(io.err).toBe("");
    expect(code).toBe(0);
    expect(io.out.startsWith(REPORT_MARKER)).toBe(true);
    expect(io.out).toContain("`preview-prod.json`, `events-prod.ndjson`");
  });

  it("writes to --out within --budget", async () => {
    const io = memoryIo(files);
    const code = await runReportCommand(
      ["--stack", "staging=preview-staging.json", "--out", "comment.md", "--budget", "3000"],
      io,
    );
    expect(code).toBe(0);
    const written = readFileSync(path.join(io.cwd, "comment.md"), "utf8");
    expect(written.length).toBeLessThanOrEqual(3000);
    const expected = renderReportDetailed([localStack("staging", "golive-staging.stdout.txt")], {
      budget: 3000,
    });
    expect(expected.detail).not.toBe("full");
    expect(io.out).toBe(
      `Wrote comment.md (${written.length} characters, detail: ${expected.detail}, labels: destroy)\n`,
    );
  });

  it("reports bad usage and bad input with exit code 2, as every golive command does", async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [[], 2, /give at least one --stack/],
      [["--stack", "staging"], 2, /--stack expects NAME=PREVIEW\.json/],
      [["--stack", "a=x.json,y.ndjson,z"], 2, /at most one event log/],
      [["--stack", "a=x.json", "--stack", "a=y.json"], 2, /"a" is given twice/],
      [["--stack", "a=x.json", "--budget", "12"], 2, /--budget must be a whole number of at least 400/],
      [["--stack", "a=x.json", "--verbose"], 2, /unknown argument "--verbose"/],
      [["--stack", "a=missing.json"], 2, /^golive report: missing\.json: cannot read the file/],
      [
        ["--stack", "a=events-prod.ndjson,preview-prod.json"],
        2,
        /preview-prod\.json: expected an engine event log/,
      ],
    ];
    for (const [argv, expected, message] of cases) {
      const io = memoryIo({ ...files, "x.json": files["preview-prod.json"] });
      expect(await runReportCommand(argv, io)).toBe(expected);
      expect(io.err).toMatch(message);
      expect(io.err).not.toMatch(/\n\s+at /);
    }
  });

  it("prints help", async () => {
    const io = memoryIo({});
    expect(await runReportCommand(["--help"], io)).toBe(0);
    expect(io.out).toContain("Usage: golive report --stack NAME=PREVIEW.json[,EVENTS.ndjson]");
  });
});
