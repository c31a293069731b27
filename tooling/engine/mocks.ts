/**
 * Default answers of the recording monitor: plausible provider state for the resource types golive
 * uses, and answers to the functions (invokes) the stack calls. Everything is deterministic (derived
 * from URNs and names), so two recordings of the same program are identical.
 *
 * In a preview, as in a real one, a resource being created has an unknown id and every computed
 * output that is not one of its inputs is unknown; values a provider computes during `Check`
 * (auto-names) stay known.
 */
import { createHash } from "node:crypto";
import {
  SECRET_SIG,
  SIG_KEY,
  UNKNOWN_SENTINEL,
  fromWire,
  isSecret,
  revealSecrets,
  type RecordedValue,
  type WireObject,
  type WireValue,
} from "./wire";
import { functionResultShape, resourceOutputShape, type Shape } from "./provider-types";
import { isProviderType, packageOfToken } from "./urn";

/** The AWS account id the default mocks answer with when the stack pins no `aws:allowedAccountIds`. */
export const MOCK_AWS_ACCOUNT_ID = "123456789012";
/** The AWS region the default mocks use when the stack sets no `aws:region`. */
export const MOCK_AWS_REGION = "us-east-1";

export interface MockResourceContext {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly custom: boolean;
  readonly preview: boolean;
  /** Inputs in wire form, as the engine received them. */
  readonly inputs: WireObject;
  /** Stack config, `namespace:key` → value. */
  readonly config: Readonly<Record<string, string>>;
  /** Inputs of the resource's provider (explicit or default), in wire form. */
  readonly providerInputs?: WireObject;
  /** Outputs the user pinned (golive.mocks.yaml). */
  readonly pinned?: PinnedAnswers;
}

export interface MockResourceState {
  /** The id; `""` means unknown (a create during preview) or a component. */
  readonly id: string;
  /** The state in wire form (unknowns as the sentinel, secrets as signature objects). */
  readonly state: WireObject;
}

export interface MockCallContext {
  readonly token: string;
  /** Arguments in wire form. */
  readonly args: WireObject;
  readonly provider: string;
  readonly preview: boolean;
  readonly config: Readonly<Record<string, string>>;
  /** Resources registered so far, to answer lookups consistently (for example a project's region). */
  readonly findResource: (predicate: (resource: MockResourceView) => boolean) => MockResourceView | undefined;
  /** Answers the user pinned (golive.mocks.yaml), laid over the defaults. */
  readonly pinned?: PinnedAnswers;
}

export interface MockResourceView {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly id: RecordedValue | undefined;
  readonly inputs: Readonly<Record<string, RecordedValue>>;
}

function hash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function wireSecret(value: WireValue): WireObject {
  return { [SIG_KEY]: SECRET_SIG, value };
}

function stringInput(inputs: WireObject, key: string): string | undefined {
  const value = inputs[key];
  if (typeof value === "string" && value !== UNKNOWN_SENTINEL) return value;
  const recorded = value === undefined ? undefined : fromWire(value);
  if (recorded !== undefined && isSecret(recorded) && typeof recorded.value === "string")
    return recorded.value;
  return undefined;
}

export function awsRegion(config: Readonly<Record<string, string>>): string {
  return config["aws:region"] ?? MOCK_AWS_REGION;
}

