import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE, goliveConfigShape } from "../config/schema";
import { REPO_ROOT } from "./support/stacks";

interface ProjectFile {
  name: string;
  runtime: { name: string; options: Record<string, unknown> };
  main: string;
  packages: Record<string, { source: string; version: string; parameters: string[] }>;
  config: Record<string, { type: string; description: string }>;
}

const project = parseYaml(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;
const sdkPackage = JSON.parse(readFileSync(path.join(REPO_ROOT, "sdks/supabase/package.json"), "utf8")) as {
  pulumi: { name: string; version: string; parameterization: { name: string; version: string } };
};

describe("Pulumi.yaml", () => {
  it("runs TypeScript through tsx without type-checking at deploy time", () => {
    expect(project.name).toBe("golive");
    expect(project.runtime).toEqual({
      name: "nodejs",
      options: { typescript: false, nodeargs: "--import tsx" },
    });
    expect(existsSync(path.join(REPO_ROOT, project.main))).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies.tsx).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("declares the bridged Supabase package as the local SDK records it", () => {
    expect(project.packages.supabase).toEqual({
      source: sdkPackage.pulumi.name,
      version: sdkPackage.pulumi.version,
      parameters: ["supabase/supabase", sdkPackage.pulumi.parameterization.version],
    });
  });

  it("declares only keys the config schema knows, with descriptions", () => {
    for (const [key, declaration] of Object.entries(project.config)) {
      const [namespace, name] = key.split(":");
      expect(namespace).toBe(CONFIG_NAMESPACE);
      expect(Object.keys(goliveConfigShape)).toContain(name);
      expect(["string", "integer", "boolean", "array"]).toContain(declaration.type);
      expect(declaration.description.length).toBeGreaterThan(20);
    }
  });

  it("names every structured key in its comment, so readers find them", () => {
    const text = readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8");
    for (const key of Object.keys(goliveConfigShape)) {
      if (`${CONFIG_NAMESPACE}:${key}` in project.config) continue;
      expect(text, `Pulumi.yaml should mention golive:${key}`).toContain(`golive:${key}`);
    }
  });
});
