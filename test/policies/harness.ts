/**
 * Runs the pack's policies in-process the way @pulumi/policy 1.21's server does (server.js
 * makeAnalyzeRpcFun / makeAnalyzeStackRpcFun): the level is config > policy > pack, "disabled"
 * skips, the typed fast path answers "not applicable", props are deserialized (secrets unwrapped)
 * and wrapped in the unknown-checking proxy, reportViolation takes a string or an object, an
 * escaped UnknownValueError becomes the server's advisory "can't run" diagnostic.
 *
 * `viaServer*` runs the same request through the real server functions with protobuf messages, to
 * prove this harness matches them.
 */
import {
  type EnforcementLevel,
  type PolicyPackConfig,
  type PolicyResource,
  type PolicyResourceOptions,
  type ReportViolation,
  type ResourceValidationArgs,
  type StackValidationArgs,
} from "@pulumi/policy";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { GolivePolicy } from "../../policies/lib/define";
import { UNKNOWN_STRING, unknownCheckingProxy, UnknownValueError } from "../../policies/lib/unknowns";

export const PACK_NAME = "golive-checklist";
export const PACK_VERSION = "0.1.0";
/** The string the engine sends for a value not known until apply. */
export const UNKNOWN = UNKNOWN_STRING;
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A secret as the engine sends it; policies see the plain value. */
export function secret(value: unknown): Record<string, unknown> {
  return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

export interface TestProvider {
  readonly type: string;
  readonly name: string;
  readonly urn?: string;
  readonly props?: Record<string, unknown>;
}

export interface TestResource {
  readonly type: string;
  readonly name: string;
  readonly urn?: string;
  readonly props?: Record<string, unknown>;
  readonly opts?: Partial<PolicyResourceOptions>;
  readonly provider?: TestProvider;
  /** URN of the parent. */
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  /** Property name → URNs it depends on. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Diagnostic {
  readonly policyName: string;
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly urn?: string;
  readonly severity?: string;
}

export interface NotApplicable {
  readonly policyName: string;
  readonly reason?: string;
}

export interface RunResult {
  readonly diagnostics: Diagnostic[];
  readonly notApplicable: NotApplicable[];
}

export interface RunOptions {
  readonly config?: PolicyPackConfig;
  readonly packLevel?: EnforcementLevel;
  readonly stackTags?: ReadonlyMap<string, string>;
  readonly stack?: string;
}

export function urnOf(type: string, name: string, stack = "prod", project = "golive"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

class NotApplicableError extends Error {
  constructor(readonly reason: string | undefined) {
    super(reason ?? "Policy does not apply");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

/** deserialize.js with proxySecrets=false: JSON values, secrets unwrapped, undefined keys dropped. */
function deserialize(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((element) => deserialize(element));
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIG_KEY] === SECRET_SIG) return deserialize(record.value);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(record)) {
    if (child !== undefined) out[key] = deserialize(child);
  }
  return out;
}

function proxied(props: Record<string, unknown> | undefined): Record<string, unknown> {
  // Struct round-trips JSON: a fresh copy per validation, as the server deserializes per call.
  const copy = deserialize(JSON.parse(JSON.stringify(props ?? {})) as unknown) as Record<string, unknown>;
  return unknownCheckingProxy(copy);
}

