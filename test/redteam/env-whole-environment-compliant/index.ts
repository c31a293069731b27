import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// The shop's whole prod environment in one stack: CloudFront + WAF in front of an HTTP API on
// Lambda, DynamoDB for orders, alerting, the audit trail and cost controls.
const config = new pulumi.Config();
const domain = config.require("domain");
const zoneId = config.require("hostedZoneId");
const officeCidrs = config.requireObject<string[]>("officeCidrs");
const account = "111122223333";

// ---- keys and alert channels
const key = new aws.kms.Key(
  "shop",
  {
    description: "shop data, logs and alert topics",
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "account",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "alarm, budget and anomaly publishers",
          Effect: "Allow",
          Principal: {
            Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"],
          },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: "*",
        },
        {
          Sid: "logs",
          Effect: "Allow",
          Principal: { Service: "logs.us-east-1.amazonaws.com" },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
        },
      ],
    }),
  },
  { protect: true },
);

const chatbotRole = new aws.iam.Role("chatbot", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "chatbot.amazonaws.com" }),
  managedPolicyArns: ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
});

const channels = {
  critical: { pager: true, slackChannelId: "C07CRIT1234" },
  warning: { pager: false, slackChannelId: "C07WARN5678" },
};

const topics = Object.fromEntries(
  Object.entries(channels).map(([severity, channel]) => {
    const topic = new aws.sns.Topic(`alerts-${severity}`, {
      name: `shop-prod-${severity}`,
      kmsMasterKeyId: key.id,
      tags: { severity },
    });
    new aws.sns.TopicSubscription(`alerts-${severity}-email`, {
      topic: topic.arn,
      protocol: "email",
      endpoint: "shop-oncall@shop-acme.com",
    });
    if (channel.pager) {
      new aws.sns.TopicSubscription(`alerts-${severity}-pager`, {
        topic: topic.arn,
        protocol: "https",
        endpoint: "https://events.pagerduty.com/integration/5c4b3a29180f7e6d5c4b3a2918f7e6d5/enqueue",
      });
    }
    new aws.chatbot.SlackChannelConfiguration(`alerts-${severity}-slack`, {
      configurationName: `shop-prod-${severity}`,
      iamRoleArn: chatbotRole.arn,
      slackTeamId: "T01ABCDEF23",
      slackChannelId: channel.slackChannelId,
      snsTopicArns: [topic.arn],
    });
    return [severity, topic];
  }),
) as Record<keyof typeof channels, aws.sns.Topic>;

// ---- data
const orders = new aws.dynamodb.Table(
  "orders",
  {
    billingMode: "PAY_PER_REQUEST",
    hashKey: "pk",
    rangeKey: "sk",
    attributes: [
      { name: "pk", type: "S" },
      { name: "sk", type: "S" },
    ],
    deletionProtectionEnabled: true,
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
  },
  { protect: true },
);

// ---- API
const apiLogs = new aws.cloudwatch.LogGroup("api", {
  name: "/aws/lambda/shop-api-prod",
  retentionInDays: 30,
});
const audit = new aws.cloudwatch.LogGroup(
  "audit",
  { name: "/shop/prod/audit", retentionInDays: 400, kmsKeyId: key.arn, deletionProtectionEnabled: true },
  { protect: true },
);

const apiRole = new aws.iam.Role("api", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
  managedPolicyArns: [aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole],
});
new aws.iam.RolePolicy("api-data", {
  role: apiRole.id,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
        Resource: orders.arn,
      },
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: pulumi.interpolate`${audit.arn}:*`,
      },
      { Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: key.arn },
    ],
  }),
});

const api = new aws.lambda.Function(
  "api",
  {
    name: "shop-api-prod",
    runtime: aws.lambda.Runtime.NodeJS20dX,
    handler: "index.handler",
    role: apiRole.arn,
    timeout: 10,
    memorySize: 512,
    code: new pulumi.asset.AssetArchive({
      "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ statusCode: 200 });"),
    }),
    loggingConfig: { logFormat: "JSON", logGroup: apiLogs.name },
    environment: { variables: { ORDERS_TABLE: orders.name, AUDIT_LOG_GROUP: audit.name } },
  },
  { dependsOn: [apiLogs] },
);

const httpApi = new aws.apigatewayv2.Api("shop", { protocolType: "HTTP" });
const integration = new aws.apigatewayv2.Integration("api", {
  apiId: httpApi.id,
  integrationType: "AWS_PROXY",
  integrationUri: api.invokeArn,
  payloadFormatVersion: "2.0",
});
new aws.apigatewayv2.Route("api", {
  apiId: httpApi.id,
  routeKey: "ANY /api/{proxy+}",
  target: pulumi.interpolate`integrations/${integration.id}`,
});
new aws.apigatewayv2.Stage("default", { apiId: httpApi.id, name: "$default", autoDeploy: true });
new aws.lambda.Permission("api", {
  action: "lambda:InvokeFunction",
  function: api.name,
  principal: "apigateway.amazonaws.com",
  sourceArn: pulumi.interpolate`${httpApi.executionArn}/*/*`,
});

