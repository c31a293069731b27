/** What makes a change risky for reviewers: deletes, replaces, stateful types, protection flags. */
import type { ResourceChange, StepOp } from "./model";
import { isDeleteLike } from "./steps";
import { compareText } from "./text";

/**
 * Resource types that hold data or identity that a delete or replace destroys. Matched on the exact
 * type token (see each provider's SDK).
 */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  // Databases
  "aws:rds/instance:Instance": "database",
  "aws:rds/cluster:Cluster": "database",
  "aws:rds/clusterInstance:ClusterInstance": "database",
  "aws:rds/globalCluster:GlobalCluster": "database",
  "aws:dynamodb/table:Table": "database",
  "aws:docdb/cluster:Cluster": "database",
  "aws:docdb/clusterInstance:ClusterInstance": "database",
  "aws:docdb/globalCluster:GlobalCluster": "database",
  "aws:neptune/cluster:Cluster": "database",
  "aws:redshift/cluster:Cluster": "database",
  "aws:elasticache/cluster:Cluster": "cache",
  "aws:elasticache/replicationGroup:ReplicationGroup": "cache",
  "aws:elasticache/serverlessCache:ServerlessCache": "cache",
  "aws:memorydb/cluster:Cluster": "database",
  "aws:opensearch/domain:Domain": "search index",
  "cloudflare:index/d1Database:D1Database": "database",
  "supabase:index/project:Project": "Supabase project (database)",
  "supabase:index/branch:Branch": "Supabase branch (database)",
  // Storage
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "aws:s3/directoryBucket:DirectoryBucket": "bucket",
  "aws:efs/fileSystem:FileSystem": "file system",
  "aws:fsx/lustreFileSystem:LustreFileSystem": "file system",
  "aws:fsx/ontapFileSystem:OntapFileSystem": "file system",
  "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": "file system",
  "aws:fsx/windowsFileSystem:WindowsFileSystem": "file system",
  "aws:ebs/volume:Volume": "volume",
  "aws:ecr/repository:Repository": "image repository",
  "aws:backup/vault:Vault": "backup vault",
  "aws:cloudwatch/logGroup:LogGroup": "log group",
  "aws:sqs/queue:Queue": "queue",
  "aws:kinesis/stream:Stream": "stream",
  "cloudflare:index/r2Bucket:R2Bucket": "bucket",
  "cloudflare:index/workersKvNamespace:WorkersKvNamespace": "key-value store",
  "cloudflare:index/queue:Queue": "queue",
  // Keys and secrets
  "aws:kms/key:Key": "KMS key",
  "aws:kms/replicaKey:ReplicaKey": "KMS key",
  "aws:kms/externalKey:ExternalKey": "KMS key",
  "aws:secretsmanager/secret:Secret": "secret",
  "aws:secretsmanager/secretVersion:SecretVersion": "secret",
  "aws:ssm/parameter:Parameter": "parameter",
  "cloudflare:index/secretsStore:SecretsStore": "secret store",
  "cloudflare:index/secretsStoreSecret:SecretsStoreSecret": "secret",
  "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets": "secret",
  // DNS and identity
  "aws:route53/zone:Zone": "DNS zone",
  "cloudflare:index/zone:Zone": "DNS zone",
  "aws:cognito/userPool:UserPool": "user pool",
};

/** Types whose replacement generates new secret material that dependents must pick up. */
export const CREDENTIAL_TYPES: Readonly<Record<string, string>> = {
  "random:index/randomPassword:RandomPassword": "password",
  "tls:index/privateKey:PrivateKey": "private key",
  "tls:index/selfSignedCert:SelfSignedCert": "certificate",
  "tls:index/locallySignedCert:LocallySignedCert": "certificate",
  "aws:iam/accessKey:AccessKey": "access key",
  "supabase:index/apikey:Apikey": "API key",
};

export type RiskKind =
  "delete" | "replace" | "stateful" | "credential" | "protect" | "retain-on-delete" | "secret-exposure";

export interface RiskFinding {
  kind: RiskKind;
  /** Plain text. */
  text: string;
  /** Property names to show after the text, as code. */
  properties?: string[];
}

const REPLACE_OPS: ReadonlySet<StepOp> = new Set(["replace", "read-replacement", "import-replacement"]);
const QUIET_OPS: ReadonlySet<StepOp> = new Set(["same", "read", "create", "import", "refresh"]);

export function isReplaceLike(op: StepOp): boolean {
  return REPLACE_OPS.has(op);
}

export function statefulCategory(type: string): string | undefined {
  return STATEFUL_TYPES[type];
}

/** The findings for one resource, most severe first; empty when the change is routine. */
export function assessRisk(resource: ResourceChange): RiskFinding[] {
  const findings: RiskFinding[] = [];
  const deleting = isDeleteLike(resource.op);
  const replacing = isReplaceLike(resource.op);
  if (resource.secretExposures.length > 0) {
    findings.push({ kind: "secret-exposure", text: "secret exposure, see the warning at the top" });
  }
  if (deleting) findings.push({ kind: "delete", text: "deleted" });
  if (replacing) {
    const reasons = [...new Set(resource.replaceReasons)].sort(compareText);
    const forced = resource.changes.filter((change) => change.forcesReplacement).map((change) => change.path);
    const properties = reasons.length > 0 ? reasons : [...new Set(forced)].sort(compareText);
    findings.push(
      properties.length > 0
        ? { kind: "replace", text: "replaced (delete and re-create) because of", properties }
        : { kind: "replace", text: "replaced (delete and re-create)" },
    );
  }
  const category = statefulCategory(resource.type);
  if (category !== undefined && !QUIET_OPS.has(resource.op)) {
    findings.push({
      kind: "stateful",
      text:
        deleting || replacing
          ? `stateful ${category}: its data is lost`
          : `stateful ${category} changes in place`,
    });
  }
  const credential = CREDENTIAL_TYPES[resource.type];
  if (credential !== undefined && replacing) {
    findings.push({
      kind: "credential",
      text: `the ${credential} is regenerated; everything using it must pick up the new one`,
    });
  }
  if (resource.protect && (deleting || replacing)) {
    findings.push({ kind: "protect", text: "protected: the update fails until protect is turned off" });
  } else if (resource.protectChange === "removed") {
    findings.push({ kind: "protect", text: "protect turned off" });
  }
  if (resource.retainOnDelete && deleting) {
    findings.push({
      kind: "retain-on-delete",
      text: "retainOnDelete: removed from the stack but left running in the cloud",
    });
  } else if (resource.retainOnDeleteChange !== undefined) {
    findings.push({
      kind: "retain-on-delete",
      text: `retainOnDelete ${resource.retainOnDeleteChange === "added" ? "turned on" : "turned off"}`,
    });
  }
  return findings;
}

/** Sort rank of an op in change lists: destructive first. */
export function opRank(op: StepOp): number {
  if (isDeleteLike(op)) return 0;
  if (isReplaceLike(op)) return 1;
  if (op === "update") return 2;
  if (op === "create" || op === "import") return 3;
  return 4;
}