function firstAccountId(value: WireValue | string | undefined): string | undefined {
  let ids: unknown = value;
  if (typeof value === "string") {
    try {
      ids = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const first: unknown = Array.isArray(ids) ? ids[0] : undefined;
  return typeof first === "string" && /^\d{12}$/.test(first) ? first : undefined;
}

/**
 * The account a real provider would deploy into: the first id the provider (or the stack's
 * `aws:allowedAccountIds`) pins, so ARNs in a staging plan never carry another stack's account.
 */
export function awsAccount(config: Readonly<Record<string, string>>, providerInputs?: WireObject): string {
  return (
    (providerInputs === undefined ? undefined : firstAccountId(providerInputs.allowedAccountIds)) ??
    firstAccountId(config["aws:allowedAccountIds"]) ??
    MOCK_AWS_ACCOUNT_ID
  );
}

/** AWS ARN service names that differ from the SDK module name, keyed by `module/Resource`. */
const AWS_ARN_SERVICE: Readonly<Record<string, string>> = {
  "cloudwatch/LogGroup": "logs",
  "cloudwatch/EventRule": "events",
  "cloudwatch/EventBus": "events",
  "cloudwatch/EventTarget": "events",
};

/** Services whose ARNs carry no region (and, for S3, no account). */
const AWS_GLOBAL_SERVICES = new Set(["iam", "s3", "budgets", "cloudfront", "route53"]);

/** Resource types whose `name` (or `bucket`) the bridged provider auto-names when it is omitted. */
const AUTONAMED: Readonly<Record<string, string>> = {
  "supabase:index/project:Project": "name",
  "aws:lambda/function:Function": "name",
  "aws:sqs/queue:Queue": "name",
  "aws:sns/topic:Topic": "name",
  "aws:iam/role:Role": "name",
  "aws:iam/policy:Policy": "name",
  "aws:iam/user:User": "name",
  "aws:cloudwatch/logGroup:LogGroup": "name",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
  "aws:cloudwatch/eventRule:EventRule": "name",
  "aws:scheduler/schedule:Schedule": "name",
  "aws:scheduler/scheduleGroup:ScheduleGroup": "name",
  "aws:secretsmanager/secret:Secret": "name",
  "aws:budgets/budget:Budget": "name",
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "aws:kms/alias:Alias": "name",
};

/** The ARN service of a type or function token (`aws:cloudwatch/logGroup:LogGroup` → `logs`). */
function arnService(token: string): string {
  const [, moduleAndMember = "", member = ""] = token.split(":");
  const module = moduleAndMember.split("/")[0] ?? "";
  const upper = member.charAt(0).toUpperCase() + member.slice(1);
  return AWS_ARN_SERVICE[`${module}/${upper}`] ?? (module === "index" ? "aws" : module);
}

function awsArn(type: string, physicalName: string, region: string, account: string, id: string): string {
  const [, moduleAndResource = "", resource = ""] = type.split(":");
  const module = moduleAndResource.split("/")[0] ?? "";
  const service = AWS_ARN_SERVICE[`${module}/${resource}`] ?? module;
  const arnRegion = AWS_GLOBAL_SERVICES.has(service) ? "" : region;
  switch (type) {
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      return `arn:aws:s3:::${physicalName}`;
    case "aws:iam/role:Role":
      return `arn:aws:iam::${account}:role/${physicalName}`;
    case "aws:iam/policy:Policy":
      return `arn:aws:iam::${account}:policy/${physicalName}`;
    case "aws:iam/user:User":
      return `arn:aws:iam::${account}:user/${physicalName}`;
    case "aws:lambda/function:Function":
      return `arn:aws:lambda:${region}:${account}:function:${physicalName}`;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return `arn:aws:cloudwatch:${region}:${account}:alarm:${physicalName}`;
    case "aws:cloudwatch/logGroup:LogGroup":
      return `arn:aws:logs:${region}:${account}:log-group:${physicalName}`;
    case "aws:cloudwatch/eventRule:EventRule":
      return `arn:aws:events:${region}:${account}:rule/${physicalName}`;
    case "aws:scheduler/schedule:Schedule":
      return `arn:aws:scheduler:${region}:${account}:schedule/default/${physicalName}`;
    case "aws:budgets/budget:Budget":
      return `arn:aws:budgets::${account}:budget/${physicalName}`;
    case "aws:kms/key:Key":
      return `arn:aws:kms:${region}:${account}:key/${id}`;
    case "aws:secretsmanager/secret:Secret":
      return `arn:aws:secretsmanager:${region}:${account}:secret:${physicalName}-${hash(physicalName, 6)}`;
    default:
      return `arn:aws:${service}:${arnRegion}:${account}:${physicalName}`;
  }
}

/** Outputs a provider would compute for an AWS resource, given its (known) inputs. */
function awsComputed(ctx: MockResourceContext, id: string, autoName: string | undefined): WireObject {
  const region =
    stringInput(ctx.inputs, "region") ??
    (ctx.providerInputs !== undefined ? stringInput(ctx.providerInputs, "region") : undefined) ??
    awsRegion(ctx.config);
  const account = awsAccount(ctx.config, ctx.providerInputs);
  const physicalName =
    autoName ?? stringInput(ctx.inputs, "name") ?? stringInput(ctx.inputs, "bucket") ?? ctx.name;
  const arn = awsArn(ctx.type, physicalName, region, account, id);
  const computed: WireObject = { arn };
  const tags = ctx.inputs.tags;
  if (tags !== undefined) computed.tagsAll = tags;
  switch (ctx.type) {
    case "aws:lambda/function:Function":
      computed.invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`;
      computed.qualifiedArn = `${arn}:$LATEST`;
      computed.version = "$LATEST";
      break;
    case "aws:sqs/queue:Queue":
      computed.url = `https://sqs.${region}.amazonaws.com/${account}/${physicalName}`;
      break;
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      computed.bucketDomainName = `${physicalName}.s3.amazonaws.com`;
      computed.bucketRegionalDomainName = `${physicalName}.s3.${region}.amazonaws.com`;
      computed.region = region;
      break;
    case "aws:iam/role:Role":
      computed.uniqueId = `AROA${hash(ctx.urn, 17).toUpperCase()}`;
      break;
    case "aws:kms/key:Key":
      computed.keyId = id;
      break;
    case "aws:ec2/eip:Eip": {
      // An address in AWS's us-east-1 range, stable per resource.
      const seed = Number.parseInt(hash(ctx.urn, 4), 16);
      computed.publicIp = `44.192.${seed >> 8}.${seed & 0xff || 1}`;
      computed.allocationId = `eipalloc-${hash(ctx.urn, 17)}`;
      break;
    }
    case "aws:ecs/cluster:Cluster":
      computed.arn = `arn:aws:ecs:${region}:${account}:cluster/${physicalName}`;
      break;
    case "aws:ecs/taskDefinition:TaskDefinition": {
      const family = stringInput(ctx.inputs, "family") ?? physicalName;
      computed.arn = `arn:aws:ecs:${region}:${account}:task-definition/${family}:1`;
      computed.arnWithoutRevision = `arn:aws:ecs:${region}:${account}:task-definition/${family}`;
      computed.revision = 1;
      break;
    }
    default:
      break;
  }
  return computed;
}

function randomComputed(ctx: MockResourceContext): WireObject {
  const seed = hash(ctx.urn, 64);
  switch (ctx.type) {
    case "random:index/randomPassword:RandomPassword":
      return {
        result: wireSecret(`Pw-${seed.slice(0, 28)}!`),
        bcryptHash: wireSecret(`$2a$10$${seed.slice(0, 53)}`),
      };
    case "random:index/randomString:RandomString":
      return { result: seed.slice(0, 16) };
    case "random:index/randomId:RandomId":
      return {
        hex: seed.slice(0, 16),
        dec: String(Number.parseInt(seed.slice(0, 12), 16)),
        b64Std: Buffer.from(seed.slice(0, 16), "hex").toString("base64"),
        b64Url: Buffer.from(seed.slice(0, 16), "hex").toString("base64url"),
      };
    case "random:index/randomUuid:RandomUuid":
      return {
        result: `${seed.slice(0, 8)}-${seed.slice(8, 12)}-4${seed.slice(13, 16)}-8${seed.slice(17, 20)}-${seed.slice(20, 32)}`,
      };
    case "random:index/randomInteger:RandomInteger":
      return { result: Number.parseInt(seed.slice(0, 6), 16) };
    default:
      return {};
  }
}

const MOCK_TIME_RFC3339 = "2025-01-01T00:00:00Z";

function timeComputed(ctx: MockResourceContext): WireObject {
  switch (ctx.type) {
    case "time:index/rotating:Rotating":
      return { rfc3339: MOCK_TIME_RFC3339, unix: 1735689600, rotationRfc3339: "2025-04-01T00:00:00Z" };
    case "time:index/static:Static":
    case "time:index/offset:Offset":
      return { rfc3339: MOCK_TIME_RFC3339, unix: 1735689600 };
    default:
      return {};
  }
}

function supabaseComputed(ctx: MockResourceContext, id: string): WireObject {
  switch (ctx.type) {
    case "supabase:index/apikey:Apikey":
      return { apiKey: wireSecret(`sb_secret_${hash(ctx.urn, 32)}`) };
    case "supabase:index/branch:Branch":
      return {
        database: {
          host: `db.${id}.supabase.co`,
          port: 5432,
          user: "postgres",
          password: wireSecret(`branch-${hash(ctx.urn, 24)}`),
        },
      };
    case "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets":
      return { secretDigests: {} };
    case "supabase:index/edgeFunction:EdgeFunction":
      return { version: 1, status: "ACTIVE", checksum: hash(ctx.urn, 64) };
    default:
      return {};
  }
}

function cloudflareComputed(ctx: MockResourceContext): WireObject {
  switch (ctx.type) {
    case "cloudflare:index/zone:Zone":
      return { status: "active", nameServers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"] };
    default:
      return {};
  }
}

/**
 * The property a bridged provider fills in with an auto-name during `Check` when the program leaves
 * it out, so that the engine (and a policy) sees it among the checked inputs.
 */
export function autoNamedProperty(type: string): string | undefined {
  return AUTONAMED[type];
}

/** The id the default mocks give a resource: unknown for creates in a preview, `<name>-id` otherwise. */
export function defaultResourceId(ctx: Pick<MockResourceContext, "custom" | "preview" | "name">): string {
  if (!ctx.custom) return "";
  return ctx.preview ? "" : `${ctx.name}-id`;
}

/**
 * The state the default mocks return for a resource: its inputs plus the outputs its provider would
 * compute. During a preview those computed outputs are unknown unless they are inputs.
 */
export function defaultResourceState(ctx: MockResourceContext): MockResourceState {
  const id = defaultResourceId(ctx);
  const state: WireObject = { ...ctx.inputs };
  if (!ctx.custom || isProviderType(ctx.type)) return { id, state };

  const autoNameKey = AUTONAMED[ctx.type];
  let autoName: string | undefined;
  if (autoNameKey !== undefined && ctx.inputs[autoNameKey] === undefined) {
    // Bridged providers auto-name during Check, so the name is known even in a preview.
    autoName = `${ctx.name}-${hash(ctx.urn, 7)}`;
    state[autoNameKey] = autoName;
  }

  const plausibleId = id === "" ? `${ctx.name}-id` : id;
  let computed: WireObject;
  switch (packageOfToken(ctx.type)) {
    case "aws":
      computed = awsComputed(ctx, plausibleId, autoName);
      break;
    case "random":
      computed = randomComputed(ctx);
      break;
    case "time":
      computed = timeComputed(ctx);
      break;
    case "supabase":
      computed = supabaseComputed(ctx, plausibleId);
      break;
    case "cloudflare":
      computed = cloudflareComputed(ctx);
      break;
    default:
      computed = {};
  }
  const region =
    stringInput(ctx.inputs, "region") ??
    (ctx.providerInputs !== undefined ? stringInput(ctx.providerInputs, "region") : undefined) ??
    awsRegion(ctx.config);
  computed = {
    ...typedComputedOutputs(ctx, region, awsAccount(ctx.config, ctx.providerInputs)),
    ...computed,
    ...(ctx.pinned !== undefined ? (pinnedOutputs(ctx.pinned, ctx.type, ctx.name) ?? {}) : {}),
  };
  for (const [key, value] of Object.entries(computed)) {
    if (key in state) continue;
    if (!ctx.preview) {
      state[key] = value;
    } else {
      const recorded = fromWire(value);
      state[key] = isSecret(recorded) ? wireSecret(UNKNOWN_SENTINEL) : UNKNOWN_SENTINEL;
    }
  }
  return { id, state };
}

function argString(args: WireObject, key: string): string | undefined {
  const value = revealSecrets(fromWire(args[key] ?? null));
  return typeof value === "string" ? value : undefined;
}

function supabaseProjectRegion(ctx: MockCallContext, projectRef: string): string {
  const project = ctx.findResource(
    (resource) => resource.type === "supabase:index/project:Project" && resource.id === projectRef,
  );
  const region = project?.inputs.region;
  return typeof region === "string" ? region : MOCK_AWS_REGION;
}

function cloudflareZone(zoneId: string, name: string): WireObject {
  return {
    id: zoneId,
    zoneId,
    name,
    status: "active",
    paused: false,
    type: "full",
    account: { id: hash(`account:${name}`, 32), name: "golive" },
    nameServers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
    plan: { id: "free", name: "Free Website", isSubscribed: true },
  };
}

/**
 * The default answer to a function call, or `undefined` when the token has no default (the
 * recorder then fails with a message saying how to supply one).
 */
export function defaultCallResult(ctx: MockCallContext): WireObject | undefined {
  const region = awsRegion(ctx.config);
  const account = awsAccount(ctx.config);
  switch (ctx.token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        id: account,
        accountId: account,
        arn: `arn:aws:iam::${account}:user/golive-deployer`,
        userId: "AIDAGOLIVEMOCKUSER00",
      };
    case "aws:index/getRegion:getRegion":
      return {
        id: region,
        name: region,
        region,
        description: `Mock region ${region}`,
        endpoint: `ec2.${region}.amazonaws.com`,
      };
    case "aws:index/getPartition:getPartition":
      return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return {
        id: region,
        names: [`${region}a`, `${region}b`, `${region}c`],
        zoneIds: ["use1-az1", "use1-az2", "use1-az3"],
        groupNames: [region],
      };
    case "cloudflare:index/getZone:getZone": {
      const filter = ctx.args.filter;
      const filterName =
        typeof filter === "object" && filter !== null && !Array.isArray(filter)
          ? argString(filter, "name")
          : undefined;
      const zoneId = argString(ctx.args, "zoneId") ?? hash(`zone:${filterName ?? "example.com"}`, 32);
      return cloudflareZone(zoneId, filterName ?? "example.com");
    }
    case "cloudflare:index/getZones:getZones": {
      const name = argString(ctx.args, "name") ?? "example.com";
      return {
        id: hash(`zones:${name}`, 32),
        match: "all",
        results: [cloudflareZone(hash(`zone:${name}`, 32), name)],
      };
    }
    case "supabase:index/getApikeys:getApikeys": {
      const projectRef = argString(ctx.args, "projectRef") ?? "project";
      const jwt = (role: string): string =>
        `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ ref: projectRef, role })).toString("base64url")}.${hash(`${projectRef}:${role}`, 43)}`;
      return {
        id: projectRef,
        projectRef,
        anonKey: wireSecret(jwt("anon")),
        serviceRoleKey: wireSecret(jwt("service_role")),
        publishableKey: wireSecret(`sb_publishable_${hash(`${projectRef}:publishable`, 32)}`),
        secretKeys: wireSecret([
          { name: "default", apiKey: `sb_secret_${hash(`${projectRef}:secret`, 32)}` },
        ]),
      };
    }
    case "vercel:index/getProject:getProject": {
      const name = argString(ctx.args, "name") ?? "project";
      return { id: `prj_${hash(`vercel:${name}`, 28)}`, name };
    }
    case "supabase:index/getPooler:getPooler": {
      const projectRef = argString(ctx.args, "projectRef") ?? "project";
      const host = `aws-0-${supabaseProjectRegion(ctx, projectRef)}.pooler.supabase.com`;
      return {
        id: projectRef,
        projectRef,
        url: {
          transaction: `postgres://postgres.${projectRef}:[YOUR-PASSWORD]@${host}:6543/postgres`,
          session: `postgres://postgres.${projectRef}:[YOUR-PASSWORD]@${host}:5432/postgres`,
        },
      };
    }
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      return renderPolicyDocument(ctx.args);
    default:
      return typedCallResult(ctx);
  }
}

/**
 * The answer to a function call: the default (computed, or derived from the provider's declared
 * result type) with the user's pinned values laid over it; `undefined` when the provider's SDK is
 * not installed and nothing is pinned.
 */
export function callResult(ctx: MockCallContext): WireObject | undefined {
  const pinned = ctx.pinned !== undefined ? pinnedCallResult(ctx.pinned, ctx.token) : undefined;
  const answer = defaultCallResult(ctx);
  if (pinned === undefined) return answer;
  return { ...(answer ?? {}), ...pinned };
}

// ------------------------------------------------------------------------------------------------
// Any provider: answers and computed outputs of the declared types.

/** What a stand-in value is derived from: where it lives and a seed that makes it unique and stable. */
interface StandInSeed {
  readonly pkg: string;
  readonly region: string;
  readonly account: string;
  /** The URN (resources) or token and arguments (invokes). */
  readonly seed: string;
  /** The resource's name, or the function's. */
  readonly label: string;
  /** The ARN service (`ec2`, `logs`...). */
  readonly service: string;
}

const MOCK_TIMESTAMP = "2025-01-01T00:00:00Z";

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "resource"
  );
}

