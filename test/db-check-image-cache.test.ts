/**
 * `golive db check` starts Postgres from an image of the bootstrapped database kept on disk: the first
 * run bootstraps and saves it, later runs load it. The cache never fails a check: a damaged image is
 * rebuilt, a directory that cannot be written means no caching, concurrent runs do not see half files.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  databaseOrigin,
  openLimitedSupabaseDatabase,
  SUPABASE_BOOTSTRAP_SQL,
} from "../tooling/db-check/bootstrap";
import { DatabaseImageCache, imageKey, type ImageKeyParts } from "../tooling/db-check/image-cache";
import { type WorkerDatabase } from "../tooling/db-check/session";

const TIMEOUT = 240_000;
const scratch = mkdtempSync(path.join(tmpdir(), "golive-image-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cacheIn(name: string): DatabaseImageCache {
  return new DatabaseImageCache(path.join(scratch, name));
}

function images(cache: DatabaseImageCache): string[] {
  return existsSync(cache.dir ?? "") ? readdirSync(cache.dir ?? "").sort() : [];
}

/** Opens, runs `use`, closes; returns how the database was started. */
async function withDatabase(
  open: () => Promise<WorkerDatabase>,
  use: (db: WorkerDatabase) => Promise<void> = () => Promise.resolve(),
): Promise<string> {
  const db = await open();
  try {
    await use(db);
    return databaseOrigin(db);
  } finally {
    await db.close();
  }
}

