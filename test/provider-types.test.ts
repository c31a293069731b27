/**
 * The shapes the mocks read from the installed SDKs' type definitions, and their disk cache: a shape
 * is parsed once per SDK version, read back by the next process, and never taken from a file that
 * is damaged or holds another token's shape.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CACHE_DIR_ENV, defaultCacheDir } from "../tooling/cache-dir";
import type * as providerTypes from "../tooling/engine/provider-types";

type ProviderTypes = typeof providerTypes;

let cacheDir: string;
const savedEnv = process.env[CACHE_DIR_ENV];

/** A fresh copy of the module, as a new process would load it (the in-memory maps empty). */
async function freshModule(): Promise<ProviderTypes> {
  vi.resetModules();
  return import("../tooling/engine/provider-types.js");
}

function cachedFiles(): string[] {
  return readdirSync(path.join(cacheDir, "provider-shapes")).map((name) =>
    path.join(cacheDir, "provider-shapes", name),
  );
}

beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), "golive-shape-cache-"));
  process.env[CACHE_DIR_ENV] = cacheDir;
});

afterEach(() => {
  if (savedEnv === undefined) delete process.env[CACHE_DIR_ENV];
  else process.env[CACHE_DIR_ENV] = savedEnv;
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("provider output shapes", () => {
  it("reads a resource's declared outputs from its SDK, nested types included", async () => {
    const { resourceOutputShape } = await freshModule();
    const shape = resourceOutputShape("aws:s3/bucketV2:BucketV2");
    expect(shape?.kind).toBe("object");
    if (shape?.kind !== "object") return;
    expect(shape.properties.arn?.shape).toEqual({ kind: "string" });
    expect(shape.properties.tags?.optional).toBe(true);
    expect(shape.properties.corsRules?.shape.kind).toBe("array");
    expect(resourceOutputShape("aws:s3/noSuchThing:NoSuchThing")).toBeUndefined();
  });

  it("keeps each shape on disk and reads it back in the next process instead of parsing", async () => {
    const first = await freshModule();
    const shape = first.resourceOutputShape("aws:sqs/queue:Queue");
    const result = first.functionResultShape("aws:index/getCallerIdentity:getCallerIdentity");
    const files = cachedFiles();
    expect(files).toHaveLength(2);

    // The next process gets what the files hold: mark each stored shape to see it come back.
    const second = await freshModule();
    for (const file of files) {
      const cached = JSON.parse(readFileSync(file, "utf8")) as { key: string; shape: object };
      writeFileSync(file, JSON.stringify({ ...cached, shape: { ...cached.shape, marked: true } }));
    }
    expect(second.resourceOutputShape("aws:sqs/queue:Queue")).toEqual({ ...shape, marked: true });
    expect(second.functionResultShape("aws:index/getCallerIdentity:getCallerIdentity")).toEqual({
      ...result,
      marked: true,
    });
  });

  it("parses again when a cached file is damaged or holds another key, and repairs it", async () => {
    const first = await freshModule();
    const shape = first.resourceOutputShape("aws:sqs/queue:Queue");
    const [file] = cachedFiles();
    if (file === undefined) throw new Error("no cache file written");

    writeFileSync(file, "{ not json");
    expect((await freshModule()).resourceOutputShape("aws:sqs/queue:Queue")).toEqual(shape);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ shape });

    // A file under this key's name that holds another key (copied, or a hash collision) is not used.
    writeFileSync(file, JSON.stringify({ key: "another key", shape: { kind: "string" } }));
    expect((await freshModule()).resourceOutputShape("aws:sqs/queue:Queue")).toEqual(shape);
  });

  it("caches nothing with the cache turned off", async () => {
    process.env[CACHE_DIR_ENV] = "off";
    const { resourceOutputShape } = await freshModule();
    expect(resourceOutputShape("aws:sqs/queue:Queue")?.kind).toBe("object");
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});

describe("the cache directory", () => {
  it("is GOLIVE_CACHE_DIR, else node_modules/.cache/golive of the nearest project with node_modules", () => {
    expect(defaultCacheDir({ [CACHE_DIR_ENV]: "off" }, "/any")).toBeUndefined();
    expect(defaultCacheDir({ [CACHE_DIR_ENV]: "cache" }, "/work/x")).toBe(path.resolve("/work/x/cache"));
    const repo = path.resolve(__dirname, "..");
    expect(defaultCacheDir({}, path.join(repo, "tooling", "engine"))).toBe(
      path.join(repo, "node_modules", ".cache", "golive"),
    );
  });

  it("falls back to XDG_CACHE_HOME outside any project", () => {
    const outside = mkdtempSync(path.join(tmpdir(), "golive-no-project-"));
    try {
      expect(defaultCacheDir({ XDG_CACHE_HOME: "/var/cache/me" }, outside)).toBe("/var/cache/me/golive");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