function octet(seed: string, key: string, index: number): number {
  return (Number.parseInt(hash(`${seed}:${key}:${index}`, 2), 16) % 250) + 2;
}

/** A string that looks like what a provider returns for a property of this name. */
function standInString(key: string, at: StandInSeed, index: number): string {
  const lower = key.toLowerCase();
  const unique = hash(`${at.seed}:${key}:${index}`, 8);
  const host =
    at.pkg === "aws"
      ? `${slug(at.label)}-${unique}.${at.region}.amazonaws.com`
      : `${slug(at.label)}-${unique}.example.com`;
  if (lower === "arn" || lower.endsWith("arn")) {
    if (at.pkg !== "aws") return `${slug(at.label)}-${unique}`;
    const region = AWS_GLOBAL_SERVICES.has(at.service) ? "" : at.region;
    return `arn:aws:${at.service}:${region}:${at.account}:${slug(at.label)}-${unique}`;
  }
  if (lower === "region") return at.region;
  if (lower === "availabilityzone") return `${at.region}a`;
  if (lower === "accountid" || lower === "ownerid" || lower === "owneraccountid")
    return at.pkg === "aws" ? at.account : hash(`account:${at.seed}`, 32);
  if (lower.includes("ipv6") && lower.includes("cidr")) return "2001:db8::/56";
  if (lower.includes("cidr")) return "10.0.0.0/16";
  if (lower.includes("ipv6")) return `2001:db8::${octet(at.seed, key, index).toString(16)}`;
  if (lower.includes("publicip") || lower === "ip" || lower.endsWith("ipaddress") || lower === "address")
    return `203.0.113.${octet(at.seed, key, index)}`;
  if (lower.includes("privateip") || lower.endsWith("ip"))
    return `10.0.${octet(at.seed, key, index)}.${octet(at.seed, key, index + 1)}`;
  if (lower.endsWith("url") || lower.endsWith("uri")) return `https://${host}/`;
  if (
    lower.includes("dns") ||
    lower.includes("domain") ||
    lower.includes("hostname") ||
    lower.includes("endpoint") ||
    lower === "host" ||
    lower === "fqdn"
  )
    return host;
  if (lower.endsWith("json") || lower === "policy") return "{}";
  if (lower.endsWith("date") || lower.endsWith("time") || lower.endsWith("at") || lower.endsWith("timestamp"))
    return MOCK_TIMESTAMP;
  if (lower === "id" || lower.endsWith("id")) return `${slug(key.replace(/Id$/, "") || at.label)}-${unique}`;
  if (lower === "name" || lower.endsWith("name")) return `${slug(at.label)}-${unique}`;
  return `${slug(key)}-${unique}`;
}

