/**
 * Bootstrapped database images kept on disk, so `golive db check` starts Postgres from a saved data
 * directory (about a second) instead of running initdb and the Supabase bootstrap (several seconds of
 * CPU) on every run.
 *
 * An image is keyed by a hash of everything that shapes it: the PGlite version (its Postgres and
 * contrib extensions), the bootstrap SQL, the extension list and `extraBootstrapSql`. It is not keyed
 * by the host: the data directory belongs to Postgres compiled to WebAssembly, whose memory is
 * little-endian on every machine. The cache is only ever an optimisation: an image that cannot be
 * read is deleted and rebuilt, and a directory that cannot be written means no caching.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { isRecord } from "../../lib/records";
import { removeCacheFile, writeCacheFile } from "../cache-dir";

// Changes when the file layout below or what is stored in it changes, or how database-worker.js
// starts Postgres (the options of PGlite.create): an image made another way is then not used.
const FORMAT = "golive-db-image/1";
const MAGIC = Buffer.from(`${FORMAT}\n`, "utf8");

/** A session setting the bootstrap made (search_path), replayed on a database started from an image. */
export interface SessionSetting {
  readonly name: string;
  readonly setting: string;
}

/** A bootstrapped database: its data directory (PGlite's tar) and its session settings. */
export interface DatabaseImage {
  readonly dataDir: Uint8Array;
  readonly settings: readonly SessionSetting[];
}

/** What shapes the bootstrapped database, hashed into the image's key. */
export interface ImageKeyParts {
  readonly pgliteVersion: string;
  readonly bootstrapSql: string;
  readonly extensions: readonly string[];
  readonly extraBootstrapSql: string;
}

export function imageKey(parts: ImageKeyParts): string {
  const hash = createHash("sha256");
  // Length-prefixed, so no two different sets of parts hash the same text.
  for (const part of [FORMAT, parts.pgliteVersion, parts.bootstrapSql, ...parts.extensions]) {
    hash.update(`${Buffer.byteLength(part, "utf8")}:${part}\n`);
  }
  hash.update(`extra ${Buffer.byteLength(parts.extraBootstrapSql, "utf8")}:${parts.extraBootstrapSql}`);
  return hash.digest("hex");
}

/** The installed PGlite's version (from its package.json, found next to its entry point). */
export function pgliteVersion(): string {
  let dir = path.dirname(require.resolve("@electric-sql/pglite"));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown };
      if (parsed.name === "@electric-sql/pglite" && typeof parsed.version === "string") return parsed.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

/**
 * Images in one directory, one gzip file per key: the format line, a JSON line (key, settings), then
 * the data directory's tar. gzip's CRC catches a damaged file; the key inside catches a misnamed one.
 */
export class DatabaseImageCache {
  /** `dir` undefined: no caching (every read misses, every write is dropped). */
  constructor(readonly dir: string | undefined) {}

  /** The image for `key`, or undefined when there is none or it cannot be read (then it is deleted). */
  read(key: string): DatabaseImage | undefined {
    const file = this.file(key);
    if (file === undefined) return undefined;
    let packed: Buffer;
    try {
      packed = readFileSync(file);
    } catch {
      return undefined;
    }
    const image = unpack(packed, key);
    if (image === undefined) this.discard(key);
    return image;
  }

  /** Stores the image, atomically: a reader sees the old file, the new one or none, never a part. */
  write(key: string, image: DatabaseImage): void {
    const file = this.file(key);
    if (file !== undefined) writeCacheFile(file, pack(key, image));
  }

  /** Removes the image for `key` (one that could not be read, or that Postgres would not start from). */
  discard(key: string): void {
    const file = this.file(key);
    if (file !== undefined) removeCacheFile(file);
  }

  private file(key: string): string | undefined {
    return this.dir === undefined ? undefined : path.join(this.dir, `db-image-${key}.gz`);
  }
}

function pack(key: string, image: DatabaseImage): Buffer {
  const header = Buffer.from(`${JSON.stringify({ key, settings: image.settings })}\n`, "utf8");
  // Level 1: 40 MB of data directory becomes about 5 MB, in a quarter of a second.
  return gzipSync(Buffer.concat([MAGIC, header, image.dataDir]), { level: 1 });
}

function unpack(packed: Buffer, key: string): DatabaseImage | undefined {
  let raw: Buffer;
  try {
    raw = gunzipSync(packed);
  } catch {
    return undefined;
  }
  if (!raw.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const end = raw.indexOf(0x0a, MAGIC.length);
  if (end < 0) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(raw.subarray(MAGIC.length, end).toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isHeader(header) || header.key !== key) return undefined;
  const dataDir = raw.subarray(end + 1);
  return dataDir.length === 0 ? undefined : { dataDir, settings: header.settings };
}

function isHeader(value: unknown): value is { key: string; settings: SessionSetting[] } {
  return (
    isRecord(value) &&
    typeof value.key === "string" &&
    Array.isArray(value.settings) &&
    value.settings.every(
      (setting: unknown) =>
        isRecord(setting) && typeof setting.name === "string" && typeof setting.setting === "string",
    )
  );
}
