import { describe, expect, it } from "vitest";
import { expectationSchema, expectedIn, type Expectation } from "../tooling/redteam/expectation";
import {
  corpusPasses,
  regressions,
  groupFindings,
  isPackStartFailure,
  itemOf,
  messageTemplate,
  scoreCase,
  summarize,
  type Finding,
} from "../tooling/redteam/score";

const unsafe: Expectation = expectationSchema.parse({
  about: "a prod bucket without protect: a destroy deletes its objects",
  items: ["OPS-01"],
  types: ["aws:s3/bucket:Bucket"],
  scope: "component",
  trips: ["OPS-01"],
});

const compliant: Expectation = expectationSchema.parse({
  about: "the same bucket with protect and retainOnDelete set",
  items: ["OPS-01"],
  types: ["aws:s3/bucket:Bucket"],
  scope: "component",
  trips: [],
  preview: { undeterminable: ["SEC-01"] },
});

function violation(item: string, level = "mandatory"): Finding {
  return { checklistId: item, kind: "violation", level, message: `[${item}] something`, policy: "p" };
}

describe("scoreCase", () => {
  it("counts an expected item tripped at the blocking level as a hit", () => {
    const score = scoreCase("c", "prod", unsafe, "up", {
      planned: true,
      findings: [violation("OPS-01"), violation("OPS-01")],
    });
    expect(score.hits).toEqual(["OPS-01"]);
    expect(score.misses).toEqual([]);
    expect(score.falsePositives).toEqual([]);
  });

  it("misses an item reported only as undeterminable, or only advisory in prod", () => {
    const undecided = scoreCase("c", "prod", unsafe, "preview", {
      planned: true,
      findings: [{ ...violation("OPS-01"), kind: "undeterminable", level: "advisory" }],
    });
    expect(undecided.misses).toEqual([{ item: "OPS-01", reason: "undeterminable" }]);
    const advisory = scoreCase("c", "prod", unsafe, "up", {
      planned: true,
      findings: [violation("OPS-01", "advisory")],
    });
    expect(advisory.misses).toEqual([{ item: "OPS-01", reason: "advisory only" }]);
  });

  it("accepts an advisory violation in staging unless the item is marked both", () => {
    const staging = scoreCase("c", "staging", unsafe, "up", {
      planned: true,
      findings: [violation("OPS-01", "advisory")],
    });
    expect(staging.hits).toEqual(["OPS-01"]);
    const both = expectationSchema.parse({ ...unsafe, items: ["SEC-01"], trips: ["SEC-01"] });
    const sec = scoreCase("c", "staging", both, "up", {
      planned: true,
      findings: [violation("SEC-01", "advisory")],
    });
    expect(sec.misses).toEqual([{ item: "SEC-01", reason: "advisory only" }]);
  });

  it("reports other items' violations and undeclared undeterminable notices as false positives", () => {
    const score = scoreCase("c", "prod", compliant, "up", {
      planned: true,
      findings: [
        violation("ALERT-01"),
        { ...violation("EDGE-01"), kind: "undeterminable", level: "advisory" },
        { ...violation("SEC-01"), kind: "undeterminable", level: "advisory" },
        { ...violation("OPS-02"), kind: "notice", level: "advisory" },
        { ...violation("DB-04"), kind: "exempted", level: "advisory" },
      ],
    });
    expect(score.falsePositives.map((fp) => [fp.item, fp.kind])).toEqual([
      ["ALERT-01", "violation"],
      ["EDGE-01", "undeterminable"],
      ["SEC-01", "undeterminable"],
    ]);
    const preview = scoreCase("c", "prod", compliant, "preview", {
      planned: true,
      findings: [{ ...violation("SEC-01"), kind: "undeterminable", level: "advisory" }],
    });
    expect(preview.falsePositives).toEqual([]);
  });

  it("scores a program that did not plan as missing every expected item", () => {
    const score = scoreCase("c", "prod", unsafe, "up", { planned: false, exitCode: 2, error: "boom" });
    expect(score.misses).toEqual([{ item: "OPS-01", reason: "program failed" }]);
    expect(score.error).toBe("exit 2: boom");
  });
});

describe("itemOf", () => {
  it("reads the checklist ID, else the message's [ID] prefix", () => {
    expect(itemOf({ kind: "violation", level: "mandatory", message: "[EDGE-04] x", policy: "p" })).toBe(
      "EDGE-04",
    );
    expect(itemOf({ kind: "violation", level: "mandatory", message: "no id", policy: "p" })).toBeUndefined();
  });
});