function standIn(
  shape: Shape,
  key: string,
  at: StandInSeed,
  index: number,
  depth: number,
): WireValue | undefined {
  switch (shape.kind) {
    case "string":
      return standInString(key, at, index);
    case "number":
      return key.toLowerCase().includes("port") ? 443 : 1;
    case "boolean":
      return false;
    case "literal":
      return shape.value;
    case "map":
      return {};
    case "array": {
      if (depth > 6) return [];
      // Two scalars (programs index [0] and [1], as with availability zones), one object.
      const count = shape.element.kind === "object" ? 1 : 2;
      const items: WireValue[] = [];
      for (let i = 0; i < count; i += 1) {
        const item = standIn(shape.element, key.replace(/s$/, ""), at, index * 10 + i, depth + 1);
        if (item !== undefined) items.push(item);
      }
      return items;
    }
    case "object": {
      if (depth > 6) return {};
      const value: WireObject = {};
      for (const [name, property] of Object.entries(shape.properties)) {
        if (property.optional) continue;
        const item = standIn(property.shape, name, at, index, depth + 1);
        if (item !== undefined) value[name] = item;
      }
      return value;
    }
    case "any":
      return undefined;
  }
}

function containsUnknownWire(value: WireValue | undefined): boolean {
  if (value === UNKNOWN_SENTINEL) return true;
  if (Array.isArray(value)) return value.some((item) => containsUnknownWire(item));
  if (typeof value === "object" && value !== null)
    return Object.values(value).some((item) => containsUnknownWire(item));
  return false;
}