function options(resource: TestResource): PolicyResourceOptions {
  const opts = resource.opts ?? {};
  const result: PolicyResourceOptions = {
    protect: opts.protect ?? false,
    ignoreChanges: opts.ignoreChanges ?? [],
    aliases: opts.aliases ?? [],
    customTimeouts: opts.customTimeouts ?? { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: opts.additionalSecretOutputs ?? [],
  };
  if (opts.deleteBeforeReplace !== undefined) result.deleteBeforeReplace = opts.deleteBeforeReplace;
  if (resource.parent ?? opts.parent) result.parent = resource.parent ?? opts.parent;
  return result;
}

function providerOf(resource: TestResource, stack: string) {
  if (!resource.provider) return undefined;
  return {
    type: resource.provider.type,
    name: resource.provider.name,
    urn: resource.provider.urn ?? urnOf(resource.provider.type, resource.provider.name, stack),
    props: proxied(resource.provider.props),
  };
}

function levelOf(policy: GolivePolicy, options: RunOptions): EnforcementLevel {
  const configured = options.config?.[policy.name];
  const fromConfig = typeof configured === "string" ? configured : configured?.enforcementLevel;
  const all = options.config?.all;
  const fromAll = typeof all === "string" ? all : all?.enforcementLevel;
  // The engine reconciles "all" into each policy before Configure; the server then reads per policy.
  return fromConfig ?? fromAll ?? policy.enforcementLevel ?? options.packLevel ?? "advisory";
}

function configOf(policy: GolivePolicy, options: RunOptions): object {
  const configured = options.config?.[policy.name];
  if (!configured || typeof configured === "string") return {};
  const { enforcementLevel: _level, ...properties } = configured;
  return properties;
}

interface ViolationObject {
  message?: string;
  description?: string;
  urn?: string;
  enforcementLevel?: EnforcementLevel;
  severity?: string;
  name?: string;
}

function reporter(policy: GolivePolicy, level: EnforcementLevel, out: Diagnostic[]): ReportViolation {
  const report = (message: string | ViolationObject, urn?: string) => {
    if (typeof message === "object") {
      out.push({
        policyName: message.name ?? policy.name,
        message: message.message ?? message.description ?? policy.description,
        enforcementLevel: message.enforcementLevel ?? level,
        ...(message.urn ? { urn: message.urn } : {}),
        ...((message.severity ?? policy.severity) ? { severity: message.severity ?? policy.severity } : {}),
      });
      return;
    }
    out.push({
      policyName: policy.name,
      message: message ? `${policy.description}\n${message}` : policy.description,
      enforcementLevel: level,
      ...(urn ? { urn } : {}),
      ...(policy.severity ? { severity: policy.severity } : {}),
    });
  };
  return report;
}

function cantRun(policy: GolivePolicy, error: UnknownValueError): Diagnostic {
  return {
    policyName: policy.name,
    message: `can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${error.message}`,
    enforcementLevel: "advisory",
  };
}

/** One resource through every resource policy, as the engine's Analyze call. */
export async function analyzeResource(
  policies: readonly GolivePolicy[],
  resource: TestResource,
  runOptions: RunOptions = {},
): Promise<RunResult> {
  const stack = runOptions.stack ?? "prod";
  const diagnostics: Diagnostic[] = [];
  const notApplicable: NotApplicable[] = [];
  for (const policy of policies) {
    let level = levelOf(policy, runOptions);
    if (level === "disabled" || !("validateResource" in policy) || !policy.validateResource) continue;
    if (level === "remediate") level = "mandatory";
    const validations = Array.isArray(policy.validateResource)
      ? policy.validateResource
      : [policy.validateResource];
    if (!Array.isArray(policy.validateResource)) {
      const pulumiType = (policy.validateResource as { __pulumiType?: string }).__pulumiType;
      if (pulumiType && pulumiType !== resource.type) {
        notApplicable.push({
          policyName: policy.name,
          reason: `Policy only applies to resources of type '${pulumiType}'`,
        });
        continue;
      }
    }
    const report = reporter(policy, level, diagnostics);
    for (const validation of validations) {
      const props = proxied(resource.props);
      const urn = resource.urn ?? urnOf(resource.type, resource.name, stack);
      const args: ResourceValidationArgs = {
        type: resource.type,
        props,
        urn,
        name: resource.name,
        opts: options(resource),
        stackTags: runOptions.stackTags ?? new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => configOf(policy, runOptions) as T,
        notApplicable: throwNotApplicable,
      };
      const provider = providerOf(resource, stack);
      if (provider) args.provider = provider;
      try {
        await Promise.resolve(validation(args, report));
      } catch (error) {
        if (error instanceof UnknownValueError) diagnostics.push(cantRun(policy, error));
        else if (error instanceof NotApplicableError) {
          notApplicable.push({ policyName: policy.name, ...(error.reason ? { reason: error.reason } : {}) });
        } else throw error;
      }
    }
  }
  return { diagnostics, notApplicable };
}

/** The stack's resources through every stack policy, as the engine's AnalyzeStack call. */
export async function analyzeStack(
  policies: readonly GolivePolicy[],
  resources: readonly TestResource[],
  runOptions: RunOptions = {},
): Promise<RunResult> {
  const stack = runOptions.stack ?? "prod";
  const diagnostics: Diagnostic[] = [];
  const notApplicable: NotApplicable[] = [];
  for (const policy of policies) {
    let level = levelOf(policy, runOptions);
    if (level === "disabled" || !("validateStack" in policy) || !policy.validateStack) continue;
    if (level === "remediate") level = "mandatory";
    const report = reporter(policy, level, diagnostics);
    // Fresh objects per policy, as the server builds them per policy.
    const built = resources.map((resource) => {
      const policyResource: PolicyResource = {
        type: resource.type,
        props: proxied(resource.props),
        urn: resource.urn ?? urnOf(resource.type, resource.name, stack),
        name: resource.name,
        opts: options(resource),
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      };
      const provider = providerOf(resource, stack);
      if (provider) policyResource.provider = provider;
      return policyResource;
    });
    const byUrn = new Map(built.map((resource) => [resource.urn, resource]));
    resources.forEach((resource, index) => {
      const target = built[index]!;
      if (resource.parent) {
        const parent = byUrn.get(resource.parent);
        if (parent) target.parent = parent;
      }
      target.dependencies = (resource.dependencies ?? []).flatMap((urn) => byUrn.get(urn) ?? []);
      for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
        target.propertyDependencies[key] = urns.flatMap((urn) => byUrn.get(urn) ?? []);
      }
    });
    const args: StackValidationArgs = {
      resources: built,
      getConfig: <T extends object>() => configOf(policy, runOptions) as T,
      stackTags: runOptions.stackTags ?? new Map(),
      notApplicable: throwNotApplicable,
    };
    try {
      await Promise.resolve(policy.validateStack(args, report));
    } catch (error) {
      if (error instanceof UnknownValueError) diagnostics.push(cantRun(policy, error));
      else if (error instanceof NotApplicableError) {
        notApplicable.push({ policyName: policy.name, ...(error.reason ? { reason: error.reason } : {}) });
      } else throw error;
    }
  }
  return { diagnostics, notApplicable };
}

