/**
 * `golive report` reads every layout an engine event stream comes in, built here from one recorded
 * Pulumi Cloud event list (test/fixtures/report/PROVENANCE.md): JSON lines, pretty-printed objects
 * one after another, concatenated objects, a JSON array.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildStackReport,
  describeDisagreement,
  loadReportInput,
  renderReport,
  repositoryPath,
  type StackReportInput,
} from "../tooling/report/index";

const fixture = path.join(__dirname, "fixtures/report/small_scale_10_deployments.json");
const recorded = JSON.parse(readFileSync(fixture, "utf8")) as { events: Record<string, unknown>[] };
const events = recorded.events;

const layouts: Record<string, string> = {
  "JSON lines": events.map((event) => JSON.stringify(event)).join("\n"),
  "pretty-printed objects": events.map((event) => JSON.stringify(event, null, 2)).join("\n"),
  "concatenated objects": events.map((event) => JSON.stringify(event)).join(""),
  "a JSON array": JSON.stringify(events, null, 2),
  "the events document": JSON.stringify(recorded),
};

function report(text: string, file = "events.json"): StackReportInput {
  return buildStackReport({ name: "dev", preview: { file, text } });
}

describe("event stream layouts", () => {
  const expected = report(layouts["JSON lines"]!);

  it("reads the recorded events with their replaces", () => {
    expect(expected.counts).toEqual({ create: 1, delete: 1, replace: 2, same: 7, update: 1 });
    expect(expected.resources.filter((resource) => resource.op === "replace")).toHaveLength(2);
  });

  for (const [layout, text] of Object.entries(layouts)) {
    it(`reads ${layout} as the same ${events.length} events`, () => {
      const loaded = loadReportInput("events.json", text);
      expect(loaded.format).toBe("events");
      if (loaded.format === "events") expect(loaded.events).toHaveLength(events.length);
      const built = report(text);
      expect(built.counts).toEqual(expected.counts);
      expect(built.resources).toEqual(expected.resources);
      expect(renderReport([built])).not.toContain("No changes");
    });
  }

  it("still refuses text that is no event stream, naming the file", () => {
    expect(() => loadReportInput("notes.json", '{"a": 1}\n{"b": 2}')).toThrow(/notes\.json/);
  });
});

describe("summary and steps", () => {
  it("counts from the steps, and says so, when the engine's summary disagrees", () => {
    const summaryAt = events.findIndex((event) => event.type === "summaryEvent");
    const summary = events[summaryAt] as { summaryEvent: Record<string, unknown> };
    const claimed = { ...summary, summaryEvent: { ...summary.summaryEvent, resourceChanges: { same: 12 } } };
    const text = events
      .map((event, index) => JSON.stringify(index === summaryAt ? claimed : event))
      .join("\n");
    const built = report(text);
    expect(built.counts).toEqual({ create: 1, delete: 1, replace: 2, same: 7, update: 1 });
    const warning = built.diagnostics.find((diagnostic) => diagnostic.message.includes("disagrees"));
    expect(warning?.message).toContain("The engine's summary (no changes) disagrees with its steps");
    expect(renderReport([built])).toContain("disagrees with its steps");
  });

  it("keeps the engine's counts when they agree (same steps aside)", () => {
    expect(describeDisagreement({ update: 1, same: 4 }, { update: 1 })).toBeUndefined();
    expect(describeDisagreement({ update: 1 }, { update: 1, replace: 1 })).toEqual({
      summary: "update 1",
      steps: "replace 1, update 1",
    });
  });
});

describe("paths and pack names in the comment", () => {
  it("names inputs relative to the repository, never by an absolute local path", () => {
    const repo = path.resolve(__dirname, "..");
    expect(repositoryPath(fixture, repo)).toBe("test/fixtures/report/small_scale_10_deployments.json");
    expect(repositoryPath("/somewhere/else/preview.json", repo)).toBe("preview.json");
    const markdown = renderReport([report(layouts["JSON lines"]!, fixture)]);
    expect(markdown).not.toContain(repo);
  });

  it("shows a pack without a name as unnamed, not as `@`", () => {
    const unnamed = events.map((event) =>
      event.type === "policyLoadEvent" || !("policyEvent" in event)
        ? event
        : { ...event, policyEvent: { ...(event.policyEvent as object), policyPackName: "" } },
    );
    const violation = {
      type: "policyEvent",
      policyEvent: {
        resourceUrn: "",
        message: "a finding",
        color: "never",
        policyName: "p",
        policyPackName: "",
        policyPackVersion: "",
        enforcementLevel: "mandatory",
      },
    };
    const markdown = renderReport([
      report([...unnamed, violation].map((event) => JSON.stringify(event)).join("\n")),
    ]);
    expect(markdown).not.toContain("`@`");
    expect(markdown).toContain("(unnamed pack)");
  });
});