/** What every database must offer, however it was started. */
async function expectBootstrapped(db: WorkerDatabase): Promise<void> {
  const path = await db.query<{ search_path: string }>("show search_path");
  expect(path.rows).toEqual([{ search_path: '"$user", public, extensions' }]);
  // uuid-ossp through the search path, auth.uid() reading the claims PostgREST sets.
  const uid = await db.query<{ uid: string; v4: boolean }>(
    `select set_config('request.jwt.claims', '{"sub": "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"}', false),
            auth.uid()::text as uid, uuid_generate_v4() is not null as v4`,
  );
  expect(uid.rows[0]).toMatchObject({ uid: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", v4: true });
}

describe("the image key", () => {
  const parts: ImageKeyParts = {
    pgliteVersion: "0.5.16",
    bootstrapSql: SUPABASE_BOOTSTRAP_SQL,
    extensions: ["uuid_ossp", "pgcrypto"],
    extraBootstrapSql: "",
  };

  it("changes with everything that shapes the database, and only with that", () => {
    const key = imageKey(parts);
    expect(imageKey({ ...parts })).toBe(key);
    expect(imageKey({ ...parts, extraBootstrapSql: "create schema vault;" })).not.toBe(key);
    expect(imageKey({ ...parts, pgliteVersion: "0.5.17" })).not.toBe(key);
    expect(imageKey({ ...parts, bootstrapSql: `${SUPABASE_BOOTSTRAP_SQL}\n-- more` })).not.toBe(key);
    expect(imageKey({ ...parts, extensions: ["uuid_ossp"] })).not.toBe(key);
    // Parts cannot run into each other.
    expect(imageKey({ ...parts, extensions: ["uuid_ossp", "pgcrypto", ""] })).not.toBe(key);
  });
});

describe("images on disk", () => {
  it("a damaged file reads as no image and is deleted", () => {
    const cache = cacheIn("damaged");
    const image = {
      dataDir: new Uint8Array([1, 2, 3, 4]),
      settings: [{ name: "search_path", setting: "x" }],
    };
    cache.write("k1", image);
    expect(cache.read("k1")).toEqual({ dataDir: Buffer.from([1, 2, 3, 4]), settings: image.settings });
    const file = path.join(cache.dir ?? "", "db-image-k1.gz");
    const bytes = readFileSync(file);
    bytes[bytes.length - 6] = (bytes[bytes.length - 6] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
    expect(cache.read("k1")).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    // A file written for another key (renamed by hand) is not taken for this one.
    cache.write("k2", image);
    writeFileSync(file, readFileSync(path.join(cache.dir ?? "", "db-image-k2.gz")));
    expect(cache.read("k1")).toBeUndefined();
    writeFileSync(file, gzipSync("not an image"));
    expect(cache.read("k1")).toBeUndefined();
    expect(images(cache)).toEqual(["db-image-k2.gz"]);
  });

  it("a directory that cannot be written means no caching, not an error", () => {
    const blocked = path.join(scratch, "a-file");
    writeFileSync(blocked, "");
    const cache = new DatabaseImageCache(path.join(blocked, "cache"));
    expect(() => cache.write("k", { dataDir: new Uint8Array([1]), settings: [] })).not.toThrow();
    expect(cache.read("k")).toBeUndefined();
  });
});

describe("starting the check's database from the image", () => {
  it(
    "the first runs bootstrap (two at once write one image, atomically), the next starts from it",
    async () => {
      const cache = cacheIn("shared");
      const open = () => openLimitedSupabaseDatabase(60_000, "", cache);
      const first = await Promise.all([
        withDatabase(open, expectBootstrapped),
        withDatabase(open, expectBootstrapped),
      ]);
      expect(first).toEqual(["bootstrap", "bootstrap"]);
      expect(images(cache)).toHaveLength(1);
      expect(images(cache)[0]).toMatch(/^db-image-[0-9a-f]{64}\.gz$/);
      expect(await withDatabase(open, expectBootstrapped)).toBe("image");
      expect(await withDatabase(open)).toBe("image");
    },
    TIMEOUT,
  );

  it(
    "an image Postgres cannot start from is discarded and rebuilt; the check never fails for it",
    async () => {
      const cache = cacheIn("broken");
      const open = () => openLimitedSupabaseDatabase(60_000, "", cache);
      expect(await withDatabase(open)).toBe("bootstrap");
      const [name] = images(cache);
      const file = path.join(cache.dir ?? "", name ?? "");
      const key = /^db-image-(.*)\.gz$/.exec(name ?? "")?.[1] ?? "";
      // A well-formed file (right key, valid gzip) whose data directory is garbage.
      cache.write(key, { dataDir: new Uint8Array(4096).fill(7), settings: [] });
      expect(await withDatabase(open, expectBootstrapped)).toBe("bootstrap");
      expect(cache.read(key)?.dataDir.length).toBeGreaterThan(1_000_000);
      // Truncated on disk: the same.
      writeFileSync(file, readFileSync(file).subarray(0, 1000));
      expect(await withDatabase(open, expectBootstrapped)).toBe("bootstrap");
      expect(await withDatabase(open, expectBootstrapped)).toBe("image");
    },
    TIMEOUT,
  );

  it(
    "extraBootstrapSql has its own image, which keeps its objects and the settings it made",
    async () => {
      const cache = cacheIn("extra");
      const extra = `create schema vault; create table vault.secrets (id uuid primary key, name text);
set search_path to "$user", public, extensions, vault;`;
      const open = () => openLimitedSupabaseDatabase(60_000, extra, cache);
      const expectExtra = async (db: WorkerDatabase): Promise<void> => {
        // The table, found through the search_path the extra SQL set.
        const found = await db.query<{ path: string; secrets: boolean }>(
          `select current_setting('search_path') as path, to_regclass('secrets') is not null as secrets`,
        );
        expect(found.rows).toEqual([{ path: '"$user", public, extensions, vault', secrets: true }]);
      };
      expect(await withDatabase(open, expectExtra)).toBe("bootstrap");
      expect(await withDatabase(open, expectExtra)).toBe("image");
      expect(images(cache)).toHaveLength(1);
    },
    TIMEOUT,
  );

  it(
    "a cache that cannot be written: every run bootstraps, and works",
    async () => {
      const blocked = path.join(scratch, "not-a-dir");
      writeFileSync(blocked, "");
      const cache = new DatabaseImageCache(path.join(blocked, "cache"));
      expect(
        await withDatabase(() => openLimitedSupabaseDatabase(60_000, "", cache), expectBootstrapped),
      ).toBe("bootstrap");
    },
    TIMEOUT,
  );
});
