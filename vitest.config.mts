import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi's runtime keeps module-level state (mocks, settings): isolate each file in its own fork.
    pool: "forks",
    // One recording of each stack per run, shared by every file that needs it (test/support/shared-recordings.ts).
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
