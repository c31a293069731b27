import { ENVIRONMENT_TYPE } from "../../lib/component-types";

/** Provider resource type tokens the pack checks (from the installed SDKs' `__pulumiType`). */
export const T = {
  stack: "pulumi:pulumi:Stack",
  environment: ENVIRONMENT_TYPE,
  awsProvider: "pulumi:providers:aws",
  kmsKey: "aws:kms/key:Key",
  kmsReplicaKey: "aws:kms/replicaKey:ReplicaKey",
  kmsExternalKey: "aws:kms/externalKey:ExternalKey",
  kmsAlias: "aws:kms/alias:Alias",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  bucketVersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketEncryptionV2:
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketLifecycleV2: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
  topic: "aws:sns/topic:Topic",
  topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
  slackChannel: "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  budget: "aws:budgets/budget:Budget",
  anomalyMonitor: "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
  anomalySubscription: "aws:costexplorer/anomalySubscription:AnomalySubscription",
  schedule: "aws:scheduler/schedule:Schedule",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  queue: "aws:sqs/queue:Queue",
  lambda: "aws:lambda/function:Function",
  rdsInstance: "aws:rds/instance:Instance",
  rdsCluster: "aws:rds/cluster:Cluster",
  dynamoTable: "aws:dynamodb/table:Table",
  ssmParameter: "aws:ssm/parameter:Parameter",
  zoneSetting: "cloudflare:index/zoneSetting:ZoneSetting",
  ruleset: "cloudflare:index/ruleset:Ruleset",
  dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  /** The deprecated name of DnsRecord, still in the provider. */
  record: "cloudflare:index/record:Record",
  pageRule: "cloudflare:index/pageRule:PageRule",
  zone: "cloudflare:index/zone:Zone",
  supabaseProject: "supabase:index/project:Project",
  supabaseSettings: "supabase:index/settings:Settings",
  supabaseEdgeFunction: "supabase:index/edgeFunction:EdgeFunction",
  supabaseFunctionSecrets: "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets",
  randomPassword: "random:index/randomPassword:RandomPassword",
  randomString: "random:index/randomString:RandomString",
  randomBytes: "random:index/randomBytes:RandomBytes",
  rotating: "time:index/rotating:Rotating",
} as const;

export const BUCKET_TYPES = [T.bucket, T.bucketV2] as const;
export const VERSIONING_TYPES = [T.bucketVersioning, T.bucketVersioningV2] as const;
export const ENCRYPTION_TYPES = [T.bucketEncryption, T.bucketEncryptionV2] as const;
export const LIFECYCLE_TYPES = [T.bucketLifecycle, T.bucketLifecycleV2] as const;

export function isAws(type: string): boolean {
  return type.startsWith("aws:");
}
