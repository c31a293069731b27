import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { TAGGABLE_AWS_TYPES, UNTAGGABLE_AWS_TYPES, withRequiredTags } from "../components/tagging";

describe("tagging", () => {
  const tags = { app: "a", environment: "prod", owner: "o@x.io", costCenter: "cc" };

  it("adds the four tags to taggable AWS types, keeping a resource's own tags", async () => {
    const props = withRequiredTags(
      "aws:sns/topic:Topic",
      { name: "t", tags: { team: "x", app: "wrong" } },
      tags,
    );
    const resolved = await new Promise<unknown>((resolve) => {
      pulumi.output(props!.tags as pulumi.Input<Record<string, string>>).apply((value) => {
        resolve(value);
      });
    });
    expect(resolved).toEqual({
      team: "x",
      app: "a",
      environment: "prod",
      owner: "o@x.io",
      "cost-center": "cc",
    });
  });

  it("leaves untaggable types and other providers alone", () => {
    expect(withRequiredTags("aws:kms/alias:Alias", { name: "x" }, tags)).toBeUndefined();
    expect(withRequiredTags("cloudflare:index/ruleset:Ruleset", {}, tags)).toBeUndefined();
  });

  it("classifies no type twice", () => {
    for (const type of TAGGABLE_AWS_TYPES) expect(UNTAGGABLE_AWS_TYPES.has(type)).toBe(false);
  });
});
