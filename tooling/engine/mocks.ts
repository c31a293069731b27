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
    default:
      return undefined;
  }
}