/**
 * An answer for any function of an installed provider, from its declared result type: arguments
 * echoed where the result has a property of the same name (as providers do), every other required
 * property a plausible value. In a preview, arguments that are not known yet make the rest unknown.
 */
export function typedCallResult(ctx: MockCallContext, programDir?: string): WireObject | undefined {
  const shape = functionResultShape(ctx.token, programDir);
  if (shape === undefined || shape.kind !== "object") return undefined;
  const pkg = packageOfToken(ctx.token);
  const at: StandInSeed = {
    pkg,
    region: awsRegion(ctx.config),
    account: awsAccount(ctx.config),
    seed: `${ctx.token}:${JSON.stringify(ctx.args)}`,
    label: ctx.token.split(":").pop() ?? "result",
    service: arnService(ctx.token),
  };
  const unknownArgs = ctx.preview && containsUnknownWire(ctx.args);
  const result: WireObject = {};
  for (const [key, property] of Object.entries(shape.properties)) {
    const echoed = ctx.args[key];
    if (echoed !== undefined) {
      result[key] = echoed;
      continue;
    }
    if (property.optional) continue;
    if (unknownArgs) {
      result[key] = UNKNOWN_SENTINEL;
      continue;
    }
    const value = standIn(property.shape, key, at, 0, 0);
    if (value !== undefined) result[key] = value;
  }
  if (result.id === undefined && !unknownArgs) result.id = standInString("id", at, 0);
  return result;
}

