/** The pack as a whole: metadata on every policy, levels per environment, loadable without a server. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { POLICY_SPECS } from "../../policies/all";
import { CHECKLIST, CHECKLIST_IDS } from "../../policies/lib/checklist";
import { environmentFromName, resolveEnvironment } from "../../policies/lib/environment";
import { T } from "../../policies/lib/types";
import { analyzeResource } from "./harness";
import { only, pack, res } from "./fixtures";

const ROOT = path.resolve(__dirname, "../..");

describe("policy metadata", () => {
  const policies = pack("prod");

  it("every policy has a unique name and full metadata", () => {
    expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
    for (const policy of policies) {
      const id = policy.framework?.reference;
      expect(id, policy.name).toBeDefined();
      expect(CHECKLIST_IDS).toContain(id);
      expect(policy.framework).toMatchObject({ name: "golive-checklist", version: "1.0" });
      expect(policy.framework?.specification).toBe(CHECKLIST[id as keyof typeof CHECKLIST].requirement);
      expect(policy.tags).toContain(id);
      expect(policy.severity).toMatch(/^(low|medium|high|critical)$/);
      expect(policy.remediationSteps?.length, policy.name).toBeGreaterThan(20);
      expect(policy.description.length, policy.name).toBeGreaterThan(20);
      expect(policy.url).toBe(`docs/checklist.md#${id!.toLowerCase()}`);
      expect(policy.name.startsWith(id!.toLowerCase())).toBe(true);
    }
  });

  it("covers every checklist item", () => {
    const covered = new Set(POLICY_SPECS.map((spec) => spec.id));
    expect(CHECKLIST_IDS.filter((id) => !covered.has(id))).toEqual([]);
  });

  it("critical items are tagged critical", () => {
    for (const policy of policies) {
      const id = policy.framework!.reference as keyof typeof CHECKLIST;
      expect(policy.tags!.includes("critical")).toBe(CHECKLIST[id].critical);
    }
  });

  it("no config schema declares enforcementLevel (the server would exit)", () => {
    for (const policy of policies) expect(policy.configSchema?.properties?.enforcementLevel).toBeUndefined();
  });

  it("docs/checklist.md has an anchor for every item and names every policy", () => {
    const docs = fs.readFileSync(path.join(ROOT, "docs/checklist.md"), "utf8");
    for (const id of CHECKLIST_IDS) expect(docs, id).toContain(`<a id="${id.toLowerCase()}"></a>`);
    for (const policy of policies) expect(docs, policy.name).toContain(`\`${policy.name}\``);
  });
});

describe("levels per environment", () => {
  it("prod: every policy mandatory", () => {
    expect(pack("prod").every((policy) => policy.enforcementLevel === "mandatory")).toBe(true);
  });

  it("staging: advisory unless the item is `both` (or the environment's identity)", () => {
    for (const policy of pack("staging")) {
      const id = policy.framework!.reference as keyof typeof CHECKLIST;
      const expected =
        CHECKLIST[id].both || policy.name === "env-01-environment-identity" ? "mandatory" : "advisory";
      expect(policy.enforcementLevel, policy.name).toBe(expected);
    }
  });

  it("an undecided or conflicting environment gets prod's levels", () => {
    expect(
      pack("staging", { stack: "dev", withoutDefaults: true }).every(
        (p) => p.enforcementLevel === "mandatory",
      ),
    ).toBe(true);
    expect(pack("staging", { stack: "shop-prod" }).every((p) => p.enforcementLevel === "mandatory")).toBe(
      true,
    );
  });

  it("recognises stack names", () => {
    expect(["prod", "production", "shop-prod", "acme/golive/prod"].map(environmentFromName)).toEqual([
      "prod",
      "prod",
      "prod",
      "prod",
    ]);
    expect(["staging", "shop-staging"].map(environmentFromName)).toEqual(["staging", "staging"]);
    expect(["dev", "prod-eu", "", undefined].map(environmentFromName)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(resolveEnvironment("staging", "prod").conflict).toContain('the stack name "staging" says staging');
    expect(resolveEnvironment("dev", "staging").name).toBe("staging");
  });

  it("--policy-pack-config raises a staging advisory to mandatory, or disables a policy", async () => {
    const name = "alert-06-topics-encrypted";
    const topic = res(T.topic, "t", {}, {}, "staging");
    const raised = await analyzeResource(only(pack("staging"), name), topic, {
      config: { [name]: "mandatory" },
    });
    expect(raised.diagnostics[0]!.enforcementLevel).toBe("mandatory");
    const viaAll = await analyzeResource(only(pack("staging"), name), topic, {
      config: { all: { enforcementLevel: "mandatory" } },
    });
    expect(viaAll.diagnostics[0]!.enforcementLevel).toBe("mandatory");
    const disabled = await analyzeResource(only(pack("prod"), name), topic, {
      config: { [name]: "disabled" },
    });
    expect(disabled.diagnostics).toEqual([]);
  });
});

describe("loading", () => {
  it("importing policies/all.ts under tsx starts no server and exits", () => {
    const script =
      "require('tsx/cjs'); const m = require('./policies/all.ts'); console.log(m.policies.length);";
    const run = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(Number(run.stdout.trim())).toBe(POLICY_SPECS.length);
  });

  it("policies/package.json and PulumiPolicy.yaml describe the pack", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "policies/package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({ name: "golive-checklist", version: "0.1.0", main: "index.ts" });
    expect(manifest.dependencies).toBeUndefined();
    expect(fs.readFileSync(path.join(ROOT, "policies/PulumiPolicy.yaml"), "utf8")).toMatch(
      /^runtime: nodejs/m,
    );
  });
});
