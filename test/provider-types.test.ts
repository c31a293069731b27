/**
 * The shapes the mocks read from the installed SDKs' type definitions, and their disk cache: a shape
 * is parsed once per SDK version, read back by the next process, and never taken from a file that
 * is damaged or holds another token's shape.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { providerShapes } from "../tooling/engine/provider-types";

let cacheDir: string;

function cachedFiles(): string[] {
  return readdirSync(cacheDir).map((name) => path.join(cacheDir, name));
}

beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), "golive-shape-cache-"));
});

afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("provider output shapes", () => {
  it("reads a resource's declared outputs from its SDK, nested types included", () => {
    const { resourceOutputShape } = providerShapes(undefined);
    const shape = resourceOutputShape("aws:s3/bucketV2:BucketV2");
    expect(shape?.kind).toBe("object");
    if (shape?.kind !== "object") return;
    expect(shape.properties.arn?.shape).toEqual({ kind: "string" });
    expect(shape.properties.tags?.optional).toBe(true);
    expect(shape.properties.corsRules?.shape.kind).toBe("array");
    expect(resourceOutputShape("aws:s3/noSuchThing:NoSuchThing")).toBeUndefined();
  });

  it("keeps each shape on disk and reads it back in the next process instead of parsing", () => {
    const first = providerShapes(cacheDir);
    const shape = first.resourceOutputShape("aws:sqs/queue:Queue");
    const result = first.functionResultShape("aws:index/getCallerIdentity:getCallerIdentity");
    const files = cachedFiles();
    expect(files).toHaveLength(2);

    // The next process gets what the files hold: mark each stored shape to see it come back.
    for (const file of files) {
      const cached = JSON.parse(readFileSync(file, "utf8")) as { key: string; shape: object };
      writeFileSync(file, JSON.stringify({ ...cached, shape: { ...cached.shape, marked: true } }));
    }
    const second = providerShapes(cacheDir);
    expect(second.resourceOutputShape("aws:sqs/queue:Queue")).toEqual({ ...shape, marked: true });
    expect(second.functionResultShape("aws:index/getCallerIdentity:getCallerIdentity")).toEqual({
      ...result,
      marked: true,
    });
  });

  it("parses again when a cached file is damaged or holds another key, and repairs it", () => {
    const shape = providerShapes(cacheDir).resourceOutputShape("aws:sqs/queue:Queue");
    const [file] = cachedFiles();
    if (file === undefined) throw new Error("no cache file written");

    writeFileSync(file, "{ not json");
    expect(providerShapes(cacheDir).resourceOutputShape("aws:sqs/queue:Queue")).toEqual(shape);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ shape });

    // A file under this key's name that holds another key (copied, or a hash collision) is not used.
    writeFileSync(file, JSON.stringify({ key: "another key", shape: { kind: "string" } }));
    expect(providerShapes(cacheDir).resourceOutputShape("aws:sqs/queue:Queue")).toEqual(shape);
  });

  it("works on when the cache folder cannot be written", () => {
    const notAFolder = path.join(cacheDir, "file");
    writeFileSync(notAFolder, "");
    expect(providerShapes(notAFolder).resourceOutputShape("aws:sqs/queue:Queue")?.kind).toBe("object");
  });
});
