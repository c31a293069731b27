import { defineConfig } from "vitest/config";

/**
 * The end-to-end tier (`npm run test:e2e`): files that start what the real tools start, so each test
 * costs seconds: the policy pack as its own process over gRPC, `golive plan`/`cost`/`diff` end to
 * end, Postgres (PGlite) for `golive db check`, and the corpus of the five seed examples. Everything
 * else is the fast loop (`npm test`): pure logic, components and whole stacks under the mock engine,
 * and every policy through @pulumi/policy's in-process test harness. CI runs both.
 *
 * test/sdk-supabase.test.ts runs here too, though it is quick: it runs the SDK under Pulumi's own
 * `setMocks`, whose package reference ("mock-uuid") the generated SDK caches for the whole process,
 * so it needs a process of its own.
 */
const END_TO_END = [
  "test/alarm-contract.test.ts",
  "test/config-env-limit.test.ts",
  "test/cost-diff.test.ts",
  "test/cost-examples.test.ts",
  "test/db-check-image-cache.test.ts",
  "test/db-check-limits.test.ts",
  "test/db-check-shapes.test.ts",
  "test/db-check.test.ts",
  "test/diff.test.ts",
  "test/encrypted-secrets.test.ts",
  "test/engine-analyzer.test.ts",
  "test/examples.test.ts",
  "test/pack-stacks.test.ts",
  "test/plan-robust.test.ts",
  "test/plan.test.ts",
  "test/policies/pack.test.ts",
  "test/programs.test.ts",
  "test/sdk-supabase.test.ts",
];

export default defineConfig({
  test: {
    // One recording of each stack per run, shared by every file that needs it (test/support/shared-recordings.ts).
    globalSetup: ["test/support/global-setup.ts"],
    // Every core: the default leaves one for vitest itself, which idles while the workers run.
    maxWorkers: "100%",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "fast",
          include: ["test/**/*.test.ts"],
          exclude: END_TO_END,
          pool: "forks",
          // Files share a worker's module cache, so the SDKs load once per worker instead of once per
          // file. Pulumi's runtime state (mocks, settings) is reset by every recording itself
          // (tooling/engine/record.ts), not by a fresh process.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: END_TO_END,
          // Pulumi's runtime keeps module-level state: isolate each file in its own fork.
          pool: "forks",
        },
      },
    ],
  },
});
