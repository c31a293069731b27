/**
 * Where golive keeps what it can compute again but would rather not: provider output shapes parsed
 * from the SDKs' type definitions, bootstrapped database images. Caches are only ever an
 * optimisation: whatever cannot be read is computed again, and a directory that cannot be written
 * means no caching.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";

/** The environment variable naming the cache directory; `off` turns every cache off. */
export const CACHE_DIR_ENV = "GOLIVE_CACHE_DIR";

/**
 * `$GOLIVE_CACHE_DIR` (`off`: nowhere); else `node_modules/.cache/golive` of the project the command
 * runs in (the nearest package.json upward from `cwd` with a node_modules folder, as babel, eslint
 * and ava do), so `rm -rf node_modules` or `npm ci` clears it; else `$XDG_CACHE_HOME/golive`
 * (`~/.cache/golive`; the system's temporary folder without a home).
 */
export function defaultCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string | undefined {
  const configured = env[CACHE_DIR_ENV];
  if (configured !== undefined && configured !== "") {
    return configured === "off" ? undefined : path.resolve(cwd, configured);
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) {
      const modules = path.join(dir, "node_modules");
      if (existsSync(modules)) return path.join(modules, ".cache", "golive");
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, "golive");
  const home = homedir();
  return home === "" ? path.join(tmpdir(), "golive-cache") : path.join(home, ".cache", "golive");
}

/**
 * Writes a cache entry atomically (a temporary file, then a rename), so a reader in another process
 * sees the old file, the new one or none, never a part. A folder that cannot be written (read-only
 * checkout, full disk) only means no entry: the failure is swallowed and the temporary file removed.
 */
export function writeCacheFile(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch {
    removeCacheFile(temporary);
  }
}

/** Removes a cache entry; one already gone, or not ours to remove, is left for the next read to judge. */
export function removeCacheFile(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Another run may be replacing it.
  }
}
