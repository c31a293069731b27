import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Pulumi's runtime keeps module-level state (mocks, settings): isolate each file in its own fork.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
