/**
 * Where golive's caches live (tooling/cache-dir.ts): GOLIVE_CACHE_DIR, else the project's
 * node_modules/.cache/golive, else the user's cache directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CACHE_DIR_ENV, defaultCacheDir } from "../tooling/cache-dir";

const scratch = mkdtempSync(path.join(tmpdir(), "golive-cache-dir-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the cache directory", () => {
  it("is $GOLIVE_CACHE_DIR, off to turn it off", () => {
    expect(defaultCacheDir({ [CACHE_DIR_ENV]: "/var/cache/golive" }, "/app")).toBe("/var/cache/golive");
    expect(defaultCacheDir({ [CACHE_DIR_ENV]: ".cache" }, "/app")).toBe(path.resolve("/app/.cache"));
    expect(defaultCacheDir({ [CACHE_DIR_ENV]: "off" }, "/app")).toBeUndefined();
  });

  it("else node_modules/.cache/golive of the project, else $XDG_CACHE_HOME/golive", () => {
    const project = path.join(scratch, "project");
    const migrations = path.join(project, "supabase", "migrations");
    mkdirSync(migrations, { recursive: true });
    writeFileSync(path.join(project, "package.json"), "{}");
    // The nearest package.json decides, as for other tools' caches under node_modules/.cache.
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/xdg" }, migrations)).toBe(path.join("/xdg", "golive"));
    mkdirSync(path.join(project, "node_modules"));
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/xdg" }, migrations)).toBe(
      path.join(project, "node_modules", ".cache", "golive"),
    );
  });

  it("is golive's own for what it reads from its own install (the provider SDKs' shapes)", () => {
    const repo = path.resolve(__dirname, "..");
    expect(defaultCacheDir({}, path.join(repo, "tooling", "engine"))).toBe(
      path.join(repo, "node_modules", ".cache", "golive"),
    );
  });
});
