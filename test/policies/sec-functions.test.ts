// SEC-06 over the functions a stack deploys: a deployed function needs its verify_jwt pinned, a
// function turned public needs a reason, from the stack config or the policy config.
import { describe, expect, it } from "vitest";
import { MANAGEMENT_SETTING_TYPE } from "../../lib/component-types";
import { T } from "../../policies/lib/types";
import { analyzeResource, analyzeStack, undeterminable, UNKNOWN, violations } from "./harness";
import { only, pack, res, type Env } from "./fixtures";

const name = "sec-06-edge-function-jwt";
const REF = "abcdefghijklmnopqrst";
const project = res(T.supabaseProject, "app", { organizationId: "org", region: "us-east-1" });

/** A function as a team deploys it with the provider: slug, entrypoint, the project's ref. */
const fn = (slug: string, projectRef: string = REF) =>
  res(
    T.supabaseEdgeFunction,
    `fn-${slug}`,
    { projectRef, slug, name: slug, entrypoint: `supabase/functions/${slug}/index.ts` },
    { propertyDependencies: { projectRef: [project.urn] } },
  );
const pin = (slug: string, verify: boolean | typeof UNKNOWN, projectRef: string = REF) =>
  res(
    MANAGEMENT_SETTING_TYPE,
    `fn-${slug}-jwt`,
    {
      projectRef,
      method: "PATCH",
      path: `/functions/${slug}`,
      body: verify === UNKNOWN ? UNKNOWN : JSON.stringify({ verify_jwt: verify }),
    },
    { propertyDependencies: { projectRef: [project.urn] } },
  );

const policies = (env: Env = "prod", publicFunctions?: Record<string, string>) =>
  only(pack(env, publicFunctions ? { config: { edgeFunctions: { public: publicFunctions } } } : {}), name);

describe("sec-06 over deployed functions", () => {
  it("fails a deployed function whose verify_jwt no call pins (provider 1.10.1 cannot set it)", async () => {
    const result = await analyzeStack(policies(), [project, fn("momentum-score-calculator")]);
    const found = violations(result, name);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain(
      'edge function "momentum-score-calculator" is deployed with its JWT verification unpinned',
    );
    expect(found[0]!.urn).toBe(fn("momentum-score-calculator").urn);
  });

  it("passes a function pinned to verify, and one declared public in golive:edgeFunctions with a reason", async () => {
    const resources = [
      project,
      fn("send-notification"),
      pin("send-notification", true),
      fn("process-queue"),
      pin("process-queue", false),
    ];
    const declared = policies("prod", {
      "process-queue": "Called by the scheduler with the cron secret, checked in the function",
    });
    expect(violations(await analyzeStack(declared, resources), name)).toEqual([]);
    for (const resource of resources) {
      expect(violations(await analyzeResource(declared, resource), name)).toEqual([]);
    }
  });

  it("fails a function turned public without a declaration, or with too short a reason", async () => {
    const call = pin("process-queue", false);
    const undeclared = violations(await analyzeResource(policies(), call), name);
    expect(undeclared.map((d) => d.message.split("\n").pop())).toEqual([
      `[SEC-06] edge function "process-queue" skips JWT verification (${MANAGEMENT_SETTING_TYPE} "fn-process-queue-jwt") but is not declared public with a reason (golive:edgeFunctions.public or the policy's publicFunctions)`,
    ]);
    const short = violations(
      await analyzeResource(policies("prod", { "process-queue": "cron" }), call),
      name,
    );
    expect(short.map((d) => d.message.split("\n").pop())).toEqual([
      '[SEC-06] edge function "process-queue" is declared public with too short a reason ("cron")',
    ]);
  });

  it("does not count a pin for another project or another function", async () => {
    const other = res(MANAGEMENT_SETTING_TYPE, "other-jwt", {
      projectRef: "zyxwvutsrqponmlkjihg",
      method: "PATCH",
      path: "/functions/send-notification",
      body: '{"verify_jwt":true}',
    });
    const result = await analyzeStack(policies(), [
      project,
      fn("send-notification"),
      other,
      pin("process-queue", true),
    ]);
    expect(violations(result, name).map((d) => d.urn)).toEqual([fn("send-notification").urn]);
  });

  it("leaves an unknown setting to the per-resource report, and is advisory in staging", async () => {
    const unknown = [project, fn("hook"), pin("hook", UNKNOWN)];
    expect(violations(await analyzeStack(policies(), unknown), name)).toEqual([]);
    expect(undeterminable(await analyzeResource(policies(), unknown[2]!), name)).toHaveLength(1);
    const staging = violations(await analyzeStack(policies("staging"), [project, fn("hook")]), name);
    expect(staging.every((d) => d.enforcementLevel === "advisory")).toBe(true);
  });

  it("matches a pin to its function by the project it depends on while refs are unknown (preview)", async () => {
    const resources = [project, fn("hook", UNKNOWN), pin("hook", true, UNKNOWN)];
    expect(violations(await analyzeStack(policies(), resources), name)).toEqual([]);
  });
});