// ------------------------------------------------------------------------------------------------
// The real server functions, for fidelity tests.

interface ProtoStruct {
  fromJavaScript(value: Record<string, unknown>): unknown;
}
interface ProtoMessage {
  [setter: string]: unknown;
}
type ProtoCtor = new () => ProtoMessage;
interface AnalyzerProto {
  AnalyzeRequest: ProtoCtor;
  AnalyzeStackRequest: ProtoCtor;
  AnalyzerResource: ProtoCtor;
  AnalyzerResourceOptions: ProtoCtor;
  AnalyzerProviderResource: ProtoCtor;
  AnalyzerPropertyDependencies: ProtoCtor;
  EnforcementLevel: Record<string, number>;
}
interface ProtoDiagnostic {
  getPolicyname(): string;
  getMessage(): string;
  getEnforcementlevel(): number;
  getUrn(): string;
}
interface ProtoResponse {
  getDiagnosticsList(): ProtoDiagnostic[];
  getNotApplicableList(): { getPolicyName(): string; getReason(): string }[];
}
type RpcFun = (
  call: { request: unknown },
  callback: (error: unknown, response?: ProtoResponse) => void,
) => Promise<void>;
interface ServerModule {
  makeAnalyzeRpcFun(
    name: string,
    version: string,
    level: EnforcementLevel,
    policies: readonly GolivePolicy[],
  ): RpcFun;
  makeAnalyzeStackRpcFun(
    name: string,
    version: string,
    level: EnforcementLevel,
    policies: readonly GolivePolicy[],
  ): RpcFun;
}

const load = createRequire(__filename);
const pulumiDir = path.dirname(load.resolve("@pulumi/pulumi/package.json"));
// The same protobuf modules the server uses (resolved from @pulumi/pulumi), so instanceof checks hold.
const analyzerProto = load(path.join(pulumiDir, "proto/analyzer_pb")) as AnalyzerProto;
const structProto = load(
  load.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] }),
) as {
  Struct: ProtoStruct;
};
const server = load("@pulumi/policy/server") as ServerModule;

function call(message: ProtoMessage, setter: string, value: unknown): void {
  (message[setter] as (value: unknown) => void).call(message, value);
}

function protoOptions(resource: TestResource): ProtoMessage {
  const opts = options(resource);
  const message = new analyzerProto.AnalyzerResourceOptions();
  call(message, "setProtect", opts.protect);
  call(message, "setIgnorechangesList", opts.ignoreChanges);
  call(message, "setAliasesList", opts.aliases);
  call(message, "setAdditionalsecretoutputsList", opts.additionalSecretOutputs);
  if (opts.deleteBeforeReplace !== undefined) {
    call(message, "setDeletebeforereplace", opts.deleteBeforeReplace);
    call(message, "setDeletebeforereplacedefined", true);
  }
  if (opts.parent) call(message, "setParent", opts.parent);
  return message;
}

function protoProvider(resource: TestResource, stack: string): ProtoMessage | undefined {
  if (!resource.provider) return undefined;
  const message = new analyzerProto.AnalyzerProviderResource();
  call(message, "setType", resource.provider.type);
  call(message, "setName", resource.provider.name);
  call(
    message,
    "setUrn",
    resource.provider.urn ?? urnOf(resource.provider.type, resource.provider.name, stack),
  );
  call(message, "setProperties", structProto.Struct.fromJavaScript(resource.provider.props ?? {}));
  return message;
}

