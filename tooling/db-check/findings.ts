/** What the database check reports. */

export type IsolationOperation = "select" | "insert" | "update" | "delete";

export type DbFindingKind =
  /** A table in an exposed schema without row level security (DB-01). */
  | "rls-disabled"
  /** RLS on, no policy: nobody but service_role can use the table. Often intended; worth a look. */
  | "no-policy"
  /** User A signed in, or an anonymous request, can read/change/create user B's rows (DB-01). */
  | "isolation-leak"
  /** A table with an owner column the isolation test could not exercise (no test rows could be made). */
  | "isolation-untested"
  /** A seed/test data file in the prod migration set (DB-08). */
  | "seed-in-prod";

export interface DbFinding {
  readonly check: "DB-01" | "DB-08";
  readonly kind: DbFindingKind;
  /** `error` fails the check; `warning` is reported and does not. */
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly schema?: string;
  readonly table?: string;
  readonly operation?: IsolationOperation;
  /** For a leak: the role of the request that got through (`authenticated` user A, or `anon`). */
  readonly actor?: "authenticated" | "anon";
  /** The migration file (and line) the finding points at, when one does. */
  readonly file?: string;
  readonly line?: number;
}