/**
 * Computed outputs of any resource of an installed provider: each declared output that is not an
 * input and that the provider always sets (its type has no `undefined`) gets a stand-in, for
 * strings, numbers and lists of strings: names, ids, ARNs, endpoints, addresses. Flags and nested
 * settings are left out: a provider's default for those is policy-relevant and not ours to invent.
 */
export function typedComputedOutputs(
  ctx: MockResourceContext,
  region: string,
  account: string,
  programDir?: string,
): WireObject {
  const shape = resourceOutputShape(ctx.type, programDir);
  if (shape === undefined || shape.kind !== "object") return {};
  const at: StandInSeed = {
    pkg: packageOfToken(ctx.type),
    region,
    account,
    seed: ctx.urn,
    label: ctx.name,
    service: arnService(ctx.type),
  };
  const computed: WireObject = {};
  for (const [key, property] of Object.entries(shape.properties)) {
    if (property.optional || key in ctx.inputs || key === "id" || key === "urn") continue;
    const kind = property.shape.kind;
    const stringList = kind === "array" && property.shape.element.kind === "string";
    if (kind !== "string" && kind !== "number" && !stringList) continue;
    const value = standIn(property.shape, key, at, 0, 0);
    if (value !== undefined) computed[key] = value;
  }
  return computed;
}