// ---- edge: CloudFront with WAF (managed rules, API rate limit, admin allow-list)
const office = new aws.wafv2.IpSet("office", {
  scope: "CLOUDFRONT",
  ipAddressVersion: "IPV4",
  addresses: officeCidrs,
});
const visibility = (name: string) => ({
  CloudWatchMetricsEnabled: true,
  MetricName: name,
  SampledRequestsEnabled: true,
});
const waf = new aws.wafv2.WebAcl("shop", {
  scope: "CLOUDFRONT",
  defaultAction: { allow: {} },
  visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "shop", sampledRequestsEnabled: true },
  ruleJson: office.arn.apply((officeArn) =>
    JSON.stringify([
      {
        Name: "aws-common",
        Priority: 0,
        OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesCommonRuleSet" } },
        VisibilityConfig: visibility("aws-common"),
      },
      {
        Name: "admin-office-only",
        Priority: 1,
        Action: { Block: {} },
        Statement: {
          AndStatement: {
            Statements: [
              {
                ByteMatchStatement: {
                  FieldToMatch: { UriPath: {} },
                  PositionalConstraint: "STARTS_WITH",
                  SearchString: "/admin",
                  TextTransformations: [{ Priority: 0, Type: "NONE" }],
                },
              },
              { NotStatement: { Statement: { IPSetReferenceStatement: { ARN: officeArn } } } },
            ],
          },
        },
        VisibilityConfig: visibility("admin"),
      },
      {
        Name: "api-rate-limit",
        Priority: 2,
        Action: { Block: {} },
        Statement: {
          RateBasedStatement: {
            Limit: 1000,
            EvaluationWindowSec: 300,
            AggregateKeyType: "IP",
            ScopeDownStatement: {
              ByteMatchStatement: {
                FieldToMatch: { UriPath: {} },
                PositionalConstraint: "STARTS_WITH",
                SearchString: "/api",
                TextTransformations: [{ Priority: 0, Type: "NONE" }],
              },
            },
          },
        },
        VisibilityConfig: visibility("api-rate"),
      },
    ]),
  ),
});

const headers = new aws.cloudfront.ResponseHeadersPolicy("shop", {
  name: "shop-prod-security-headers",
  securityHeadersConfig: {
    strictTransportSecurity: {
      accessControlMaxAgeSec: 63072000,
      includeSubdomains: true,
      preload: true,
      override: true,
    },
    frameOptions: { frameOption: "DENY", override: true },
    contentTypeOptions: { override: true },
    referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
  },
  customHeadersConfig: {
    items: [{ header: "Permissions-Policy", value: "camera=(), microphone=()", override: true }],
  },
});

const assetsCache = new aws.cloudfront.CachePolicy("assets", {
  defaultTtl: 86400,
  minTtl: 3600,
  maxTtl: 31536000,
  parametersInCacheKeyAndForwardedToOrigin: {
    cookiesConfig: { cookieBehavior: "none" },
    headersConfig: { headerBehavior: "none" },
    queryStringsConfig: { queryStringBehavior: "none" },
    enableAcceptEncodingBrotli: true,
    enableAcceptEncodingGzip: true,
  },
});
const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
const apiOrigin = httpApi.apiEndpoint.apply((endpoint) => endpoint.replace("https://", ""));

const cdn = new aws.cloudfront.Distribution("shop", {
  enabled: true,
  aliases: [domain, `www.${domain}`],
  webAclId: waf.arn,
  httpVersion: "http2and3",
  origins: [
    {
      originId: "site",
      domainName: `shop-site-prod.s3.us-east-1.amazonaws.com`,
      s3OriginConfig: { originAccessIdentity: "" },
    },
    {
      originId: "api",
      domainName: apiOrigin,
      customOriginConfig: {
        httpPort: 80,
        httpsPort: 443,
        originProtocolPolicy: "https-only",
        originSslProtocols: ["TLSv1.2"],
      },
    },
  ],
  defaultCacheBehavior: {
    targetOriginId: "site",
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: ["GET", "HEAD"],
    cachedMethods: ["GET", "HEAD"],
    compress: true,
    cachePolicyId: assetsCache.id,
    responseHeadersPolicyId: headers.id,
  },
  orderedCacheBehaviors: [
    {
      pathPattern: "/api/*",
      targetOriginId: "api",
      viewerProtocolPolicy: "https-only",
      allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
      cachedMethods: ["GET", "HEAD"],
      compress: true,
      cachePolicyId: CACHING_DISABLED,
      originRequestPolicyId: ALL_VIEWER_EXCEPT_HOST,
      responseHeadersPolicyId: headers.id,
    },
  ],
  restrictions: { geoRestriction: { restrictionType: "none" } },
  viewerCertificate: {
    acmCertificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d",
    sslSupportMethod: "sni-only",
    minimumProtocolVersion: "TLSv1.2_2021",
  },
});

