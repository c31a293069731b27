/**
 * SQL files split into statements by the real Postgres parser (libpg_query, compiled to WASM), with
 * the file and line of every statement, and syntax errors that name the file and line.
 */
import { hasSqlDetails, loadModule, parseSync, type Node } from "libpg-query";

/** One SQL file, by name (as it should appear in messages) and content. */
export interface SqlFile {
  readonly name: string;
  readonly sql: string;
}

/** One top-level statement of a file. */
export interface SqlStatement {
  readonly file: string;
  /** 1-based line of the statement's first keyword (leading comments skipped). */
  readonly line: number;
  /** The statement's text as written, comments before it included, without the final `;`. */
  readonly text: string;
  /** 1-based line where `text` begins (before `line` when comments precede the statement). */
  readonly textLine: number;
  readonly node: Node;
}

/** A file the Postgres parser rejects. The message names file, line and column and quotes the line. */
export class SqlSyntaxError extends Error {
  override readonly name = "SqlSyntaxError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly parserMessage: string,
    readonly sourceLine: string,
  ) {
    super(
      `${file}:${line}:${column}: SQL syntax error: ${parserMessage}\n` +
        `    ${sourceLine.trimEnd()}\n` +
        `fix the statement at ${file} line ${line}; the file is parsed by the Postgres 18 parser`,
    );
  }
}

let parserReady: Promise<void> | undefined;

/** Loads the WASM parser once per process; every other function here needs it loaded. */
export function loadSqlParser(): Promise<void> {
  parserReady ??= loadModule();
  return parserReady;
}

/** Splits a file into statements. Throws SqlSyntaxError when the Postgres parser rejects it. */
export async function parseSqlFile(file: SqlFile): Promise<SqlStatement[]> {
  await loadSqlParser();
  return parseSqlFileSync(file);
}

/** Synchronous form of parseSqlFile, for callers that awaited loadSqlParser() already. */
export function parseSqlFileSync(file: SqlFile): SqlStatement[] {
  // libpg_query rejects an empty string; a file of only whitespace or comments parses to nothing.
  if (file.sql.trim() === "") return [];
  let raw;
  try {
    raw = parseSync(file.sql);
  } catch (error) {
    throw toSyntaxError(file, error);
  }
  // Statement locations are byte offsets into the UTF-8 text.
  const bytes = Buffer.from(file.sql, "utf8");
  // One pass over the file for line numbers: counting from the start per statement made a file of n
  // statements cost O(n × size), minutes for a few megabytes.
  const lines = new LineIndex(bytes);
  const statements: SqlStatement[] = [];
  for (const rawStmt of raw.stmts ?? []) {
    if (rawStmt.stmt === undefined) continue;
    // The JSON form omits zero values: a missing location is 0, a missing length means "to the end".
    const start = rawStmt.stmt_location ?? 0;
    const length = rawStmt.stmt_len ?? 0;
    const end = length === 0 ? bytes.length : start + length;
    const keywordOffset = skipSpaceAndComments(bytes, start, end);
    statements.push({
      file: file.name,
      line: lines.lineAt(keywordOffset),
      text: bytes.subarray(start, end).toString("utf8"),
      textLine: lines.lineAt(start),
      node: rawStmt.stmt,
    });
  }
  return statements;
}

function toSyntaxError(file: SqlFile, error: unknown): Error {
  if (!hasSqlDetails(error) || error.sqlDetails === undefined) {
    const message = error instanceof Error ? error.message : String(error);
    return new SqlSyntaxError(file.name, 1, 1, message, firstLine(file.sql));
  }
  // The parser reports the cursor as a 0-based index in code points.
  const { line, column, text } = positionAtCodePoint(file.sql, error.sqlDetails.cursorPosition);
  return new SqlSyntaxError(file.name, line, column, error.sqlDetails.message, text);
}

function firstLine(sql: string): string {
  return sql.split("\n", 1)[0] ?? "";
}

/** 1-based line and column of a 0-based code point index, and that line's text. */
export function positionAtCodePoint(
  sql: string,
  codePointIndex: number,
): { line: number; column: number; text: string } {
  let line = 1;
  let column = 1;
  let index = 0;
  let lineStart = 0; // in UTF-16 units, to slice the line's text
  let unitOffset = 0;
  for (const char of sql) {
    if (index >= codePointIndex) break;
    if (char === "\n") {
      line += 1;
      column = 1;
      lineStart = unitOffset + 1;
    } else {
      column += 1;
    }
    index += 1;
    unitOffset += char.length;
  }
  const lineEnd = sql.indexOf("\n", lineStart);
  return { line, column, text: sql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd) };
}

/**
 * Line numbers of byte offsets in one text: the newlines are found in one pass when it is built, and
 * each lookup is a binary search, so numbering every statement of a file stays linear in its size.
 */
export class LineIndex {
  /** Byte offsets of the newlines, in increasing order. */
  private readonly newlines: number[] = [];

  constructor(bytes: ArrayLike<number>) {
    const length = bytes.length;
    for (let i = 0; i < length; i += 1) if (bytes[i] === 0x0a) this.newlines.push(i);
  }

  /** 1-based line of a byte offset: one plus the newlines before it. */
  lineAt(offset: number): number {
    let low = 0;
    let high = this.newlines.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.newlines[middle]! < offset) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  }
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]);
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;

/** Offset of the first byte in [start, end) that is neither whitespace nor inside a comment. */
function skipSpaceAndComments(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const byte = bytes[i];
    if (byte !== undefined && SPACE.has(byte)) {
      i += 1;
    } else if (byte === DASH && bytes[i + 1] === DASH) {
      while (i < end && bytes[i] !== 0x0a) i += 1;
    } else if (byte === SLASH && bytes[i + 1] === STAR) {
      // Postgres block comments nest.
      let depth = 1;
      i += 2;
      while (i < end && depth > 0) {
        if (bytes[i] === SLASH && bytes[i + 1] === STAR) {
          depth += 1;
          i += 2;
        } else if (bytes[i] === STAR && bytes[i + 1] === SLASH) {
          depth -= 1;
          i += 2;
        } else {
          i += 1;
        }
      }
    } else {
      return i;
    }
  }
  return Math.min(i, end);
}