function levelName(level: number): EnforcementLevel {
  const entry = Object.entries(analyzerProto.EnforcementLevel).find(([, value]) => value === level);
  return (entry?.[0].toLowerCase() ?? "advisory") as EnforcementLevel;
}

async function invoke(fun: RpcFun, request: unknown): Promise<RunResult> {
  const response = await new Promise<ProtoResponse>((resolve, reject) => {
    void fun({ request }, (error, result) =>
      error
        ? reject(error instanceof Error ? error : new Error("the analyzer call failed"))
        : resolve(result!),
    );
  });
  return {
    diagnostics: response.getDiagnosticsList().map((d) => ({
      policyName: d.getPolicyname(),
      message: d.getMessage(),
      enforcementLevel: levelName(d.getEnforcementlevel()),
      ...(d.getUrn() ? { urn: d.getUrn() } : {}),
    })),
    notApplicable: (response.getNotApplicableList() ?? []).map((na) => ({
      policyName: na.getPolicyName(),
      ...(na.getReason() ? { reason: na.getReason() } : {}),
    })),
  };
}

/** Analyze through @pulumi/policy's own server code (no gRPC transport, no policy config). */
export async function viaServerAnalyze(
  policies: readonly GolivePolicy[],
  resource: TestResource,
  stack = "prod",
) {
  const request = new analyzerProto.AnalyzeRequest();
  call(request, "setType", resource.type);
  call(request, "setName", resource.name);
  call(request, "setUrn", resource.urn ?? urnOf(resource.type, resource.name, stack));
  call(request, "setProperties", structProto.Struct.fromJavaScript(resource.props ?? {}));
  call(request, "setOptions", protoOptions(resource));
  const provider = protoProvider(resource, stack);
  if (provider) call(request, "setProvider", provider);
  return invoke(server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, "mandatory", policies), request);
}

/** AnalyzeStack through @pulumi/policy's own server code. */
export async function viaServerAnalyzeStack(
  policies: readonly GolivePolicy[],
  resources: readonly TestResource[],
  stack = "prod",
) {
  const request = new analyzerProto.AnalyzeStackRequest();
  const list = resources.map((resource) => {
    const message = new analyzerProto.AnalyzerResource();
    call(message, "setType", resource.type);
    call(message, "setName", resource.name);
    call(message, "setUrn", resource.urn ?? urnOf(resource.type, resource.name, stack));
    call(message, "setProperties", structProto.Struct.fromJavaScript(resource.props ?? {}));
    call(message, "setOptions", protoOptions(resource));
    const provider = protoProvider(resource, stack);
    if (provider) call(message, "setProvider", provider);
    if (resource.parent) call(message, "setParent", resource.parent);
    call(message, "setDependenciesList", [...(resource.dependencies ?? [])]);
    const map = (message.getPropertydependenciesMap as () => { set(k: string, v: unknown): void }).call(
      message,
    );
    for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
      const deps = new analyzerProto.AnalyzerPropertyDependencies();
      call(deps, "setUrnsList", [...urns]);
      map.set(key, deps);
    }
    return message;
  });
  call(request, "setResourcesList", list);
  return invoke(server.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, "mandatory", policies), request);
}

// ------------------------------------------------------------------------------------------------
// Assertions helpers.

export function of(result: RunResult, policyName: string): Diagnostic[] {
  return result.diagnostics.filter((diagnostic) => diagnostic.policyName === policyName);
}

/** Violations (not notices) of one policy. */
export function violations(result: RunResult, policyName: string): Diagnostic[] {
  return of(result, policyName).filter(
    (d) => !/\] (undeterminable|exempted|notice)/.test(d.message) && !/can't run policy/.test(d.message),
  );
}

export function undeterminable(result: RunResult, policyName: string): Diagnostic[] {
  return of(result, policyName).filter((d) => /\] undeterminable: /.test(d.message));
}

export function exempted(result: RunResult, policyName: string): Diagnostic[] {
  return of(result, policyName).filter((d) => /\] exempted by /.test(d.message));
}

export function notices(result: RunResult, policyName: string): Diagnostic[] {
  return of(result, policyName).filter((d) => /\] notice: /.test(d.message));
}

export function isNotApplicable(result: RunResult, policyName: string): boolean {
  return result.notApplicable.some((na) => na.policyName === policyName);
}
