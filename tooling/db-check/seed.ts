/** DB-08: seed/test data files never belong to the migration set applied to prod. Pure. */
import { type EnvironmentName } from "../../config/schema/common";
import { type DbFinding } from "./findings";

/**
 * Base names that mark seed or test data: `seed.sql`, `seeds.sql`, `20250101000000_seed_users.sql`,
 * `test_data.sql`, `fixtures.sql`, `dummy-data.sql`, `fake_data.sql`. The word must stand on its
 * own, so `20250101_proceed.sql` or `add_test_results.sql` do not match.
 */
export const DEFAULT_SEED_PATTERNS: readonly RegExp[] = [
  /(^|[^a-z0-9])(seeds?|seeding|test[_-]?data|fixtures?|dummy[_-]?data|fake[_-]?data|sample[_-]?data)([^a-z0-9]|$)/i,
];

export interface SeedCheckOptions {
  /**
   * What marks a seed file. A string is a glob on the file's base name (`*` and `?`), or on the whole
   * path when it contains `/` (e.g. `supabase/seed.sql`); a RegExp is tested on the base name.
   * Default DEFAULT_SEED_PATTERNS.
   */
  readonly seedPatterns?: readonly (string | RegExp)[];
}

/**
 * The files of the migration set that look like seed data, as DB-08 findings when the environment is
 * prod; none in staging, where seeding is allowed. `files` are paths or names, in any order.
 */
export function checkSeedNotInProd(
  files: readonly string[],
  environment: EnvironmentName,
  options: SeedCheckOptions = {},
): DbFinding[] {
  if (environment !== "prod") return [];
  const patterns = (options.seedPatterns ?? DEFAULT_SEED_PATTERNS).map(toMatcher);
  return files
    .filter((file) => patterns.some((matches) => matches(normalize(file))))
    .map((file) => ({
      check: "DB-08",
      kind: "seed-in-prod",
      severity: "error",
      file,
      message:
        `${file} looks like seed/test data and is part of the prod migration set; ` +
        `move it out of the migrations directory (e.g. to supabase/seed.sql, applied to staging only)`,
    }));
}

function normalize(file: string): string {
  return file.replaceAll("\\", "/");
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}

function toMatcher(pattern: string | RegExp): (file: string) => boolean {
  if (pattern instanceof RegExp) {
    // A global or sticky RegExp keeps state between test() calls; copy it without those flags.
    const regex = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
    return (file) => regex.test(baseName(file));
  }
  const glob = globToRegExp(normalize(pattern));
  if (pattern.includes("/")) return (file) => glob.test(file) || suffixMatches(glob, file);
  return (file) => glob.test(baseName(file));
}

/** `supabase/seed.sql` also matches `/repo/supabase/seed.sql` and `./supabase/seed.sql`. */
function suffixMatches(glob: RegExp, file: string): boolean {
  const parts = file.split("/");
  return parts.some((_, index) => index > 0 && glob.test(parts.slice(index).join("/")));
}

/** `*` is any run of characters except `/`, `?` is one such character; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (const char of glob) {
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "i");
}