// ------------------------------------------------------------------------------------------------
// aws.iam.getPolicyDocument, rendered as the provider renders it.

type PolicyValue = string | string[];

function stringList(value: WireValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  const plain = revealSecrets(fromWire(value));
  if (!Array.isArray(plain)) return typeof plain === "string" ? [plain] : [];
  return plain.filter((item): item is string => typeof item === "string");
}

function oneOrMany(values: readonly string[]): PolicyValue {
  const unique = [...new Set(values)];
  return unique.length === 1 ? (unique[0] ?? "") : unique;
}

function objectList(value: WireValue | undefined): WireObject[] {
  const plain = value === undefined ? [] : value;
  return Array.isArray(plain)
    ? plain.filter(
        (item): item is WireObject => typeof item === "object" && item !== null && !Array.isArray(item),
      )
    : [];
}

function principalBlock(principals: readonly WireObject[]): Record<string, PolicyValue> | "*" | undefined {
  if (principals.length === 0) return undefined;
  const byType = new Map<string, string[]>();
  for (const principal of principals) {
    const type = argString(principal, "type") ?? "AWS";
    byType.set(type, [...(byType.get(type) ?? []), ...stringList(principal.identifiers)]);
  }
  const everyone = byType.get("*");
  if (byType.size === 1 && everyone !== undefined) return "*";
  const block: Record<string, PolicyValue> = {};
  for (const [type, identifiers] of byType) block[type] = oneOrMany(identifiers);
  return block;
}

function renderStatement(statement: WireObject): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  const sid = argString(statement, "sid");
  if (sid) rendered.Sid = sid;
  rendered.Effect = argString(statement, "effect") ?? "Allow";
  const lists: [string, string][] = [
    ["actions", "Action"],
    ["notActions", "NotAction"],
    ["resources", "Resource"],
    ["notResources", "NotResource"],
  ];
  for (const [key, field] of lists) {
    const values = stringList(statement[key]);
    if (values.length > 0) rendered[field] = oneOrMany(values);
  }
  const principal = principalBlock(objectList(statement.principals));
  if (principal !== undefined) rendered.Principal = principal;
  const notPrincipal = principalBlock(objectList(statement.notPrincipals));
  if (notPrincipal !== undefined) rendered.NotPrincipal = notPrincipal;
  const conditions = objectList(statement.conditions);
  if (conditions.length > 0) {
    const block: Record<string, Record<string, PolicyValue>> = {};
    for (const condition of conditions) {
      const test = argString(condition, "test") ?? "StringEquals";
      const variable = argString(condition, "variable") ?? "";
      block[test] = { ...(block[test] ?? {}), [variable]: oneOrMany(stringList(condition.values)) };
    }
    rendered.Condition = block;
  }
  return rendered;
}

function statementsOf(json: string | undefined): Record<string, unknown>[] {
  if (json === undefined || json === "") return [];
  try {
    const document = JSON.parse(json) as { Statement?: unknown };
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    return statements.filter(
      (statement): statement is Record<string, unknown> =>
        typeof statement === "object" && statement !== null,
    );
  } catch {
    return [];
  }
}

/**
 * The JSON policy `aws.iam.getPolicyDocument` renders: source documents first, then the
 * statements (a statement replaces a source statement with the same Sid), then override documents
 * (replacing by Sid); single values as strings, as the provider writes them.
 */
