/** DB: the Supabase database is locked down, pooled, backed up, protected, declared and audited. */
import * as fs from "node:fs";
import * as path from "node:path";
import ipaddr from "ipaddr.js";
import { broadAddress } from "../lib/cidr";
import { MANAGEMENT_SETTING_TYPE } from "../lib/component-types";
import { AUDIT_RETENTION_MIN_DAYS, PITR_ADDON_VARIANTS } from "../lib/limits";
import {
  checkRlsInMigrations,
  MigrationsDirError,
  SqlSyntaxError,
  type RlsCheckResult,
} from "../lib/sql/rls";
import { checkOffsiteBackupJob, configuredAllowedCidrs } from "./db-backup";
import {
  checkDatabaseNetworks,
  DATABASE_NETWORK_RULE_TYPES,
  ingressOf,
  judgeIngress,
  WELL_KNOWN_DATABASE_PORTS,
} from "./db-network";
import { databaseConfigSchema, readConfigKey, type DatabaseConfig } from "./lib/config";
import type { Check, PolicySpec, ResourceView } from "./lib/define";
import { bool, jsonBlob, list, num, propsOf, StackIndex, type Blob } from "./lib/props";
import {
  ADDONS_PATH,
  isAuditLogGroup,
  isBackupBucket,
  managementBody,
  managementPath,
  POOLER_PATH,
} from "./lib/stack";
import { BUCKET_TYPES, ENCRYPTION_TYPES, LIFECYCLE_TYPES, T, VERSIONING_TYPES } from "./lib/types";
import { supabaseFiles } from "./lib/supabase-dir";
import { leaves, peek, UNKNOWN } from "./lib/unknowns";

/** `golive:database` when it parses; a malformed value is a violation of the policy that needs it. */
export function databaseConfig(check: Check): DatabaseConfig | undefined {
  const read = readConfigKey(check.ctx.config, "golive:database", databaseConfigSchema);
  if (!read.ok) {
    check.violation(`${read.key} cannot be read: ${read.problem}`);
    return undefined;
  }
  return read.value;
}

function blobOrReport(
  blob: Blob,
  what: string,
  check: Check,
  mustBeKnown: boolean,
): Record<string, unknown> | undefined {
  switch (blob.kind) {
    case "object":
      return blob.value;
    case "absent":
      check.violation(`${what} is not set`);
      return undefined;
    case "invalid":
      check.violation(`${what} is not a JSON object: ${blob.error}`);
      return undefined;
    case "unknown":
      if (mustBeKnown)
        check.violation(`${what} must be known at preview (a literal value, not computed at apply)`);
      else check.undeterminable(what);
      return undefined;
  }
}

// ------------------------------------------------------------------------------------------------
// DB-01

const rlsRuns = new Map<string, Promise<RlsCheckResult>>();

/** The migrations don't change during a run: check each directory once per pack process. */
function checkMigrations(dir: string, schemas: readonly string[]): Promise<RlsCheckResult> {
  const key = `${dir}\u0000${schemas.join(",")}`;
  let run = rlsRuns.get(key);
  if (!run) {
    run = checkRlsInMigrations(dir, { exposedSchemas: schemas });
    rlsRuns.set(key, run);
  }
  return run;
}

/**
 * Where the app's migrations are: golive:database.migrationsDir (relative to the project root), else
 * the Supabase CLI's `supabase/migrations` (lib/supabase-dir).
 */
function migrationsDir(check: Check, config = databaseConfig(check)): string | undefined {
  const configured = config?.migrationsDir;
  const root = check.ctx.projectDir;
  if (configured !== undefined && !root && !path.isAbsolute(configured)) {
    check.violation(
      "the Pulumi project root (a directory with Pulumi.yaml above the pack) cannot be found; set GOLIVE_PROJECT_DIR",
    );
    return undefined;
  }
  const found = supabaseFiles(root, configured)?.migrationsDir;
  if (found !== undefined) return found;
  if (config) {
    check.violation(
      "golive:database.migrationsDir is not set and no supabase/migrations directory is beside Pulumi.yaml; the pack checks row level security on the app's migrations",
    );
  }
  return undefined;
}

