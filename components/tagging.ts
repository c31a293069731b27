/**
 * Cost tags on every taggable AWS resource (ENV-03), applied by a transformation on the Environment
 * component so every child gets them without each component remembering to.
 */
import * as pulumi from "@pulumi/pulumi";
import { requiredTags, type CostTags } from "../lib/naming";

/**
 * AWS resource types golive creates that accept `tags`. A transform cannot ask the provider's
 * schema, so the list is explicit; test/tagging.test.ts fails when a component creates an AWS
 * type that is in neither this list nor UNTAGGABLE_AWS_TYPES.
 */
export const TAGGABLE_AWS_TYPES: ReadonlySet<string> = new Set([
  "aws:budgets/budget:Budget",
  "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
  "aws:cloudwatch/eventRule:EventRule",
  "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:ec2/eip:Eip",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/vpc:Vpc",
  "aws:ecs/cluster:Cluster",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
  "aws:costexplorer/anomalySubscription:AnomalySubscription",
  "aws:iam/role:Role",
  "aws:iam/policy:Policy",
  "aws:kms/key:Key",
  "aws:lambda/function:Function",
  "aws:route53/healthCheck:HealthCheck",
  "aws:s3/bucket:Bucket",
  "aws:scheduler/scheduleGroup:ScheduleGroup",
  "aws:secretsmanager/secret:Secret",
  "aws:sns/topic:Topic",
  "aws:sqs/queue:Queue",
]);

/** AWS types golive creates that have no `tags` input. */
export const UNTAGGABLE_AWS_TYPES: ReadonlySet<string> = new Set([
  "aws:cloudwatch/eventTarget:EventTarget",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:kms/alias:Alias",
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  "aws:lambda/permission:Permission",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:scheduler/schedule:Schedule",
  "aws:secretsmanager/secretVersion:SecretVersion",
  "aws:sns/topicPolicy:TopicPolicy",
  "aws:sns/topicSubscription:TopicSubscription",
  "aws:sqs/queuePolicy:QueuePolicy",
  "aws:sqs/queueRedrivePolicy:QueueRedrivePolicy",
  "pulumi:providers:aws",
]);

/** Merge the required tags under any tags a resource sets itself (its own win, except the required keys). */
export function withRequiredTags(
  type: string,
  props: Record<string, unknown>,
  tags: CostTags,
): Record<string, unknown> | undefined {
  if (!TAGGABLE_AWS_TYPES.has(type)) return undefined;
  const own = (props.tags ?? {}) as pulumi.Input<Record<string, pulumi.Input<string>>>;
  return { ...props, tags: pulumi.output(own).apply((existing) => ({ ...existing, ...requiredTags(tags) })) };
}

/**
 * The transformation the Environment component applies to itself and so to all its children.
 * SDK-side `transformations` rather than engine-side `transforms`: they run inside the program, so
 * the tags are the same under `pulumi up` and under the offline mock engine the plans use.
 */
export function tagTransformation(tags: CostTags): pulumi.ResourceTransformation {
  return (args) => {
    const props = withRequiredTags(args.type, args.props, tags);
    return props ? { props, opts: args.opts } : undefined;
  };
}
