/**
 * The database the check talks to, and a time limit on every statement it runs.
 *
 * PGlite ignores `statement_timeout` (Postgres's timer is a signal, and the WASM build has none) and
 * runs on the calling thread, so `DO $$ BEGIN LOOP END LOOP; END $$` or `pg_sleep(1e6)` would hang
 * golive for good. WorkerDatabase runs PGlite in a worker thread (database-worker.js) and times each
 * call from this thread; past the limit it ends the worker, and that call and every later one reject
 * with StatementTimeoutError.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import { type PostgresErrorFields } from "./apply";

/** What the check needs of a database; an in-process PGlite has it too. */
export interface SqlSession {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
  /** Runs `count` statements in one call, under the per-statement limit times `count` (if it has one). */
  execStatements?(sql: string, count: number): Promise<unknown>;
  isInTransaction(): boolean;
  close(): Promise<void>;
}

/** A statement that ran longer than the limit; the database is gone after it. */
export class StatementTimeoutError extends Error {
  override readonly name = "StatementTimeoutError";
  constructor(
    readonly limitMs: number,
    readonly sql: string,
  ) {
    super(`a statement did not finish within ${formatDuration(limitMs)}: ${firstLine(sql)}`);
  }
}

/** The default per-statement limit: generous for DDL on an empty database, short for a hang. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

/** The environment variable that sets it (a duration: `30s`, `5m`); `--statement-timeout` wins. */
export const STATEMENT_TIMEOUT_ENV = "GOLIVE_STATEMENT_TIMEOUT";

export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The statement's first line that is not blank or a comment, shortened: what a message quotes. */
export function firstLine(sql: string): string {
  const line =
    sql
      .split("\n")
      .map((text) => text.trim())
      .find((text) => text !== "" && !text.startsWith("--")) ?? "";
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

type Reply =
  | {
      id: number;
      ok: true;
      rows: unknown[];
      affectedRows?: number;
      image?: Uint8Array;
      inTransaction: boolean;
    }
  | { id: number; ok: false; error: PostgresErrorFields; inTransaction: boolean };

type Message = Reply | { ready: true } | { startError: PostgresErrorFields };

interface Result {
  readonly rows: unknown[];
  readonly affectedRows?: number;
  readonly image?: Uint8Array;
}

interface Pending {
  readonly resolve: (result: Result) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** A Postgres error re-made on this thread, with the fields apply.ts reads (code, position, ...). */
function postgresError(fields: PostgresErrorFields): Error {
  return Object.assign(new Error(fields.message), fields);
}

/** PGlite on a worker thread, every call limited to `statementTimeoutMs`. */
export class WorkerDatabase implements SqlSession {
  private nextId = 0;
  private inTransaction = false;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    /** The limit for calls made from now on (the bootstrap runs under a longer one). */
    public statementTimeoutMs: number,
  ) {
    worker.on("message", (message: Message) => this.receive(message));
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", () => this.fail(new Error("the database check's Postgres stopped unexpectedly")));
  }

  /**
   * Starts PGlite (with `extensions`: name → `@electric-sql/pglite/contrib/<name>`) on its own thread,
   * from `image` (a data directory tar from dumpImage(); its buffer moves to the worker) or from initdb.
   */
  static async open(
    extensions: readonly string[],
    statementTimeoutMs: number,
    image?: Uint8Array,
  ): Promise<WorkerDatabase> {
    const worker = new Worker(path.join(__dirname, "database-worker.js"), {
      workerData: {
        pglitePath: require.resolve("@electric-sql/pglite"),
        extensions: extensions.map((name) => ({
          name,
          path: require.resolve(`@electric-sql/pglite/contrib/${name}`),
        })),
        image,
      },
      transferList: image?.buffer instanceof ArrayBuffer ? [image.buffer] : [],
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: Message) => {
        if ("ready" in message) resolve();
        else if ("startError" in message) reject(postgresError(message.startError));
      };
      worker.once("message", onMessage);
      worker.once("error", reject);
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    return new WorkerDatabase(worker, statementTimeoutMs);
  }

  query<T>(sql: string, params: unknown[] = []): Promise<{ rows: T[]; affectedRows?: number }> {
    return this.call("query", sql, params).then(({ rows, affectedRows }) => ({
      rows: rows as T[],
      ...(affectedRows === undefined ? {} : { affectedRows }),
    }));
  }

  async exec(sql: string): Promise<unknown> {
    await this.call("exec", sql, []);
    return [];
  }

  async execStatements(sql: string, count: number): Promise<unknown> {
    await this.call("exec", sql, [], Math.max(1, count));
    return [];
  }

  /** The data directory as a tar (PGlite's dumpDataDir), to start a later database from. */
  async dumpImage(): Promise<Uint8Array> {
    const { image } = await this.call("dump", "", []);
    if (image === undefined) throw new Error("the database check's Postgres sent no image");
    return image;
  }

  isInTransaction(): boolean {
    return this.inTransaction;
  }

  async close(): Promise<void> {
    if (this.failure === undefined) {
      await this.call("close", "", []).catch(() => undefined);
      this.failure = new Error("the database is closed");
    }
    await this.worker.terminate();
  }

  private call(
    op: "query" | "exec" | "dump" | "close",
    sql: string,
    params: unknown[],
    statements = 1,
  ): Promise<Result> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      const limitMs = this.statementTimeoutMs * statements;
      const timer = setTimeout(() => {
        this.fail(new StatementTimeoutError(limitMs, sql));
        void this.worker.terminate();
      }, limitMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, op, sql, params });
    });
  }

  private receive(message: Message): void {
    if (!("id" in message)) return;
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    this.inTransaction = message.inTransaction;
    if (message.ok) {
      pending.resolve({
        rows: message.rows,
        ...(message.affectedRows === undefined ? {} : { affectedRows: message.affectedRows }),
        ...(message.image === undefined ? {} : { image: message.image }),
      });
    } else pending.reject(postgresError(message.error));
  }

  /** Rejects every call in flight and every later one with `error` (the first failure wins). */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(this.failure);
      this.pending.delete(id);
    }
  }
}