const rlsEnabled: PolicySpec = {
  name: "db-01-rls-enabled",
  id: "DB-01",
  description:
    "Every table in a schema the Data API exposes has row level security enabled after the app's migrations (parsed statically).",
  severity: "critical",
  remediationSteps:
    "Add `alter table <schema>.<table> enable row level security;` (and the policies the app needs) in a new migration; never disable RLS on an exposed table.",
  resource: {
    types: [T.supabaseProject],
    async validate(_resource, check) {
      const dir = migrationsDir(check);
      if (!dir) return;
      const schemas = databaseConfig(check)?.api?.schemas ?? ["public"];
      let result: RlsCheckResult;
      try {
        result = await checkMigrations(dir, schemas);
      } catch (error) {
        if (error instanceof SqlSyntaxError || error instanceof MigrationsDirError) {
          check.violation(`the migrations cannot be checked: ${error.message}`);
          return;
        }
        throw error;
      }
      for (const table of result.tablesWithoutRls) {
        const disabled = table.rlsDisabledAt
          ? `; RLS is disabled at ${table.rlsDisabledAt.file}:${table.rlsDisabledAt.line}`
          : "";
        check.violation(
          `table ${table.schema}.${table.table} (created at ${table.file}:${table.line}) has no row level security${disabled}`,
        );
      }
      for (const statement of result.unanalyzed) {
        check.notice(
          `${statement.file}:${statement.line} cannot be checked statically (${statement.reason}); the database check sees its effect`,
        );
      }
    },
  },
};

// ------------------------------------------------------------------------------------------------
// DB-02

const POOL_MODES = ["transaction", "session"];

function checkPoolerValues(value: Record<string, unknown>, what: string, check: Check): void {
  const mode = value.pool_mode;
  if (typeof mode !== "string" || !POOL_MODES.includes(mode)) {
    check.violation(
      `${what}: pool_mode must be transaction or session (it is ${JSON.stringify(mode) ?? "unset"})`,
    );
  }
  const size = value.default_pool_size;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > 3000) {
    check.violation(
      `${what}: default_pool_size must be an integer from 1 to 3000 (it is ${JSON.stringify(size) ?? "unset"})`,
    );
  }
}

