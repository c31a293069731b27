/** Reading a Supabase migrations directory: its `*.sql` files in the order they are applied. */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { type SqlFile } from "./parser";

/** A migrations directory that cannot be read. */
export class MigrationsDirError extends Error {
  override readonly name = "MigrationsDirError";
  constructor(
    readonly dir: string,
    reason: string,
  ) {
    super(`migrations directory ${dir}: ${reason}`);
  }
}

/**
 * The `*.sql` files directly in `dir`, sorted by name (byte order, as the Supabase CLI applies them).
 * Names in the result are `dir/name` as given, so messages point at a path the user can open.
 */
export async function readMigrationFiles(dir: string): Promise<SqlFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "does not exist; set golive:database.migrationsDir to the folder holding the *.sql migrations"
        : code === "ENOTDIR"
          ? "is a file, not a directory; point it at the folder holding the *.sql migrations"
          : `cannot be read (${code ?? String(error)})`;
    throw new MigrationsDirError(dir, reason);
  }
  const names = entries
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith(".sql"))
    .map((entry) => entry.name)
    .sort(compareBytes);
  // An empty folder proves nothing: it is almost always the wrong folder, and it must not pass DB-01.
  if (names.length === 0) {
    const others = entries.filter((entry) => entry.isFile()).length;
    throw new MigrationsDirError(
      dir,
      `holds no *.sql migrations${others > 0 ? ` (it has ${others} other files)` : ""}; point golive:database.migrationsDir (or the command) at the folder the migrations are in`,
    );
  }
  return Promise.all(
    names.map(async (name) => {
      const filePath = path.join(dir, name);
      return { name: filePath, sql: await readFile(filePath, "utf8") };
    }),
  );
}

/** Byte-wise order, independent of the locale (`localeCompare` would sort `_` differently per machine). */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
