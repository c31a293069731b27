/**
 * Dead-code check (`npm run deadcode`): files, exports, types and dependencies nothing reaches from
 * these entries. Package scripts (tsx tooling/..., bench/run.ts) and test files are entries through
 * knip's own package.json and vitest plugins.
 */
import type { KnipConfig } from "knip";

const config: KnipConfig = {
  entry: [
    // The Pulumi program (Pulumi.yaml's main is index.ts, which runs program.ts).
    "program.ts",
    // The policy pack, as `pulumi preview --policy-pack policies` loads it.
    "policies/index.ts",
    // bin/golive runs this file under tsx.
    "tooling/cli/golive.ts",
    // Run by hand to regenerate the catalogue files (named in their headers and in the catalogue test).
    "tooling/catalogue/write-*.ts",
    // bench/run.ts starts these as child processes by path.
    "bench/*.ts",
    // Bundled by lambda/bundle.ts (esbuild entry point per directory).
    "lambda/*/handler.ts",
    // Programs and packs the tests and the red-team runner execute as Pulumi would.
    "test/fixtures/**/*.ts",
    "test/redteam/*/index.ts",
  ],
  project: ["**/*.ts"],
  // Generated provider SDK; example apps' own code.
  ignore: ["sdks/**", "examples/**"],
  // Installed by .ci/run (Debian's postgresql) and coreutils; the PostgreSQL test calls them.
  ignoreBinaries: ["psql", "sha256sum"],
  // An export used in its own file is not dead: only exports used nowhere are reported.
  ignoreExportsUsedInFile: true,
};

export default config;