// ---- DNS: the site through CloudFront, mail authenticated
for (const name of [domain, `www.${domain}`]) {
  new aws.route53.Record(`site-${name}`, {
    zoneId,
    name,
    type: "A",
    aliases: [{ name: cdn.domainName, zoneId: cdn.hostedZoneId, evaluateTargetHealth: false }],
  });
}
const mail: [string, string, string[]][] = [
  [domain, "TXT", ["v=spf1 include:amazonses.com -all"]],
  [`_dmarc.${domain}`, "TXT", ["v=DMARC1; p=reject; rua=mailto:dmarc@shop-acme.com"]],
  ...["q1w2e3r4t5y6u7i8", "a9s8d7f6g5h4j3k2", "z1x2c3v4b5n6m7l8"].map((token): [string, string, string[]] => [
    `${token}._domainkey.${domain}`,
    "CNAME",
    [`${token}.dkim.amazonses.com`],
  ]),
];
mail.forEach(([name, type, records], index) => {
  new aws.route53.Record(`mail-${index}`, { zoneId, name, type, ttl: 300, records });
});

// ---- uptime, latency, errors
const health = new aws.route53.HealthCheck("api", {
  type: "HTTPS",
  fqdn: domain,
  port: 443,
  resourcePath: "/api/health",
  requestInterval: 30,
  failureThreshold: 3,
});
const alarm = (
  name: string,
  severity: keyof typeof topics,
  args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">,
) =>
  new aws.cloudwatch.MetricAlarm(name, {
    ...args,
    alarmActions: [topics[severity].arn],
    okActions: [topics[severity].arn],
  });

alarm("uptime", "critical", {
  namespace: "AWS/Route53",
  metricName: "HealthCheckPercentageHealthy",
  dimensions: { HealthCheckId: health.id },
  statistic: "Average",
  period: 60,
  evaluationPeriods: 3,
  threshold: 99.9,
  comparisonOperator: "LessThanThreshold",
});
alarm("api-p95-latency", "warning", {
  namespace: "AWS/ApiGateway",
  metricName: "Latency",
  dimensions: { ApiId: httpApi.id },
  extendedStatistic: "p95",
  unit: "Milliseconds",
  period: 300,
  evaluationPeriods: 3,
  threshold: 2000,
  comparisonOperator: "GreaterThanThreshold",
});
alarm("api-error-rate", "critical", {
  evaluationPeriods: 3,
  threshold: 1,
  comparisonOperator: "GreaterThanThreshold",
  metricQueries: [
    {
      id: "errors",
      metric: {
        namespace: "AWS/ApiGateway",
        metricName: "5xx",
        dimensions: { ApiId: httpApi.id },
        period: 300,
        stat: "Sum",
      },
    },
    {
      id: "requests",
      metric: {
        namespace: "AWS/ApiGateway",
        metricName: "Count",
        dimensions: { ApiId: httpApi.id },
        period: 300,
        stat: "Sum",
      },
    },
    { id: "rate", expression: "100 * errors / requests", label: "5xx %", returnData: true },
  ],
});

// ---- cost
new aws.budgets.Budget("monthly", {
  budgetType: "COST",
  timeUnit: "MONTHLY",
  limitAmount: "1500",
  limitUnit: "USD",
  notifications: [
    {
      comparisonOperator: "GREATER_THAN",
      threshold: 80,
      thresholdType: "PERCENTAGE",
      notificationType: "ACTUAL",
      subscriberSnsTopicArns: [topics.warning.arn],
    },
    {
      comparisonOperator: "GREATER_THAN",
      threshold: 100,
      thresholdType: "PERCENTAGE",
      notificationType: "FORECASTED",
      subscriberSnsTopicArns: [topics.warning.arn],
    },
  ],
});
const monitor = new aws.costexplorer.AnomalyMonitor("services", {
  name: "shop-prod-services",
  monitorType: "DIMENSIONAL",
  monitorDimension: "SERVICE",
});
new aws.costexplorer.AnomalySubscription("services", {
  name: "shop-prod-anomalies",
  frequency: "IMMEDIATE",
  monitorArnLists: [monitor.arn],
  subscribers: [{ type: "SNS", address: topics.warning.arn }],
  thresholdExpression: {
    dimension: {
      key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
      matchOptions: ["GREATER_THAN_OR_EQUAL"],
      values: ["50"],
    },
  },
});

export const url = `https://${domain}`;
