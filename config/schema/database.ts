import { z } from "zod";
import { backupScheduleProblems } from "../../lib/backup-schedule";
import { BACKUP_POSTGRES_MAJORS, INSTANCE_SIZES, PITR_VARIANTS } from "../../lib/database-source";
import {
  duration,
  email,
  envVarName,
  example,
  hostname,
  httpsUrl,
  memorySize,
  publicCidr,
  slug,
} from "./common";

/** Regions the Supabase Management API accepts for new projects. */
export const SUPABASE_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "ap-northeast-2",
] as const;

// Point-in-time recovery add-on variants and the backup task's Postgres majors: lib/ owns both lists.
export { BACKUP_POSTGRES_MAJORS, PITR_VARIANTS };

const postgresSchema = z.strictObject({
  /** Cancels runaway queries; seed 001 asks for declared, not clicked, settings (DB-06). */
  statementTimeout: duration,
  sharedBuffers: memorySize.optional(),
  effectiveCacheSize: memorySize.optional(),
  workMem: memorySize.optional(),
  maintenanceWorkMem: memorySize.optional(),
  maxConnections: z.number().int().min(10).max(10_000).optional(),
});

const apiSchema = z.strictObject({
  /** Schemas PostgREST exposes; every table in them must have RLS (DB-01). */
  schemas: z.array(example(z.string().regex(/^[a-z_][a-z0-9_]*$/, "must be a schema name"), "public")).min(1),
  extraSearchPath: z
    .array(z.string().regex(/^[a-z_][a-z0-9_]*$/, "must be a schema name"))
    .default(["public", "extensions"]),
  maxRows: z.number().int().min(1).max(1_000_000).default(1000),
});

/** Schemes a redirect may never use: web pages go through https, and these run or read locally. */
const UNSAFE_SCHEMES = /^(https?|javascript|data|file|vbscript|blob|about|ftp|ws|wss):/i;

/**
 * A mobile deep link Supabase Auth may redirect to after sign-in, such as the Flutter and Expo
 * convention `io.supabase.<app>://login-callback`: a custom scheme with a host part.
 */
export const deepLinkUrl = example(
  z
    .string()
    .regex(
      /^[a-z][a-z0-9+.-]*:\/\/[^\s*]+$/i,
      "must be an https:// URL or an app deep link such as io.supabase.myapp://login-callback (no wildcards)",
    )
    .refine((value) => !UNSAFE_SCHEMES.test(value), {
      error: "a deep link needs the app's own scheme (io.supabase.myapp://...); web URLs must be https://",
    }),
  "io.supabase.myapp://login-callback",
);

/** A redirect Supabase Auth accepts: an https page of the app, or the mobile app's deep link. */
const redirectUrl = z.union([httpsUrl, deepLinkUrl], {
  error: "must be an https:// URL or an app deep link such as io.supabase.myapp://login-callback",
});

/**
 * Supabase Auth's own mail (sign-up confirmation, password reset) through the app's mail provider's
 * SMTP; the password is a provided secret, named here, never a literal.
 */
const smtpSchema = z.strictObject({
  host: example(hostname, "smtp.resend.com"),
  /** 465 (implicit TLS) or 587 (STARTTLS); 25 is refused by most clouds and unencrypted. */
  port: z.union([z.literal(465), z.literal(587), z.literal(2465), z.literal(2587)]).default(465),
  user: example(z.string().min(1, "must name the SMTP user"), "resend"),
  /** Name of a `golive:secrets.provided` secret holding the SMTP password (for Resend: the API key). */
  passwordSecret: example(envVarName, "RESEND_API_KEY"),
  senderEmail: email,
  senderName: z.string().min(1).optional(),
  /** Minimum seconds between two mails to one address (Supabase's `smtp_max_frequency`). */
  maxFrequencySeconds: z.number().int().min(1).max(3600).default(60),
});

/** The provider's rule for API key names (`^[a-z_][a-z0-9_]*$`); the bridge's auto-name has a hyphen. */
export const API_KEY_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Current Supabase API keys: a secret key (`sb_secret_…`) golive creates for the server, and the
 * project's publishable key (`sb_publishable_…`). The legacy anon/service_role JWTs stay on only
 * when `legacy` is true.
 */
const apiKeysSchema = z.strictObject({
  secretKeyName: example(
    z.string().regex(API_KEY_NAME, "must match ^[a-z_][a-z0-9_]*$ (lowercase letters, digits, '_'; no '-')"),
    "server",
  ).default("server"),
  legacy: z.boolean().default(false),
});

