/**
 * Where a program's Supabase files are (DB-01, DB-08, SEC-06): the migrations and
 * `supabase/config.toml`. golive's own stacks name the migrations in
 * `golive:database.migrationsDir`; every other Supabase program keeps them where the Supabase CLI
 * puts them, a `supabase/` directory beside Pulumi.yaml or, in a repository whose infrastructure
 * lives in a subdirectory (`infra/`), at the repository root. The search goes from the project
 * root up to the repository root (the first directory holding `.git`), never above it, so a pack
 * never reads another project's files.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface SupabaseFiles {
  /** The migrations directory, when it exists (or is configured). */
  readonly migrationsDir?: string;
  /** `supabase/config.toml`, when it exists. */
  readonly configToml?: string;
  /** How they were found, for messages. */
  readonly source: string;
}

const SUPABASE_DIR = "supabase";

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The Supabase CLI's directory at or above the project root, up to the repository root. */
export function findSupabaseDir(projectDir: string): string | undefined {
  let dir = path.resolve(projectDir);
  for (;;) {
    const candidate = path.join(dir, SUPABASE_DIR);
    if (isFile(path.join(candidate, "config.toml")) || isDirectory(path.join(candidate, "migrations")))
      return candidate;
    const parent = path.dirname(dir);
    if (parent === dir || fs.existsSync(path.join(dir, ".git"))) return undefined;
    dir = parent;
  }
}

/**
 * The program's Supabase files: the configured migrations directory (relative to the project
 * root) with the config.toml beside it, else the Supabase CLI's layout. Undefined when neither
 * exists.
 */
export function supabaseFiles(
  projectDir: string | undefined,
  configuredMigrationsDir: string | undefined,
): SupabaseFiles | undefined {
  if (configuredMigrationsDir !== undefined) {
    if (!projectDir && !path.isAbsolute(configuredMigrationsDir)) return undefined;
    const migrationsDir = path.resolve(projectDir ?? "/", configuredMigrationsDir);
    const toml = path.join(migrationsDir, "..", "config.toml");
    return {
      migrationsDir,
      ...(isFile(toml) ? { configToml: toml } : {}),
      source: "golive:database.migrationsDir",
    };
  }
  if (!projectDir) return undefined;
  const dir = findSupabaseDir(projectDir);
  if (dir === undefined) return undefined;
  const migrations = path.join(dir, "migrations");
  const toml = path.join(dir, "config.toml");
  return {
    ...(isDirectory(migrations) ? { migrationsDir: migrations } : {}),
    ...(isFile(toml) ? { configToml: toml } : {}),
    source: `the Supabase CLI's directory ${dir}`,
  };
}