export function renderPolicyDocument(args: WireObject): WireObject {
  let statements: Record<string, unknown>[] = [];
  const merge = (incoming: readonly Record<string, unknown>[]): void => {
    for (const statement of incoming) {
      const sid = statement.Sid;
      const at =
        typeof sid === "string" && sid !== "" ? statements.findIndex((existing) => existing.Sid === sid) : -1;
      if (at >= 0) statements[at] = statement;
      else statements.push(statement);
    }
  };
  merge(statementsOf(argString(args, "sourceJson")));
  for (const source of stringList(args.sourcePolicyDocuments)) merge(statementsOf(source));
  merge(objectList(args.statements).map((statement) => renderStatement(statement)));
  merge(statementsOf(argString(args, "overrideJson")));
  for (const override of stringList(args.overridePolicyDocuments)) merge(statementsOf(override));
  statements = statements.length > 0 ? statements : [];
  const policyId = argString(args, "policyId");
  const document = {
    Version: argString(args, "version") ?? "2012-10-17",
    ...(policyId ? { Id: policyId } : {}),
    Statement: statements,
  };
  const json = JSON.stringify(document, null, 2);
  return { ...args, id: hash(json, 10), json, minifiedJson: JSON.stringify(document) };
}

// ------------------------------------------------------------------------------------------------
// Answers pinned by the user (golive.mocks.yaml / --mocks FILE).

/** Values a user pins for functions (by token) and resource outputs (by type, or `type::name`). */
export interface PinnedAnswers {
  readonly file?: string;
  readonly invokes: Readonly<Record<string, WireObject>>;
  readonly resources: Readonly<Record<string, WireObject>>;
}

export const NO_PINNED_ANSWERS: PinnedAnswers = { invokes: {}, resources: {} };

/** `aws.ec2.getAmi` → `aws:ec2/getAmi:getAmi`; `aws.getRegion` → `aws:index/getRegion:getRegion`; tokens pass through. */
export function tokenOf(name: string): string {
  if (name.includes(":")) return name;
  const parts = name.split(".");
  const pkg = parts[0] ?? "";
  const member = parts[parts.length - 1] ?? "";
  const module = parts.length > 2 ? parts.slice(1, -1).join("/") : "index";
  const resource = /^[A-Z]/.test(member);
  const file = resource ? member.charAt(0).toLowerCase() + member.slice(1) : member;
  return `${pkg}:${module}/${file}:${member}`;
}

/** The pinned answer for a call, laid over the default one. */
export function pinnedCallResult(pinned: PinnedAnswers, token: string): WireObject | undefined {
  return pinned.invokes[token];
}

/** The pinned outputs of a resource: those for its type, then those for it by name. */
export function pinnedOutputs(pinned: PinnedAnswers, type: string, name: string): WireObject | undefined {
  const byType = pinned.resources[type];
  const byName = pinned.resources[`${type}::${name}`];
  if (byType === undefined && byName === undefined) return undefined;
  return { ...(byType ?? {}), ...(byName ?? {}) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toWireValue(value: unknown, where: string): WireValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.map((item, index) => toWireValue(item, `${where}[${index}]`));
  if (isPlainObject(value)) {
    const object: WireObject = {};
    for (const [key, item] of Object.entries(value)) object[key] = toWireValue(item, `${where}.${key}`);
    return object;
  }
  throw new Error(`${where} must be a string, number, boolean, list or mapping (got ${typeof value})`);
}

/**
 * Reads pinned answers: `invokes:` keyed by function (`aws.ec2.getAmi` or its token), `resources:`
 * keyed by type (`aws.ec2.Instance` or its token), or `<type>::<name>` for one resource; each value
 * a mapping of properties. Throws an error naming the file and key when the layout is wrong.
 */
export function parsePinnedAnswers(document: unknown, file: string): PinnedAnswers {
  if (document === null || document === undefined) return { ...NO_PINNED_ANSWERS, file };
  if (!isPlainObject(document)) throw new Error(`${file} must be a mapping with invokes: and/or resources:`);
  for (const key of Object.keys(document)) {
    if (key !== "invokes" && key !== "resources")
      throw new Error(`${file}: unknown key "${key}"; only invokes: and resources: are read`);
  }
  const section = (name: "invokes" | "resources"): Record<string, WireObject> => {
    const raw = document[name];
    if (raw === undefined || raw === null) return {};
    if (!isPlainObject(raw))
      throw new Error(
        `${file}: ${name} must be a mapping of ${name === "invokes" ? "functions" : "types"} to properties`,
      );
    const answers: Record<string, WireObject> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (!isPlainObject(value))
        throw new Error(`${file}: ${name}.${key} must be a mapping of properties (for example {id: ...})`);
      const [type = "", resourceName] = key.split("::");
      const token = tokenOf(type);
      answers[resourceName === undefined ? token : `${token}::${resourceName}`] = toWireValue(
        value,
        `${file}: ${name}.${key}`,
      ) as WireObject;
    }
    return answers;
  };
  return { file, invokes: section("invokes"), resources: section("resources") };
}
