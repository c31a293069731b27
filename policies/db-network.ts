/**
 * DB-05 beyond Supabase: every database of the catalogue (policies/catalogue, concern "database")
 * and the network rules in front of it. A database port must not be open to the world: an ingress
 * rule that admits 0.0.0.0/0, ::/0 or a public range wider than an allow-list, in any of AWS's
 * shapes (a security group's inline `ingress`, `ec2.SecurityGroupRule` of type ingress,
 * `vpc.SecurityGroupIngressRule`), on a port a database of the stack listens on; a group linked to
 * no database of the stack is judged on the well-known database ports. A database with
 * `publiclyAccessible: true` gets a public address: it is reported when a group in front of it is
 * open to the world, and noted when none of its groups is in the stack (the pack cannot see them).
 * Private ranges (10/8, 172.16/12, 192.168/16...) are the VPC's own and are fine.
 */
import type { PolicyResource } from "@pulumi/policy";
import ipaddr from "ipaddr.js";
import { broadAddress } from "../lib/cidr";
import { coveredTypes } from "./catalogue";
import type { Check } from "./lib/define";
import { bool, num, peekString, type StackIndex } from "./lib/props";
import { T } from "./lib/types";
import { peek, UNKNOWN } from "./lib/unknowns";

export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const NETWORK_RULE_TYPES: readonly string[] = [
  SECURITY_GROUP,
  SECURITY_GROUP_RULE,
  SECURITY_GROUP_INGRESS_RULE,
];

/** Default ports by engine (RDS, Redshift, Neptune, DocumentDB, Timestream for InfluxDB). */
const ENGINE_PORTS: readonly (readonly [RegExp, number])[] = [
  [/postgres/i, 5432],
  [/mysql|maria/i, 3306],
  [/sqlserver/i, 1433],
  [/oracle/i, 1521],
  [/db2/i, 50000],
];
const TYPE_PORTS: Readonly<Record<string, number>> = {
  "aws:redshift/cluster:Cluster": 5439,
  "aws:redshiftserverless/workgroup:Workgroup": 5439,
  "aws:neptune/clusterInstance:ClusterInstance": 8182,
  "aws:timestreaminfluxdb/dbInstance:DbInstance": 8086,
  "aws:timestreaminfluxdb/dbCluster:DbCluster": 8086,
};
/** Ports a group linked to no database of the stack is judged on. */
export const WELL_KNOWN_DATABASE_PORTS: readonly number[] = [
  5432, 6543, 3306, 1433, 1521, 5439, 27017, 6379, 8182, 9042, 50000,
];

/** The catalogue's database types (not the network rules, not Supabase, read by its own check). */
function databaseTypes(): string[] {
  return [...coveredTypes("database").keys()].filter(
    (type) => !NETWORK_RULE_TYPES.includes(type) && !type.startsWith("supabase:"),
  );
}

/** The port a database listens on: its `port`, else its engine's or type's default. */
export function databasePort(database: PolicyResource): number | undefined {
  const port = num(database.props, "port");
  if (typeof port === "number") return port;
  const engine = peekString(database.props, "engine");
  if (engine) for (const [pattern, value] of ENGINE_PORTS) if (pattern.test(engine)) return value;
  return TYPE_PORTS[database.type];
}

/** Why a CIDR admits the world, or undefined when it is private, narrow enough or not a CIDR. */
export function worldOpen(cidr: string): string | undefined {
  try {
    const [address, prefix] = ipaddr.parseCIDR(cidr);
    if (prefix === 0) return `${cidr} admits every address`;
    if (address.range() !== "unicast") return undefined;
    return broadAddress(cidr);
  } catch {
    return undefined;
  }
}

/** One ingress rule, whatever shape wrote it. */
export interface Ingress {
  readonly resource: PolicyResource;
  /** The resource's URN: findings about the rule are reported on it. */
  readonly urn: string;
  readonly group: PolicyResource | undefined;
  readonly protocol: unknown;
  readonly fromPort: unknown;
  readonly toPort: unknown;
  readonly cidrs: readonly unknown[];
}