const connectionPooling: PolicySpec = {
  name: "db-02-connection-pooling",
  id: "DB-02",
  description:
    "Connection pooling is configured for every Supabase project: pool mode (transaction or session) and pool size.",
  severity: "medium",
  remediationSteps:
    "Set golive:database.pooler {mode, defaultPoolSize}: the database component writes the Settings `pooler` blob and applies it through the Management API (provider 1.10.1 accepts the blob without applying it).",
  resource: {
    types: [T.supabaseSettings, MANAGEMENT_SETTING_TYPE],
    validate(resource, check) {
      if (resource.type === MANAGEMENT_SETTING_TYPE) {
        if (managementPath(resource) !== POOLER_PATH) return;
        const body = managementBody(resource);
        if (body.kind === "unknown") check.undeterminable(`the pooler request of "${resource.name}"`);
        else if (body.kind === "invalid")
          check.violation(`the pooler request of "${resource.name}" has no JSON body`);
        else checkPoolerValues(body.value, `pooler request "${resource.name}"`, check);
        return;
      }
      // Absent is judged by the stack check, which also accepts a Management API pooler request.
      const blob = jsonBlob(resource.props, "pooler");
      if (blob.kind === "absent") return;
      const value = blobOrReport(blob, `the pooler settings of "${resource.name}"`, check, false);
      if (value) checkPoolerValues(value, `the pooler settings of "${resource.name}"`, check);
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    if (index.ofType(T.supabaseProject).length === 0)
      check.notApplicable("the stack has no Supabase project");
    check.each(index.ofType(T.supabaseProject), (project) => {
      const settings = index
        .referencing(project, "projectRef", [T.supabaseSettings])
        .filter((s) => jsonBlob(s.props, "pooler").kind !== "absent");
      const requests = index
        .referencing(project, "projectRef", [MANAGEMENT_SETTING_TYPE])
        .filter((r) => managementPath(r) === POOLER_PATH);
      if (settings.length === 0 && requests.length === 0) {
        check.violation(
          `Supabase project "${project.name}" has no connection pooling configuration`,
          project.urn,
        );
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// DB-03

function checkBackupBucket(
  bucket: ReturnType<StackIndex["ofType"]>[number],
  index: StackIndex,
  check: Check,
): void {
  const label = `backup bucket "${bucket.name}"`;
  const related = (types: readonly string[]) => index.referencing(bucket, "bucket", types);

  const versioning = related(VERSIONING_TYPES);
  const inlineVersioning = bool(bucket.props, "versioning", "enabled") === true;
  const versioned =
    inlineVersioning ||
    versioning.some((v) => {
      const status = propsOf<{ versioningConfiguration: { status: string } }>(v).versioningConfiguration
        ?.status;
      return status === "Enabled";
    });
  if (!versioned) check.violation(`${label} is not versioned (BucketVersioning status Enabled)`, bucket.urn);
  // Several configurations of one bucket fight: the one applied last wins, so none may be weaker.
  for (const v of versioning) {
    const status = peek(v.props, "versioningConfiguration", "status");
    if (status !== UNKNOWN && status !== "Enabled")
      check.violation(
        `${label} has a versioning resource "${v.name}" with status ${JSON.stringify(status)}`,
        bucket.urn,
      );
  }

  const encryption = related(ENCRYPTION_TYPES);
  const kms = encryption.some((e) => {
    const rules = list(e.props, "rules");
    return (
      Array.isArray(rules) &&
      rules.some((rule) => {
        const defaults = (rule as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: unknown } })
          .applyServerSideEncryptionByDefault;
        return defaults?.sseAlgorithm === "aws:kms" || defaults?.sseAlgorithm === "aws:kms:dsse";
      })
    );
  });
  if (!kms) check.violation(`${label} is not encrypted with a KMS key (sseAlgorithm aws:kms)`, bucket.urn);
  for (const e of encryption) {
    const algorithms = leaves(peek(e.props, "rules"))
      .filter((leaf) => leaf.key === "sseAlgorithm" && !leaf.unknown)
      .map((leaf) => leaf.value);
    const weak = algorithms.filter((algorithm) => algorithm !== "aws:kms" && algorithm !== "aws:kms:dsse");
    if (weak.length > 0)
      check.violation(
        `${label} has an encryption resource "${e.name}" with ${JSON.stringify(weak)}, not a KMS key`,
        bucket.urn,
      );
  }

  const blocks = related([T.bucketPublicAccessBlock]);
  const keys = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
  const closed =
    blocks.some((b) => keys.every((key) => bool(b.props, key) === true)) &&
    !blocks.some((b) => keys.some((key) => bool(b.props, key) === false || bool(b.props, key) === undefined));
  if (!closed) {
    check.violation(
      `${label} is not closed to the public (a BucketPublicAccessBlock with all four settings true)`,
      bucket.urn,
    );
  }

  const lifecycles = related(LIFECYCLE_TYPES);
  const hasRule = lifecycles.some((l) => {
    const rules = list(l.props, "rules");
    return Array.isArray(rules) && rules.some((rule) => (rule as { status?: unknown }).status === "Enabled");
  });
  if (!hasRule) check.violation(`${label} has no enabled lifecycle rule`, bucket.urn);
}

const backups: PolicySpec = {
  name: "db-03-backups",
  id: "DB-03",
  description:
    "prod has point-in-time recovery and a scheduled off-site backup job with a freshness alarm and a weekly restore drill; every environment keeps an off-site copy in an encrypted (KMS), versioned, non-public bucket with a lifecycle.",
  severity: "high",
  remediationSteps:
    "Set golive:database.backups (pointInTimeRecovery pitr_7/14/28 in prod, offsite retention, the backup schedule and drill); the database component creates the PITR add-on request and the backup bucket with versioning, KMS encryption, a public access block and a lifecycle, and the backup component the scheduled pg_dump, its freshness alarm and the restore drill.",
  stack(resources, check) {
    const index = new StackIndex(resources);
    const projects = index.ofType(T.supabaseProject);
    // A backup bucket is checked wherever it is: a team keeps its dumps' bucket in a stack of its own.
    const buckets = index.ofType(...BUCKET_TYPES).filter((bucket) => isBackupBucket(bucket));
    if (projects.length === 0 && buckets.length === 0)
      check.notApplicable("the stack has no Supabase project and no backup bucket");
    if (check.env === "prod") {
      check.each(projects, (project) => {
        const pitr = index
          .referencing(project, "projectRef", [MANAGEMENT_SETTING_TYPE])
          .filter((r) => managementPath(r) === ADDONS_PATH)
          .map((r) => managementBody(r));
        const enabled = pitr.some(
          (body) =>
            body.kind === "object" &&
            body.value.addon_type === "pitr" &&
            typeof body.value.addon_variant === "string" &&
            (PITR_ADDON_VARIANTS as readonly string[]).includes(body.value.addon_variant),
        );
        if (pitr.some((body) => body.kind === "unknown") && !enabled) {
          check.undeterminable(`the point-in-time recovery request of "${project.name}"`, project.urn);
        } else if (!enabled) {
          check.violation(
            `prod Supabase project "${project.name}" has no point-in-time recovery add-on (${ADDONS_PATH} addon_type pitr)`,
            project.urn,
          );
        }
      });
    }
    if (buckets.length === 0) {
      check.absent("no off-site backup bucket (a bucket named or tagged for backups) exists");
      return;
    }
    check.each(buckets, (bucket) => checkBackupBucket(bucket, index, check));
    if (check.env === "prod") checkOffsiteBackupJob(index, buckets, check);
  },
};

// ------------------------------------------------------------------------------------------------
// DB-04

const prodDatabaseProtected: PolicySpec = {
  name: "db-04-prod-database-protected",
  id: "DB-04",
  description:
    "The prod Supabase project and its backup bucket are protected (`protect`) and the bucket cannot be force-destroyed.",
  severity: "critical",
  remediationSteps:
    "Create the prod project and backup bucket with `{ protect: true, retainOnDelete: true }` and `forceDestroy: false`. retainOnDelete is not visible to policies; the offline plan shows it.",
  resource: {
    types: [T.supabaseProject, ...BUCKET_TYPES],
    validate(resource, check) {
      if (resource.type !== T.supabaseProject && !isBackupBucket(resource)) return;
      const what =
        resource.type === T.supabaseProject
          ? `the prod database "${resource.name}"`
          : `backup bucket "${resource.name}"`;
      if (!resource.opts.protect)
        check.violation(`${what} is not protected (set the protect resource option)`);
      if (resource.type !== T.supabaseProject) {
        const force = check.mustBeKnown(
          () => bool(resource.props, "forceDestroy"),
          `forceDestroy of ${what}`,
        );
        if (force === true)
          check.violation(`${what} has forceDestroy: true; a delete would remove every backup`);
      }
    },
  },
};

// ------------------------------------------------------------------------------------------------
// DB-05

export function cidrProblem(cidr: unknown): string | undefined {
  if (typeof cidr !== "string") return `${JSON.stringify(cidr)} is not a CIDR string`;
  try {
    const [address, prefix] = ipaddr.parseCIDR(cidr);
    if (prefix === 0) return `${cidr} admits every address`;
    if (address.range() !== "unicast") return `${cidr} is in the ${address.range()} range, not a public one`;
    const broad = broadAddress(cidr);
    return broad === undefined ? undefined : `${broad}: not a list of the app's addresses`;
  } catch {
    return `${cidr} is not a CIDR block`;
  }
}

const networkRestricted: PolicySpec = {
  name: "db-05-network-restricted",
  id: "DB-05",
  description:
    "SSL is enforced on the database, and in prod network access is restricted to listed public CIDRs (never 0.0.0.0/0); no security group opens a database's port to the world.",
  severity: "high",
  remediationSteps:
    "Set golive:database.network.allowedCidrs to the app's egress ranges; the database component writes Settings `network` {restrictions} and `sslEnforcement: true`.",
  // Every other database of the catalogue and the ingress rules in front of it (db-network.ts).
  stack(resources, check) {
    checkDatabaseNetworks(new StackIndex(resources), check);
  },
  resource: {
    types: [T.supabaseSettings, ...DATABASE_NETWORK_RULE_TYPES],
    validate(resource, check) {
      if (resource.type !== T.supabaseSettings) {
        // Each rule on its own, as the engine analyzes it before creating it (on the well-known ports).
        for (const rule of ingressOf(resource, undefined))
          judgeIngress(rule, WELL_KNOWN_DATABASE_PORTS, [], check);
        return;
      }
      const prod = check.env === "prod";
      const read = <V>(fn: () => V, what: string) =>
        prod ? check.mustBeKnown(fn, what) : check.known(fn, what);
      const ssl = read(() => bool(resource.props, "sslEnforcement"), `sslEnforcement of "${resource.name}"`);
      if (ssl !== UNKNOWN && ssl !== true)
        check.violation(`"${resource.name}" does not enforce SSL (sslEnforcement: true)`);
      if (!prod) return;
      const networkBlob = jsonBlob(resource.props, "network");
      const configured = networkBlob.kind === "unknown" ? configuredAllowedCidrs(check) : undefined;
      if (configured) {
        for (const cidr of configured) {
          const problem = cidrProblem(cidr);
          if (problem) check.violation(`golive:database.network.allowedCidrs: ${problem}`);
        }
        check.undeterminable(
          `the network restrictions of "${resource.name}" beyond golive:database.network.allowedCidrs (the backup runner's address, allocated at apply)`,
        );
        return;
      }
      const network = blobOrReport(
        networkBlob,
        `the network restrictions of "${resource.name}"`,
        check,
        true,
      );
      if (!network) return;
      const restrictions = network.restrictions;
      if (!Array.isArray(restrictions) || restrictions.length === 0) {
        check.violation(
          `"${resource.name}" lists no network restrictions; prod must list the CIDRs that may connect`,
        );
        return;
      }
      for (const cidr of restrictions) {
        const problem = cidrProblem(cidr);
        if (problem) check.violation(`network restriction of "${resource.name}": ${problem}`);
      }
    },
  },
};

// ------------------------------------------------------------------------------------------------
// DB-06

const DEFAULT_REQUIRED_SETTINGS = [
  "statement_timeout",
  "shared_buffers",
  "effective_cache_size",
  "work_mem",
  "maintenance_work_mem",
];

const settingsDeclared: PolicySpec = {
  name: "db-06-settings-declared",
  id: "DB-06",
  description:
    "Every Supabase project has its settings declared in code: a Settings resource whose `database` blob sets the statement timeout and memory settings.",
  severity: "medium",
  remediationSteps:
    "Set golive:database.postgres (statementTimeout, sharedBuffers, effectiveCacheSize, workMem, maintenanceWorkMem); the database component writes them into the Settings `database` blob.",
  configSchema: {
    properties: {
      requiredSettings: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_REQUIRED_SETTINGS,
        description: "Postgres settings the `database` blob must declare.",
      },
    },
  },
  resource: {
    types: [T.supabaseSettings],
    validate(resource, check) {
      const database = blobOrReport(
        jsonBlob(resource.props, "database"),
        `the database settings of "${resource.name}"`,
        check,
        false,
      );
      if (!database) return;
      const required =
        check.config<{ requiredSettings: string[] }>().requiredSettings ?? DEFAULT_REQUIRED_SETTINGS;
      const missing = required.filter(
        (key) => database[key] === undefined || database[key] === null || database[key] === "",
      );
      if (missing.length > 0) {
        check.violation(`the database settings of "${resource.name}" do not declare ${missing.join(", ")}`);
      }
    },
  },
  stack(resources, check) {
    const index = new StackIndex(resources);
    if (index.ofType(T.supabaseProject).length === 0)
      check.notApplicable("the stack has no Supabase project");
    check.each(index.ofType(T.supabaseProject), (project) => {
      const settings = index.referencing(project, "projectRef", [T.supabaseSettings]);
      if (settings.length === 0) {
        check.violation(
          `Supabase project "${project.name}" has no Settings resource: its settings are not declared`,
          project.urn,
        );
      } else if (settings.length > 1) {
        check.violation(
          `Supabase project "${project.name}" has ${settings.length} Settings resources; they would fight`,
          project.urn,
        );
      }
    });
  },
};

// ------------------------------------------------------------------------------------------------
// DB-07

const auditTrail: PolicySpec = {
  name: "db-07-audit-trail",
  id: "DB-07",
  description: `An audit trail is kept: at least one audit log group (log-class=audit or named …/audit) retained ${AUDIT_RETENTION_MIN_DAYS} days or more.`,
  severity: "medium",
  remediationSteps: `Create the audit log group through the alerts component (\`addLogGroup(name, "audit")\`): it is tagged log-class=audit, retained ${AUDIT_RETENTION_MIN_DAYS} days and protected in prod.`,
  stack(resources, check) {
    const groups = resources.filter((resource) => isAuditLogGroup(resource));
    if (groups.length === 0) {
      check.absent("no audit log group exists (tag log-class=audit or a name ending in /audit)");
      return;
    }
    const retained = groups.filter((group) => {
      const days = num(group.props, "retentionInDays");
      return (
        days === UNKNOWN || (typeof days === "number" && (days === 0 || days >= AUDIT_RETENTION_MIN_DAYS))
      );
    });
    if (retained.length === 0) {
      check.violation(`no audit log group is retained ${AUDIT_RETENTION_MIN_DAYS} days or more`);
    }
  },
};

// ------------------------------------------------------------------------------------------------
// DB-08

const SEED_FILE =
  /(^|[^a-z])(seeds?|fixtures?|test[-_]?data|sample[-_]?data|demo[-_]?data|fake[-_]?data)([^a-z]|$)/i;

const noSeedInProd: PolicySpec = {
  name: "db-08-no-seed-data-in-prod",
  id: "DB-08",
  description:
    "Seed and test data never reach prod: no golive:database.seedFiles and no seed-like files among the migrations.",
  severity: "high",
  remediationSteps:
    "Remove golive:database.seedFiles from the prod stack and move seed/test SQL out of the migrations directory (supabase/seed.sql is applied only to local and branch databases).",
  resource: {
    types: [T.supabaseProject],
    validate(_resource: ResourceView, check) {
      const config = databaseConfig(check);
      if ((config?.seedFiles ?? []).length > 0) {
        check.violation(`golive:database.seedFiles lists ${config!.seedFiles!.join(", ")} in a prod stack`);
      }
      const dir = migrationsDir(check, config);
      if (!dir) return;
      let names: string[];
      try {
        names = fs.readdirSync(dir).filter((name) => name.endsWith(".sql"));
      } catch {
        check.violation(`the migrations directory ${dir} cannot be read`);
        return;
      }
      for (const name of names.filter((file) => SEED_FILE.test(file.replace(/\.sql$/, "")))) {
        check.violation(
          `migration ${path.join(dir, name)} looks like seed/test data and would be applied to prod`,
        );
      }
    },
  },
};

export const DB_POLICIES: readonly PolicySpec[] = [
  rlsEnabled,
  connectionPooling,
  backups,
  prodDatabaseProtected,
  networkRestricted,
  settingsDeclared,
  auditTrail,
  noSeedInProd,
];
