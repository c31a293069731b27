import { describe, expect, it } from "vitest";
import { coversPort, worldOpen } from "../../policies/db-network";
import { T } from "../../policies/lib/types";
import {
  analyzeResource,
  analyzeStack,
  isNotApplicable,
  notices,
  UNKNOWN,
  violations,
  type TestResource,
} from "./harness";
import { only, pack, res } from "./fixtures";

const name = "db-05-network-restricted";
const run = (resources: TestResource[], env: "prod" | "staging" = "prod") =>
  analyzeStack(only(pack(env, { withoutDefaults: true, config: {} }), name), resources, { stack: env });
// Each rule as the engine analyzes it before creating it: an update stops there, before the stack check.
const runOne = (resource: TestResource) =>
  analyzeResource(only(pack("prod", { withoutDefaults: true, config: {} }), name), resource);

const group = (ingress: Record<string, unknown>[]) =>
  res("aws:ec2/securityGroup:SecurityGroup", "reporting-db", {
    vpcId: "vpc-0a1b2c3d4e5f60718",
    ingress,
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
  });
const rds = (sg: TestResource & { readonly urn: string }, props: Record<string, unknown> = {}) =>
  res(
    T.rdsInstance,
    "reporting",
    {
      engine: "postgres",
      instanceClass: "db.t4g.medium",
      vpcSecurityGroupIds: [UNKNOWN],
      publiclyAccessible: true,
      ...props,
    },
    { propertyDependencies: { vpcSecurityGroupIds: [sg.urn] } },
  );

describe("DB-05 over every database of the catalogue and the ingress rules in front of it", () => {
  it("flags a public RDS instance behind a security group open to 0.0.0.0/0 on its port (inline ingress)", async () => {
    const sg = group([{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }]);
    const found = violations(await runOne(sg), name);
    expect(found[0]!.message).toContain(
      "opens port 5432 (a database port) to 0.0.0.0/0 admits every address",
    );
    // The stack check does not report it twice.
    expect(violations(await run([sg, rds(sg)]), name)).toEqual([]);
  });

  it("reads ec2.SecurityGroupRule and vpc.SecurityGroupIngressRule, IPv6 and all-traffic rules", async () => {
    const sg = group([]);
    const mysql = rds(sg, { engine: "mysql", port: 3307 });
    const rule = res(
      "aws:ec2/securityGroupRule:SecurityGroupRule",
      "mysql-from-anywhere",
      {
        type: "ingress",
        protocol: "tcp",
        fromPort: 3300,
        toPort: 3310,
        cidrBlocks: ["0.0.0.0/0"],
        securityGroupId: UNKNOWN,
      },
      { propertyDependencies: { securityGroupId: [sg.urn] } },
    );
    expect(violations(await run([sg, mysql, rule]), name)[0]!.message).toContain("opens port 3307");
    const v6 = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "pg-v6", {
      ipProtocol: "tcp",
      fromPort: 5432,
      toPort: 5432,
      cidrIpv6: "::/0",
      securityGroupId: "sg-0123456789abcdef0",
    });
    // Linked to no database of the stack: judged on the well-known database ports.
    expect(violations(await runOne(v6), name)[0]!.message).toContain(
      "opens port 5432 (a database port) to ::/0",
    );
    const all = group([{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]);
    expect(violations(await runOne(all), name)).toHaveLength(1);
  });

  it("leaves alone the VPC's own ranges, other ports and groups that admit other groups", async () => {
    const sg = group([
      { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.20.0.0/16"] },
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
      { protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-0123456789abcdef0"] },
    ]);
    expect(violations(await run([sg, rds(sg, { publiclyAccessible: false })]), name)).toEqual([]);
    expect(worldOpen("172.16.0.0/12")).toBeUndefined();
    expect(worldOpen("8.0.0.0/8")).toContain("wider than");
    expect(coversPort({ protocol: "tcp", fromPort: 5000, toPort: 6000 }, 5432)).toBe(true);
    expect(coversPort({ protocol: "tcp", fromPort: 443, toPort: 443 }, 5432)).toBe(false);
  });

  it("notes a public database whose security groups are not in the stack", async () => {
    const lone = res(T.rdsInstance, "reporting", { engine: "postgres", publiclyAccessible: true });
    const result = await run([lone]);
    expect(violations(result, name)).toEqual([]);
    expect(notices(result, name)[0]!.message).toContain("none of its security groups is in this stack");
  });
});

describe("DB-03 checks a backup bucket in a stack without a Supabase project", () => {
  const backupName = "db-03-backups";
  const bucket = res(
    T.bucket,
    "pg-dumps",
    { bucket: "acme-crm-db-backups-prod" },
    { opts: { protect: true } },
  );
  const encryption = res(
    T.bucketEncryption,
    "pg-dumps",
    { bucket: UNKNOWN, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    { propertyDependencies: { bucket: [bucket.urn] } },
  );

  it("reports the S3-managed key and the missing lifecycle", async () => {
    const result = await analyzeStack(only(pack("prod", { withoutDefaults: true, config: {} }), backupName), [
      bucket,
      encryption,
    ]);
    const messages = violations(result, backupName)
      .map((found) => found.message)
      .join("\n");
    expect(messages).toContain("is not encrypted with a KMS key");
    expect(messages).toContain("has no enabled lifecycle rule");
  });

  it("is not applicable to a stack with neither a database project nor a backup bucket", async () => {
    const result = await analyzeStack(only(pack("prod", { withoutDefaults: true, config: {} }), backupName), [
      res(T.bucket, "assets", { bucket: "acme-assets" }),
    ]);
    expect(isNotApplicable(result, backupName)).toBe(true);
  });
});
