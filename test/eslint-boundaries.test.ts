/**
 * The import boundaries written in eslint.config.mjs: each case lints one import line as if it were
 * in the named file, with the rule options the real config computes for that file.
 */
import * as path from "node:path";
import { ESLint, Linter } from "eslint";
import tseslint from "typescript-eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const eslint = new ESLint({ cwd: root });
const linter = new Linter({ configType: "flat" });

async function violations(file: string, specifier: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, Linter.RuleEntry> };
  const rule = config.rules?.["no-restricted-imports"];
  if (rule === undefined) return [];
  const messages = linter.verify(
    `import { value } from "${specifier}";\nexport { value };\n`,
    [
      {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser },
        rules: { "no-restricted-imports": rule },
      },
    ],
    path.join(root, file),
  );
  return messages.map((message) => message.message);
}

describe("import boundaries", () => {
  beforeAll(async () => {
    // The config module loads once; later cases reuse it.
    await eslint.calculateConfigForFile("lib/naming.ts");
  });

  it.each([
    ["lib/naming.ts", "../config/schema/database", /lib\/ is pure logic/],
    ["lib/cost/context.ts", "../../config/load", /lib\/ is pure logic/],
    ["lib/cron/job.ts", "../../components/cron", /lib\/ is pure logic/],
    ["lib/naming.ts", "../tooling/plan/run", /tooling\/ is for the CLI/],
    ["policies/db.ts", "../config/schema/database", /policy pack imports only lib\//],
    ["policies/db.ts", "../components/database", /policy pack imports only lib\//],
    ["policies/lib/scope.ts", "../../tooling/engine/urn", /policy pack imports only lib\//],
    ["policies/catalogue/aws-taggable.ts", "../../program", /policy pack imports only lib\//],
    ["components/cron.ts", "../tooling/plan/run", /tooling\/ is for the CLI/],
    ["config/schema/cron.ts", "../../tooling/stack-files", /tooling\/ is for the CLI/],
    ["index.ts", "./tooling/stack-files", /tooling\/ is for the CLI/],
    ["program.ts", "./tooling", /tooling\/ is for the CLI/],
  ])("%s may not import %s", async (file, specifier, message) => {
    const found = await violations(file, specifier);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it.each([
    ["lib/cost/context.ts", "../config-values"],
    ["lib/cost/context.ts", "../naming"],
    ["lib/naming.ts", "./cron/job"],
    ["policies/db.ts", "../lib/database"],
    ["policies/db.ts", "./lib/scope"],
    ["policies/lib/scope.ts", "../../lib/naming"],
    ["policies/lib/scope.ts", "../catalogue"],
    ["policies/db.ts", "@pulumi/policy"],
    ["components/cron.ts", "../config/schema/cron"],
    ["config/load.ts", "../lib/naming"],
    ["tooling/plan/run.ts", "../../config/load"],
    ["test/plan.test.ts", "../tooling/plan/run"],
  ])("%s may import %s", async (file, specifier) => {
    expect(await violations(file, specifier)).toEqual([]);
  });
});
