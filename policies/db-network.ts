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
/** What a rule is read from: a resource as a resource policy or a stack policy sees it. */
type RuleResource = Pick<PolicyResource, "type" | "name" | "urn" | "props">;

export interface Ingress {
  readonly resource: RuleResource;
  /** The resource's URN: findings about the rule are reported on it. */
  readonly urn: string;
  readonly group: RuleResource | undefined;
  readonly protocol: unknown;
  readonly fromPort: unknown;
  readonly toPort: unknown;
  readonly cidrs: readonly unknown[];
}

function array(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The ingress rules one resource declares (a group's inline rules, or one rule resource). */
export function ingressOf(resource: RuleResource, group: RuleResource | undefined): Ingress[] {
  if (resource.type === SECURITY_GROUP) {
    return array(peek(resource.props, "ingress")).map((rule) => ({
      resource,
      urn: resource.urn,
      group: resource,
      protocol: peek(rule, "protocol"),
      fromPort: peek(rule, "fromPort"),
      toPort: peek(rule, "toPort"),
      cidrs: [...array(peek(rule, "cidrBlocks")), ...array(peek(rule, "ipv6CidrBlocks"))],
    }));
  }
  if (resource.type === SECURITY_GROUP_RULE) {
    if (peek(resource.props, "type") !== "ingress") return [];
    return [
      {
        resource,
        urn: resource.urn,
        group,
        protocol: peek(resource.props, "protocol"),
        fromPort: peek(resource.props, "fromPort"),
        toPort: peek(resource.props, "toPort"),
        cidrs: [
          ...array(peek(resource.props, "cidrBlocks")),
          ...array(peek(resource.props, "ipv6CidrBlocks")),
        ],
      },
    ];
  }
  if (resource.type === SECURITY_GROUP_INGRESS_RULE) {
    return [
      {
        resource,
        urn: resource.urn,
        group,
        protocol: peek(resource.props, "ipProtocol"),
        fromPort: peek(resource.props, "fromPort"),
        toPort: peek(resource.props, "toPort"),
        cidrs: [...array(peek(resource.props, "cidrIpv4")), ...array(peek(resource.props, "cidrIpv6"))],
      },
    ];
  }
  return [];
}

/** Every ingress rule of the stack, with the security group it belongs to. */
export function ingressRules(index: StackIndex): Ingress[] {
  return index
    .ofType(...NETWORK_RULE_TYPES)
    .flatMap((resource) =>
      ingressOf(
        resource,
        resource.type === SECURITY_GROUP
          ? resource
          : index.referencedBy(resource, "securityGroupId", [SECURITY_GROUP])[0],
      ),
    );
}

/**
 * An ingress rule that opens one of `ports` to the world. `behind`: the databases of the stack the
 * rule's group is in front of (empty when judged alone, on the well-known ports).
 */
export function judgeIngress(
  rule: Ingress,
  ports: readonly (number | undefined)[],
  behind: readonly PolicyResource[],
  check: Check,
): boolean {
  const port = ports.find((candidate) => candidate !== undefined && coversPort(rule, candidate));
  if (port === undefined) return false;
  let open = false;
  for (const cidr of rule.cidrs) {
    if (cidr === UNKNOWN) {
      check.undeterminable(
        `the source addresses of ingress "${rule.resource.name}" on port ${port}`,
        rule.urn,
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
      rule.urn,
    );
    open = true;
  }
  return open;
}

/** The network rule types DB-05 judges one by one (on the well-known ports; the engine may stop before the stack check). */
export const DATABASE_NETWORK_RULE_TYPES = NETWORK_RULE_TYPES;

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
    if (behind.length === 0) return; // judged per resource, on the well-known ports
    // Ports the per-resource check already judged are not reported twice.
    const ports = behind
      .map(databasePort)
      .filter((port) => port !== undefined && !WELL_KNOWN_DATABASE_PORTS.includes(port));
    const open = judgeIngress(rule, ports, behind, check);
    const wellKnownOpen =
      WELL_KNOWN_DATABASE_PORTS.some((port) => coversPort(rule, port)) &&
      rule.cidrs.some((cidr) => typeof cidr === "string" && worldOpen(cidr) !== undefined);
    if (open || wellKnownOpen) for (const database of behind) reported.add(database.urn);
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
