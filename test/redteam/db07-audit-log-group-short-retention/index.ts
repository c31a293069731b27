import * as aws from "@pulumi/aws";

const tags = { app: "api", environment: "prod", owner: "platform", "cost-center": "cc-001" };

const groups = {
  app: { name: "/acme/api/app", retentionInDays: 14 },
  // admin actions and permission changes, required by the SOC 2 auditors
  audit: { name: "/acme/api/audit", retentionInDays: 90 },
};

for (const [key, group] of Object.entries(groups)) {
  const isAudit = key === "audit";
  new aws.cloudwatch.LogGroup(
    `api-${key}`,
    { ...group, deletionProtectionEnabled: isAudit, tags },
    { protect: isAudit },
  );
}
