/**
 * The shape of `golive:database` that lib/ reads, owned here so pure logic does not depend on the
 * config loader: config/schema/database.ts validates the stack file, fills the defaults and uses
 * these lists in its schema; its `DatabaseConfig` is assignable to `DatabaseSource`.
 */
import { PITR_VARIANTS } from "./limits";

/** Supabase compute sizes (`golive:database.instanceSize`; the cost model prices each). */
export const INSTANCE_SIZES = [
  "nano",
  "micro",
  "small",
  "medium",
  "large",
  "xlarge",
  "2xlarge",
  "4xlarge",
  "8xlarge",
  "12xlarge",
  "16xlarge",
] as const;

/** Postgres majors the backup task has a pinned official image for (`golive:database.backups.postgresMajorVersion`). */
export const BACKUP_POSTGRES_MAJORS = ["15", "16", "17"] as const;
export type BackupPostgresMajor = (typeof BACKUP_POSTGRES_MAJORS)[number];

/**
 * The parts of `golive:database` the backup task is made from. config/schema/database.ts validates
 * them and fills the defaults; its `DatabaseConfig` is one of these.
 */
export interface BackupSource {
  readonly api: { readonly schemas: readonly string[] };
  readonly backups: {
    /** Unset: on in prod, off in staging. */
    readonly enabled?: boolean | undefined;
    readonly schedule: string;
    readonly timeZone: string;
    readonly postgresMajorVersion: BackupPostgresMajor;
    readonly retention: { readonly weeks: number; readonly weeklyDay: number; readonly months: number };
    readonly retries: number;
    readonly offsite: { readonly retentionDays: number; readonly archiveAfterDays?: number | undefined };
  };
}

/** Re-exported from lib/limits.ts for config/schema/database.ts. */
export { PITR_VARIANTS };

/**
 * The parts of `golive:database` these settings are made from. config/schema/database.ts validates
 * them and fills the defaults; its `DatabaseConfig` is one of these.
 */
export interface DatabaseSource extends BackupSource {
  readonly postgres: {
    /** Milliseconds. */
    readonly statementTimeout: number;
    readonly sharedBuffers?: string | undefined;
    readonly effectiveCacheSize?: string | undefined;
    readonly workMem?: string | undefined;
    readonly maintenanceWorkMem?: string | undefined;
    readonly maxConnections?: number | undefined;
  };
  readonly api: {
    readonly schemas: readonly string[];
    readonly extraSearchPath: readonly string[];
    readonly maxRows: number;
  };
  readonly auth: {
    readonly siteUrl: string;
    readonly redirectUrls: readonly string[];
    readonly passwordMinLength: number;
    readonly disableSignup: boolean;
    readonly jwtExpirySeconds: number;
    readonly smtp?:
      | {
          readonly host: string;
          readonly port: number;
          readonly user: string;
          readonly passwordSecret: string;
          readonly senderEmail: string;
          readonly senderName?: string | undefined;
          readonly maxFrequencySeconds: number;
        }
      | undefined;
  };
  readonly network: { readonly allowedCidrs: readonly string[] };
  readonly pooler: { readonly mode: string; readonly defaultPoolSize: number };
  readonly backups: BackupSource["backups"] & {
    readonly pointInTimeRecovery: (typeof PITR_VARIANTS)[number];
  };
}