const authSchema = z.strictObject({
  siteUrl: httpsUrl,
  /** Pages (https) and mobile deep links (`io.supabase.<app>://login-callback`) Auth may redirect to. */
  redirectUrls: z.array(redirectUrl).default([]),
  smtp: smtpSchema.optional(),
  passwordMinLength: z
    .number()
    .int()
    .min(8, "must be at least 8")
    .max(72, "bcrypt ignores more than 72 bytes")
    .default(12),
  disableSignup: z.boolean().default(false),
  jwtExpirySeconds: z.number().int().min(300).max(604_800).default(3600),
});

const poolerSchema = z.strictObject({
  /** Transaction pooling suits serverless apps; session mode keeps prepared statements. */
  mode: example(z.enum(["transaction", "session"]), "transaction"),
  defaultPoolSize: example(z.number().int().min(1).max(3000), "20"),
});

const backupsSchema = z.strictObject({
  pointInTimeRecovery: example(z.enum(PITR_VARIANTS), "pitr_7"),
  /** The scheduled pg_dump to the off-site bucket (DB-03). Default: on in prod, off in staging. */
  enabled: z.boolean().optional(),
  /** When the backup runs: five-field cron in `timeZone`; at least daily (DB-03). */
  schedule: example(z.string().min(1), "0 3 * * *").default("0 3 * * *"),
  timeZone: example(z.string().min(1), "UTC").default("UTC"),
  /** The project's Postgres major: pg_dump and the drill's server come from that official image. */
  postgresMajorVersion: example(z.enum(BACKUP_POSTGRES_MAJORS), "17").default("17"),
  /** How long copies are kept. Daily copies follow offsite.retentionDays. */
  retention: z
    .strictObject({
      /** Weekly copies (the backup of `weeklyDay`), kept this many weeks. */
      weeks: z.number().int().min(0).max(520).default(5),
      /** Day of week (0 = Sunday, UTC) whose backup is also kept as the weekly copy. */
      weeklyDay: z.number().int().min(0).max(6).default(0),
      /** Monthly copies (the backup of the 1st), kept this many months. */
      months: z.number().int().min(0).max(120).default(12),
    })
    .default({ weeks: 5, weeklyDay: 0, months: 12 }),
  /** Extra pg_dump attempts within one run, before the run fails and alarms. */
  retries: z.number().int().min(0).max(5).default(2),
  /** The run's limit; a dump still running then is stopped and alarms. */
  timeoutMinutes: z.number().int().min(5).max(720).default(120),
  /** The restore drill: restore the newest backup into a throwaway Postgres and verify it (DB-03). */
  drill: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** At least weekly (DB-03). */
      schedule: example(z.string().min(1), "0 5 * * 0").default("0 5 * * 0"),
    })
    .default({ enabled: true, schedule: "0 5 * * 0" }),
  /** The off-site copy: an encrypted, versioned, private S3 bucket (DB-03). */
  offsite: z.strictObject({
    retentionDays: example(z.number().int().min(7, "keep off-site copies at least 7 days").max(3650), "35"),
    /** Days after which copies move to cheaper storage; must be below retentionDays. */
    archiveAfterDays: z.number().int().min(1).optional(),
  }),
});

/** `golive:database`: the Supabase project and how it is configured. */
export const databaseSchema = z
  .strictObject({
    organizationId: slug,
    region: example(z.enum(SUPABASE_REGIONS), "us-east-1"),
    instanceSize: example(z.enum(INSTANCE_SIZES), "small"),
    passwordLength: z
      .number()
      .int()
      .min(32, "generated passwords need at least 32 characters (SEC-02)")
      .max(128)
      .default(40),
    postgres: postgresSchema,
    api: apiSchema,
    auth: authSchema,
    network: z.strictObject({ allowedCidrs: z.array(publicCidr).default([]) }),
    pooler: poolerSchema,
    apiKeys: apiKeysSchema.prefault({}),
    backups: backupsSchema,
    /** The app's migrations, relative to the project root; the policy pack checks RLS on them (DB-01). */
    migrationsDir: example(z.string().min(1), "supabase/migrations"),
    /** Seed/test data files. Allowed in staging only (DB-08). */
    seedFiles: z.array(z.string().min(1)).default([]),
  })
  .superRefine((db, ctx) => {
    for (const problem of backupScheduleProblems(db.backups)) {
      ctx.addIssue({ code: "custom", path: ["backups", ...problem.path], message: problem.message });
    }
    const archive = db.backups.offsite.archiveAfterDays;
    if (archive !== undefined && archive >= db.backups.offsite.retentionDays) {
      ctx.addIssue({
        code: "custom",
        path: ["backups", "offsite", "archiveAfterDays"],
        message: `must be below retentionDays (${db.backups.offsite.retentionDays})`,
      });
    }
  });

export type DatabaseConfig = z.infer<typeof databaseSchema>;