describe("summarize and corpusPasses", () => {
  it("computes recall and precision per mode over (case, item) pairs", () => {
    const scores = [
      scoreCase("a", "prod", unsafe, "up", {
        planned: true,
        findings: [violation("OPS-01"), violation("ENV-03")],
      }),
      scoreCase("b", "prod", unsafe, "up", { planned: true, findings: [] }),
      scoreCase("c", "prod", compliant, "up", { planned: true, findings: [] }),
    ];
    const summary = summarize("up", scores);
    expect(summary).toMatchObject({
      expected: 2,
      hits: 1,
      misses: 1,
      falsePositives: 1,
      recall: 0.5,
      precision: 0.5,
    });
    expect(corpusPasses([summary])).toBe(false);
    const clean = summarize("up", [scores[2]!]);
    expect(clean).toMatchObject({ recall: 1, precision: 1 });
    expect(corpusPasses([clean])).toBe(true);
  });
});

describe("expectedIn", () => {
  it("lets a mode replace the trips and declare right undeterminable notices", () => {
    const withOverride = expectationSchema.parse({
      ...unsafe,
      preview: { trips: [], undeterminable: ["OPS-01"] },
    });
    expect(expectedIn(withOverride, "up")).toEqual({ trips: ["OPS-01"], undeterminable: [] });
    expect(expectedIn(withOverride, "preview")).toEqual({ trips: [], undeterminable: ["OPS-01"] });
  });

  it("rejects an unknown checklist ID", () => {
    expect(expectationSchema.safeParse({ ...unsafe, trips: ["OPS-99"] }).success).toBe(false);
  });
});

describe("messageTemplate and groupFindings", () => {
  it("blanks names and numbers but keeps the checklist ID", () => {
    expect(messageTemplate('[OPS-01] aws:s3/bucket:Bucket "uploads" keeps 14 days')).toBe(
      '[OPS-01] aws:s3/bucket:Bucket "…" keeps N days',
    );
  });

  it("groups false positives of one cause across cases, and misses by reason", () => {
    const scores = ["a", "b"].map((name) =>
      scoreCase(name, "prod", unsafe, "up", {
        planned: true,
        findings: [{ ...violation("ENV-01"), message: `[ENV-01] the stack "${name}" has no root component` }],
      }),
    );
    expect(groupFindings(scores)).toEqual([
      {
        item: "ENV-01",
        kind: "false positive",
        what: '[ENV-01] the stack "…" has no root component',
        cases: ["a [up]", "b [up]"],
      },
      { item: "OPS-01", kind: "miss", what: "not flagged", cases: ["a [up]", "b [up]"] },
    ]);
  });
});

describe("regressions against a baseline", () => {
  const summary = (mode: "up" | "preview", misses: number, falsePositives: number, failedPrograms = 0) => ({
    mode,
    cases: 10,
    expected: 10,
    hits: 10 - misses,
    misses,
    falsePositives,
    failedPrograms,
    recall: (10 - misses) / 10,
    precision: 1,
  });
  const baseline = {
    up: { misses: 2, falsePositives: 3, failedPrograms: 0 },
    preview: { misses: 4, falsePositives: 5, failedPrograms: 0 },
  };

  it("holds a run at or better than every figure", () => {
    expect(regressions([summary("up", 2, 3), summary("preview", 1, 0)], baseline)).toEqual([]);
  });

  it("names each figure that got worse, and a mode without figures", () => {
    expect(regressions([summary("up", 3, 3), summary("preview", 4, 6, 1)], baseline)).toEqual([
      "up: misses 3 > baseline 2",
      "preview: falsePositives 6 > baseline 5",
      "preview: failedPrograms 1 > baseline 0",
    ]);
    expect(regressions([summary("up", 0, 0)], { preview: baseline.preview })).toEqual([
      "up: no baseline figures",
    ]);
  });
});

describe("pack start failures", () => {
  it("are the missed deadline and the exit before serving, as the full run recorded them", () => {
    expect(
      isPackStartFailure(
        'golive plan: stack "prod" (test/redteam/edge02-cloudfront-hsts-one-day/Pulumi.prod.yaml): the policy pack failed: policy pack in /home/ci/golive/policies exited before printing its port (exit code 32)',
      ),
    ).toBe(true);
    expect(isPackStartFailure("policy pack in /repo/policies did not print its port within 60000 ms")).toBe(
      true,
    );
    expect(isPackStartFailure("golive plan: index.ts: TypeError: x is not a function")).toBe(false);
  });
});