function array(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every ingress rule of the stack, with the security group it belongs to. */
export function ingressRules(index: StackIndex): Ingress[] {
  const rules: Ingress[] = [];
  for (const group of index.ofType(SECURITY_GROUP)) {
    for (const rule of array(peek(group.props, "ingress"))) {
      rules.push({
        resource: group,
        urn: group.urn,
        group,
        protocol: peek(rule, "protocol"),
        fromPort: peek(rule, "fromPort"),
        toPort: peek(rule, "toPort"),
        cidrs: [...array(peek(rule, "cidrBlocks")), ...array(peek(rule, "ipv6CidrBlocks"))],
      });
    }
  }
  for (const rule of index.ofType(SECURITY_GROUP_RULE)) {
    if (peek(rule.props, "type") !== "ingress") continue;
    rules.push({
      resource: rule,
      urn: rule.urn,
      group: index.referencedBy(rule, "securityGroupId", [SECURITY_GROUP])[0],
      protocol: peek(rule.props, "protocol"),
      fromPort: peek(rule.props, "fromPort"),
      toPort: peek(rule.props, "toPort"),
      cidrs: [...array(peek(rule.props, "cidrBlocks")), ...array(peek(rule.props, "ipv6CidrBlocks"))],
    });
  }
  for (const rule of index.ofType(SECURITY_GROUP_INGRESS_RULE)) {
    rules.push({
      resource: rule,
      urn: rule.urn,
      group: index.referencedBy(rule, "securityGroupId", [SECURITY_GROUP])[0],
      protocol: peek(rule.props, "ipProtocol"),
      fromPort: peek(rule.props, "fromPort"),
      toPort: peek(rule.props, "toPort"),
      cidrs: [...array(peek(rule.props, "cidrIpv4")), ...array(peek(rule.props, "cidrIpv6"))],
    });
  }
  return rules;
}

/** Whether a rule's port range covers `port` (all traffic: protocol -1 / "all"). */
export function coversPort(rule: Pick<Ingress, "protocol" | "fromPort" | "toPort">, port: number): boolean {
  const protocol = typeof rule.protocol === "string" ? rule.protocol.toLowerCase() : rule.protocol;
  if (protocol === "-1" || protocol === "all" || protocol === -1) return true;
  const from = typeof rule.fromPort === "number" ? rule.fromPort : Number(rule.fromPort);
  const to = typeof rule.toPort === "number" ? rule.toPort : Number(rule.toPort ?? rule.fromPort);
  if (!Number.isFinite(from)) return false;
  return from <= port && port <= (Number.isFinite(to) ? to : from);
}

const SECURITY_GROUP_PROPS = ["vpcSecurityGroupIds", "securityGroupIds", "securityGroupNames"];

/** DB-05 over the catalogue's databases and the ingress rules in front of them. */
export function checkDatabaseNetworks(index: StackIndex, check: Check): void {
  const databases = index.ofType(...databaseTypes());
  const groupsOf = new Map<string, PolicyResource[]>();
  const databasesOf = new Map<string, PolicyResource[]>();
  for (const database of databases) {
    const groups = SECURITY_GROUP_PROPS.flatMap((prop) =>
      index.referencedBy(database, prop, [SECURITY_GROUP]),
    );
    groupsOf.set(database.urn, groups);
    for (const group of groups) databasesOf.set(group.urn, [...(databasesOf.get(group.urn) ?? []), database]);
  }
  const reported = new Set<string>();
  check.each(ingressRules(index), (rule) => {
    const behind = rule.group ? (databasesOf.get(rule.group.urn) ?? []) : [];
    const ports = behind.length > 0 ? behind.map(databasePort) : WELL_KNOWN_DATABASE_PORTS;
    const port = ports.find((candidate) => candidate !== undefined && coversPort(rule, candidate));
    if (port === undefined) return;
    for (const cidr of rule.cidrs) {
      if (cidr === UNKNOWN) {
        check.undeterminable(
          `the source addresses of ingress "${rule.resource.name}" on port ${port}`,
          rule.resource.urn,
        );
        continue;
      }
      if (typeof cidr !== "string") continue;
      const problem = worldOpen(cidr);
      if (problem === undefined) continue;
      const what =
        behind.length > 0
          ? `database ${behind.map((database) => `"${database.name}"`).join(", ")}`
          : "a database port";
      check.violation(
        `ingress "${rule.resource.name}"${rule.group && rule.group !== rule.resource ? ` of security group "${rule.group.name}"` : ""} opens port ${port} (${what}) to ${problem}; allow the app's own ranges or security groups only`,
        rule.resource.urn,
      );
      for (const database of behind) reported.add(database.urn);
    }
  });
  // A public address with no group the pack can see: say what it cannot judge.
  check.each(databases, (database) => {
    if (reported.has(database.urn) || bool(database.props, "publiclyAccessible") !== true) return;
    if ((groupsOf.get(database.urn) ?? []).length === 0 && database.type !== T.rdsCluster)
      check.notice(
        `"${database.name}" is publicly accessible and none of its security groups is in this stack; check that they admit only the app's ranges`,
        database.urn,
      );
  });
}
