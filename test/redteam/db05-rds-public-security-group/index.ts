import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";

const tags = { app: "reporting", environment: "prod", owner: "data-team", "cost-center": "cc-400" };
const vpcId = "vpc-0a1b2c3d4e5f60718";

const dbAccess = new aws.ec2.SecurityGroup("reporting-db", {
  vpcId,
  description: "Postgres",
  ingress: [
    // the BI vendor connects from "various" addresses
    { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"], description: "postgres" },
  ],
  egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
  tags,
});

const subnets = new aws.rds.SubnetGroup("reporting-db", {
  subnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
  tags,
});

const masterPassword = new random.RandomPassword("reporting-db", { length: 40, special: false });

const db = new aws.rds.Instance(
  "reporting",
  {
    engine: "postgres",
    engineVersion: "16.4",
    instanceClass: "db.t4g.medium",
    allocatedStorage: 100,
    storageEncrypted: true,
    dbName: "reporting",
    username: "reporting_admin",
    password: masterPassword.result,
    dbSubnetGroupName: subnets.name,
    vpcSecurityGroupIds: [dbAccess.id],
    publiclyAccessible: true,
    backupRetentionPeriod: 14,
    deletionProtection: true,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: "reporting-final",
    tags,
  },
  { protect: true },
);

export const endpoint = db.endpoint;
