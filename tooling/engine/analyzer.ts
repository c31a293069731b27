/**
 * Launches a policy pack exactly as the Pulumi CLI does and talks to it over the Analyzer gRPC
 * protocol, as the engine does: `node <run-policy-pack> <engine address> . [-option=value...]` in the
 * pack directory, with the engine's environment, the port read from the first line of stdout, then
 * `Handshake`, `ConfigureStack`, `GetAnalyzerInfo`, `Configure`, `Remediate`/`Analyze` per
 * resource and `AnalyzeStack` at the end. A minimal Engine service is served for the pack's logs.
 *
 * Requests are built from a recording the way the engine marshals its own state
 * (`MarshalProperties` with unknowns and secrets kept, internal keys skipped, resource references
 * flattened to ids or URNs), and responses are converted as the engine converts them (the version
 * from PulumiPolicy.yaml wins, a missing severity comes from the policy's metadata).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import {
  parsePolicyPackConfig,
  policyPackCommand,
  readPolicyPackManifest,
  reconcilePolicyPackConfig,
  type EnforcementLevel,
  type PolicyConfig,
  type PolicyPackCommand,
  type PolicyPackManifest,
  type StackContext,
} from "./policy-pack";
import type { RecordedResource, Recording } from "./record";
import { autoNamedProperty } from "./mocks";
import { parseGoDuration, parseProviderReference, parseUrn } from "./urn";
import { fromWireObject, toWireObject, type RecordedObject, type WireObject } from "./wire";

/** gRPC messages up to 400 MB, as the engine and the pack allow. */
const MAX_MESSAGE_BYTES = 1024 * 1024 * 400;
/**
 * How long the launcher waits for the pack's port. ts-node type-checks the whole pack before it
 * serves (12 s of CPU on an idle core; 29 s measured on a loaded machine), and in a plan it starts
 * while the program runs, so a shared CI runner needs headroom: 120 s by default, and
 * GOLIVE_PACK_START_TIMEOUT_MS (milliseconds) to set it.
 */
export const DEFAULT_START_TIMEOUT_MS = 120_000;
export const START_TIMEOUT_ENV = "GOLIVE_PACK_START_TIMEOUT_MS";

/** The start-up deadline from the environment; a value that is not a positive whole number is an error naming the variable. */
export function startTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[START_TIMEOUT_ENV];
  if (raw === undefined || raw.trim() === "") return DEFAULT_START_TIMEOUT_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(
      `${START_TIMEOUT_ENV} must be a whole number of milliseconds above 0 (got "${raw}"); unset it for the default ${DEFAULT_START_TIMEOUT_MS}`,
    );
  }
  return value;
}

export type PolicySeverity = "low" | "medium" | "high" | "critical";
export type PolicyType = "resource" | "stack" | "unknown";

export interface PolicyInfo {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly type: PolicyType;
  readonly severity?: PolicySeverity;
  readonly tags: string[];
  readonly remediationSteps?: string;
  readonly url?: string;
  readonly framework?: { name: string; version: string; reference: string; specification: string };
  readonly configSchema?: { properties: Record<string, unknown>; required: string[] };
}

export interface AnalyzerInfo {
  readonly name: string;
  readonly displayName: string;
  /** PulumiPolicy.yaml's version when it has one, else the version the pack reported. */
  readonly version: string;
  readonly supportsConfig: boolean;
  readonly description: string;
  /** Sorted by name, as the engine sorts them. */
  readonly policies: PolicyInfo[];
  readonly initialConfig: Record<
    string,
    { enforcementLevel: EnforcementLevel; properties?: Record<string, unknown> }
  >;
  readonly tags: string[];
  readonly provider: string;
  readonly repository: string;
  readonly readme: string;
}

export interface PolicyDiagnostic {
  readonly policyName: string;
  readonly policyPackName: string;
  readonly policyPackVersion: string;
  readonly message: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  /** The resource the violation is about, when there is one. */
  readonly urn?: string;
  readonly severity?: PolicySeverity;
  /** The policy's tags, from its metadata. */
  readonly tags?: string[];
}

export interface PolicyNotApplicable {
  readonly policyName: string;
  readonly reason?: string;
}

export interface AnalyzeResult {
  readonly diagnostics: PolicyDiagnostic[];
  readonly notApplicable: PolicyNotApplicable[];
}

export interface PolicyRemediation {
  readonly policyName: string;
  readonly policyPackName: string;
  readonly policyPackVersion: string;
  readonly description: string;
  /** The transformed properties, when the policy changed the resource. */
  readonly properties?: RecordedObject;
  /** A warning instead of a transformation (for example, it could not run during a preview). */
  readonly diagnostic?: string;
}

export interface RemediateResult {
  readonly remediations: PolicyRemediation[];
  readonly notApplicable: PolicyNotApplicable[];
}

/** `AnalyzerResourceOptions`; custom timeouts in seconds, as the engine holds them. */
export interface AnalyzerResourceOptions {
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
  /** Undefined when unset; the engine sends it with a "defined" flag. */
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs: readonly string[];
  readonly aliases: readonly string[];
  readonly customTimeouts: { readonly create: number; readonly update: number; readonly delete: number };
  readonly parent?: string;
}

export interface AnalyzerProvider {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: RecordedObject;
}

/** What the engine sends for one resource in `Analyze` and `Remediate`. */
export interface AnalyzerResourceInput {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: RecordedObject;
  readonly options: AnalyzerResourceOptions;
  readonly provider?: AnalyzerProvider;
}

/** What the engine sends for one resource in `AnalyzeStack`. */
export interface AnalyzerStackResourceInput extends AnalyzerResourceInput {
  readonly parent?: string;
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

export type PackLogSource = "engine" | "stdout" | "stderr";

/** A message from the pack: an Engine `Log` call, or a line it wrote after its port. */
export interface PackLog {
  readonly source: PackLogSource;
  readonly severity: "debug" | "info" | "warning" | "error";
  readonly message: string;
  readonly urn?: string;
}

export interface LaunchPolicyPackOptions {
  readonly packDir: string;
  /** The stack being analyzed; the engine passes it in the pack's environment. */
  readonly stack?: StackContext;
  /** The environment the engine itself runs with (default: this process's). */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** How long to wait for the pack to print its port. */
  readonly startTimeoutMs?: number;
}

const ENFORCEMENT_FROM_PROTO: Record<number, EnforcementLevel> = {
  [analyzerproto.EnforcementLevel.ADVISORY]: "advisory",
  [analyzerproto.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzerproto.EnforcementLevel.DISABLED]: "disabled",
  [analyzerproto.EnforcementLevel.REMEDIATE]: "remediate",
};

const ENFORCEMENT_TO_PROTO: Record<EnforcementLevel, analyzerproto.EnforcementLevel> = {
  advisory: analyzerproto.EnforcementLevel.ADVISORY,
  mandatory: analyzerproto.EnforcementLevel.MANDATORY,
  disabled: analyzerproto.EnforcementLevel.DISABLED,
  remediate: analyzerproto.EnforcementLevel.REMEDIATE,
};

const SEVERITY_FROM_PROTO: Record<number, PolicySeverity | undefined> = {
  [analyzerproto.PolicySeverity.POLICY_SEVERITY_UNSPECIFIED]: undefined,
  [analyzerproto.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
  [analyzerproto.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
  [analyzerproto.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
  [analyzerproto.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

const POLICY_TYPE_FROM_PROTO: Record<number, PolicyType> = {
  [analyzerproto.PolicyType.POLICY_TYPE_UNKNOWN]: "unknown",
  [analyzerproto.PolicyType.POLICY_TYPE_RESOURCE]: "resource",
  [analyzerproto.PolicyType.POLICY_TYPE_STACK]: "stack",
};

function enforcementLevelOf(value: number, where: string): EnforcementLevel {
  const level = ENFORCEMENT_FROM_PROTO[value];
  if (level === undefined) throw new Error(`${where}: invalid enforcement level ${value}`);
  return level;
}

function structOf(value: WireObject): structproto.Struct {
  return structproto.Struct.fromJavaScript(value);
}

function javaScriptOf(struct: structproto.Struct | undefined): Record<string, unknown> {
  const value: unknown = struct?.toJavaScript() ?? {};
  return value as Record<string, unknown>;
}

/** Properties as the engine marshals them for analyzers (unknowns and secrets kept, internal keys and references dropped). */
function analyzerProperties(properties: RecordedObject): structproto.Struct {
  return structOf(toWireObject(properties, { skipInternalKeys: true }));
}

function optionsProto(
  options: AnalyzerResourceOptions,
  withParent: boolean,
): analyzerproto.AnalyzerResourceOptions {
  const proto = new analyzerproto.AnalyzerResourceOptions();
  proto.setProtect(options.protect);
  proto.setIgnorechangesList([...options.ignoreChanges]);
  proto.setDeletebeforereplace(options.deleteBeforeReplace ?? false);
  proto.setDeletebeforereplacedefined(options.deleteBeforeReplace !== undefined);
  proto.setAdditionalsecretoutputsList([...options.additionalSecretOutputs]);
  proto.setAliasesList([...options.aliases]);
  const timeouts = new analyzerproto.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(options.customTimeouts.create);
  timeouts.setUpdate(options.customTimeouts.update);
  timeouts.setDelete(options.customTimeouts.delete);
  proto.setCustomtimeouts(timeouts);
  if (withParent && options.parent !== undefined) proto.setParent(options.parent);
  return proto;
}

function providerProto(
  provider: AnalyzerProvider | undefined,
): analyzerproto.AnalyzerProviderResource | undefined {
  if (provider === undefined) return undefined;
  const proto = new analyzerproto.AnalyzerProviderResource();
  proto.setUrn(provider.urn);
  proto.setType(provider.type);
  proto.setName(provider.name);
  proto.setProperties(analyzerProperties(provider.properties));
  return proto;
}

/** The `AnalyzeRequest` the engine sends for a resource (also used for `Remediate`). */
export function analyzeRequestProto(input: AnalyzerResourceInput): analyzerproto.AnalyzeRequest {
  const request = new analyzerproto.AnalyzeRequest();
  request.setUrn(input.urn);
  request.setType(input.type);
  request.setName(input.name);
  request.setProperties(analyzerProperties(input.properties));
  request.setOptions(optionsProto(input.options, true));
  const provider = providerProto(input.provider);
  if (provider !== undefined) request.setProvider(provider);
  return request;
}

/** The `AnalyzerResource` the engine sends for a resource in `AnalyzeStack` (options carry no parent there). */
export function analyzerStackResourceProto(
  input: AnalyzerStackResourceInput,
): analyzerproto.AnalyzerResource {
  const resource = new analyzerproto.AnalyzerResource();
  resource.setUrn(input.urn);
  resource.setType(input.type);
  resource.setName(input.name);
  resource.setProperties(analyzerProperties(input.properties));
  resource.setOptions(optionsProto(input.options, false));
  const provider = providerProto(input.provider);
  if (provider !== undefined) resource.setProvider(provider);
  resource.setParent(input.parent ?? "");
  resource.setDependenciesList([...input.dependencies]);
  const propertyDependencies = resource.getPropertydependenciesMap();
  for (const [key, urns] of Object.entries(input.propertyDependencies)) {
    // The engine leaves out properties without dependencies.
    if (urns.length === 0) continue;
    const dependencies = new analyzerproto.AnalyzerPropertyDependencies();
    dependencies.setUrnsList([...urns]);
    propertyDependencies.set(key, dependencies);
  }
  return resource;
}

function timeoutSeconds(text: string | undefined, urn: string): number {
  try {
    return parseGoDuration(text ?? "");
  } catch (error) {
    throw new Error(`${urn}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function providerFor(resource: RecordedResource, recording: Recording): AnalyzerProvider | undefined {
  if (resource.provider === undefined) return undefined;
  const { urn } = parseProviderReference(resource.provider);
  const provider = recording.resources.find((candidate) => candidate.urn === urn);
  if (provider === undefined) return undefined;
  return {
    urn: provider.urn,
    type: provider.type,
    name: parseUrn(provider.urn).name,
    properties: provider.inputs,
  };
}

function analyzerOptions(resource: RecordedResource): AnalyzerResourceOptions {
  return {
    protect: resource.options.protect,
    ignoreChanges: resource.options.ignoreChanges,
    ...(resource.options.deleteBeforeReplace !== undefined
      ? { deleteBeforeReplace: resource.options.deleteBeforeReplace }
      : {}),
    additionalSecretOutputs: resource.options.additionalSecretOutputs,
    // The engine sends only the alias it matched against existing state; an offline run has none.
    aliases: [],
    customTimeouts: {
      create: timeoutSeconds(resource.options.customTimeouts.create, resource.urn),
      update: timeoutSeconds(resource.options.customTimeouts.update, resource.urn),
      delete: timeoutSeconds(resource.options.customTimeouts.delete, resource.urn),
    },
    ...(resource.parent !== undefined ? { parent: resource.parent } : {}),
  };
}

/**
 * The inputs the engine analyzes: the provider's `Check` result. Offline there is no provider, but
 * the one thing bridged providers add that policies read is the auto-name, which the recording's
 * outputs carry.
 */
function checkedInputs(resource: RecordedResource): RecordedObject {
  const key = autoNamedProperty(resource.type);
  if (key === undefined || key in resource.inputs) return resource.inputs;
  const autoName = resource.outputs[key];
  return typeof autoName === "string" ? { ...resource.inputs, [key]: autoName } : resource.inputs;
}

/** The stack a recording ran as, as the engine describes it to a pack (`ConfigureStack`). */
export function stackContextFor(recording: Recording): StackContext {
  return {
    stack: recording.stack,
    project: recording.project,
    dryRun: recording.preview,
    config: recording.config,
    configSecretKeys: recording.secretKeys,
  };
}

/** What the engine sends to `Analyze` for a recorded resource: its checked inputs, options and provider. */
export function analyzerResourceFor(resource: RecordedResource, recording: Recording): AnalyzerResourceInput {
  const provider = providerFor(resource, recording);
  return {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    properties: checkedInputs(resource),
    options: analyzerOptions(resource),
    ...(provider !== undefined ? { provider } : {}),
  };
}

/** What the engine sends to `AnalyzeStack` for a recorded resource: its final outputs and its graph. */
export function analyzerStackResourceFor(
  resource: RecordedResource,
  recording: Recording,
): AnalyzerStackResourceInput {
  const provider = providerFor(resource, recording);
  return {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    properties: resource.outputs,
    options: analyzerOptions(resource),
    ...(provider !== undefined ? { provider } : {}),
    ...(resource.parent !== undefined ? { parent: resource.parent } : {}),
    dependencies: resource.options.dependencies,
    propertyDependencies: resource.options.propertyDependencies,
  };
}

function rpcFailure(pack: string, method: string, error: grpc.ServiceError): Error {
  return new Error(`policy pack ${pack}: ${method} failed: ${error.details || error.message}`);
}

/** A fake Engine service: the address the pack is given, and the logs it sends there. */
class EngineLogServer {
  private readonly server = new grpc.Server({ "grpc.max_receive_message_length": MAX_MESSAGE_BYTES });
  address = "";

  constructor(private readonly logs: PackLog[]) {
    const severities: Record<number, PackLog["severity"]> = {
      [engineproto.LogSeverity.DEBUG]: "debug",
      [engineproto.LogSeverity.INFO]: "info",
      [engineproto.LogSeverity.WARNING]: "warning",
      [engineproto.LogSeverity.ERROR]: "error",
    };
    const implementation: enginerpc.IEngineServer = {
      log: (call, callback) => {
        const urn = call.request.getUrn();
        this.logs.push({
          source: "engine",
          severity: severities[call.request.getSeverity()] ?? "info",
          message: call.request.getMessage(),
          ...(urn ? { urn } : {}),
        });
        callback(null, new emptyproto.Empty());
      },
      getRootResource: (_call, callback) => callback(null, new engineproto.GetRootResourceResponse()),
      setRootResource: (_call, callback) => callback(null, new engineproto.SetRootResourceResponse()),
      startDebugging: (_call, callback) => callback(null, new emptyproto.Empty()),
      requirePulumiVersion: (_call, callback) =>
        callback(null, new engineproto.RequirePulumiVersionResponse()),
    };
    this.server.addService(enginerpc.EngineService, implementation);
  }

  async start(): Promise<string> {
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => {
        if (error) reject(error);
        else resolve(bound);
      });
    });
    this.address = `127.0.0.1:${port}`;
    return this.address;
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

/** Splits a stream into lines, calling `onLine` for each complete one. */
function lineReader(onLine: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let pending = "";
  return {
    push(chunk: Buffer): void {
      pending += chunk.toString("utf8");
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        onLine(pending.slice(0, newline).replace(/\r$/, ""));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
    },
    flush(): void {
      if (pending !== "") onLine(pending);
      pending = "";
    },
  };
}

interface StartedProcess {
  readonly child: ChildProcess;
  readonly port: number;
}

/** Spawns the pack and waits for the port on the first line of stdout, as the engine's plugin loader does. */
function startProcess(
  command: PolicyPackCommand,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  logs: PackLog[],
): Promise<StartedProcess> {
  return new Promise<StartedProcess>((resolve, reject) => {
    const child = spawn(command.executable, [command.script, ...command.args], {
      cwd: command.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let settled = false;
    const stderrLines: string[] = [];
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      // A pack that fails while loading logs its error to the engine (run-policy-pack exits 32), not to stderr.
      const logged = logs.filter((log) => log.source === "engine" && log.severity === "error");
      const output = [...logged.map((log) => log.message), ...stderrLines].join("\n").trim();
      reject(new Error(output === "" ? message : `${message}\n${output}`));
    };
    const timer = setTimeout(
      () => fail(`policy pack in ${command.cwd} did not print its port within ${timeoutMs} ms`),
      timeoutMs,
    );
    const stdout = lineReader((line) => {
      if (!settled) {
        // The engine reads exactly one line and requires it to be the port.
        const port = Number.parseInt(line.trim(), 10);
        if (!/^\d+$/.test(line.trim()) || !Number.isFinite(port)) {
          fail(
            `policy pack in ${command.cwd} wrote a non-numeric port to stdout ('${line}'); ` +
              "a pack must not print anything before the gRPC server's port (the CLI fails the same way)",
          );
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ child, port });
        return;
      }
      logs.push({ source: "stdout", severity: "info", message: line });
    });
    const stderr = lineReader((line) => {
      if (!settled) stderrLines.push(line);
      logs.push({ source: "stderr", severity: "error", message: line });
    });
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => fail(`could not start the policy pack in ${command.cwd}: ${error.message}`));
    child.on("exit", (code, signal) => {
      stdout.flush();
      stderr.flush();
      fail(
        `policy pack in ${command.cwd} exited before printing its port (${signal ?? `exit code ${code}`})`,
      );
    });
  });
}

type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Response) => void,
) => grpc.ClientUnaryCall;

/** A running policy pack and a typed client for its Analyzer service. */
export class PolicyPackClient {
  /** Messages the pack logged: Engine `Log` calls, and lines on stdout (after the port) and stderr. */
  readonly logs: PackLog[];
  private info: AnalyzerInfo | undefined;
  private closed = false;

  private constructor(
    readonly packDir: string,
    readonly manifest: PolicyPackManifest,
    /** The command line and added environment the pack was started with. */
    readonly command: PolicyPackCommand,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly client: analyzerrpc.AnalyzerClient,
    private readonly engine: EngineLogServer,
    logs: PackLog[],
  ) {
    this.logs = logs;
  }

  /** Starts the pack as the CLI does and connects to it. Call {@link close} when done. */
  static async launch(options: LaunchPolicyPackOptions): Promise<PolicyPackClient> {
    const manifest = readPolicyPackManifest(options.packDir);
    const logs: PackLog[] = [];
    const engine = new EngineLogServer(logs);
    const engineAddress = await engine.start();
    try {
      const command = policyPackCommand(options.packDir, engineAddress, manifest, options.stack);
      const env = { ...(options.baseEnv ?? process.env), ...command.addedEnv };
      const { child, port } = await startProcess(
        command,
        env,
        options.startTimeoutMs ?? startTimeoutFromEnv(options.baseEnv ?? process.env),
        logs,
      );
      const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
        "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
      });
      return new PolicyPackClient(command.cwd, manifest, command, port, child, client, engine, logs);
    } catch (error) {
      engine.stop();
      throw error;
    }
  }

  /** The address of the fake Engine service given to the pack. */
  get engineAddress(): string {
    return this.engine.address;
  }

  private call<Request, Response>(
    invoke: UnaryMethod<Request, Response>,
    request: Request,
  ): Promise<Response> {
    if (this.closed) return Promise.reject(new Error(`policy pack ${this.packDir} is closed`));
    return new Promise<Response>((resolve, reject) => {
      invoke.call(this.client, request, new grpc.Metadata(), {}, (error, response) => {
        if (error) reject(error);
        else resolve(response);
      });
    });
  }

  private async callOrFail<Request, Response>(
    method: string,
    invoke: UnaryMethod<Request, Response>,
    request: Request,
  ): Promise<Response> {
    try {
      return await this.call(invoke, request);
    } catch (error) {
      throw rpcFailure(this.packDir, method, error as grpc.ServiceError);
    }
  }

  /**
   * `Handshake`, as the engine sends it right after start (engine address, pack directory as root and
   * program directory). Returns false when the pack does not implement it (`@pulumi/policy` 1.21).
   */
  async handshake(): Promise<boolean> {
    const request = new analyzerproto.AnalyzerHandshakeRequest();
    request.setEngineAddress(this.engine.address);
    request.setRootDirectory(this.packDir);
    request.setProgramDirectory(this.packDir);
    try {
      await this.call(this.client.handshake.bind(this.client), request);
      return true;
    } catch (error) {
      if ((error as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return false;
      throw rpcFailure(this.packDir, "Handshake", error as grpc.ServiceError);
    }
  }

  /** `ConfigureStack`. Returns false when the pack does not implement it. */
  async configureStack(stack: StackContext): Promise<boolean> {
    const request = new analyzerproto.AnalyzerStackConfigureRequest();
    request.setStack(stack.stack);
    request.setProject(stack.project);
    request.setOrganization(stack.organization ?? "");
    request.setDryRun(stack.dryRun);
    const config = request.getConfigMap();
    for (const [key, value] of Object.entries(stack.config)) config.set(key, value);
    request.setConfigSecretKeysList([...(stack.configSecretKeys ?? [])]);
    const tags = request.getTagsMap();
    for (const [key, value] of Object.entries(stack.tags ?? {})) tags.set(key, value);
    try {
      await this.call(this.client.configureStack.bind(this.client), request);
      return true;
    } catch (error) {
      if ((error as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return false;
      throw rpcFailure(this.packDir, "ConfigureStack", error as grpc.ServiceError);
    }
  }

  /** `GetAnalyzerInfo`, converted as the engine converts it (and cached, as the engine caches it). */
  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    if (this.info !== undefined) return this.info;
    const response = await this.callOrFail(
      "GetAnalyzerInfo",
      this.client.getAnalyzerInfo.bind(this.client),
      new emptyproto.Empty(),
    );
    const where = `policy pack ${this.packDir}: GetAnalyzerInfo`;
    const policies = response
      .getPoliciesList()
      .map((policy): PolicyInfo => {
        const severity = SEVERITY_FROM_PROTO[policy.getSeverity()];
        const framework = policy.getFramework();
        const schema = policy.getConfigschema();
        return {
          name: policy.getName(),
          displayName: policy.getDisplayname(),
          description: policy.getDescription(),
          message: policy.getMessage(),
          enforcementLevel: enforcementLevelOf(
            policy.getEnforcementlevel(),
            `${where} (${policy.getName()})`,
          ),
          type: POLICY_TYPE_FROM_PROTO[policy.getPolicyType()] ?? "unknown",
          ...(severity !== undefined ? { severity } : {}),
          tags: policy.getTagsList(),
          ...(policy.getRemediationSteps() ? { remediationSteps: policy.getRemediationSteps() } : {}),
          ...(policy.getUrl() ? { url: policy.getUrl() } : {}),
          ...(framework !== undefined
            ? {
                framework: {
                  name: framework.getName(),
                  version: framework.getVersion(),
                  reference: framework.getReference(),
                  specification: framework.getSpecification(),
                },
              }
            : {}),
          ...(schema !== undefined
            ? {
                configSchema: {
                  properties: javaScriptOf(schema.getProperties()),
                  required: schema.getRequiredList(),
                },
              }
            : {}),
        };
      })
      .sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    const initialConfig: AnalyzerInfo["initialConfig"] = {};
    for (const [name, config] of response.getInitialconfigMap().entries()) {
      const properties = javaScriptOf(config.getProperties());
      initialConfig[name] = {
        enforcementLevel: enforcementLevelOf(
          config.getEnforcementlevel(),
          `${where} (initial config ${name})`,
        ),
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
      };
    }
    this.info = {
      name: response.getName(),
      displayName: response.getDisplayname(),
      version: this.manifest.version ?? response.getVersion(),
      supportsConfig: response.getSupportsconfig(),
      description: response.getDescription() || (this.manifest.description ?? ""),
      policies,
      initialConfig,
      tags: response.getTagsList(),
      provider: response.getProvider(),
      repository: response.getRepository(),
      readme: response.getReadme(),
    };
    return this.info;
  }

  /** `GetPluginInfo`: the version of `@pulumi/policy` serving the pack. */
  async getPluginInfo(): Promise<{ version: string }> {
    const response = await this.callOrFail(
      "GetPluginInfo",
      this.client.getPluginInfo.bind(this.client),
      new emptyproto.Empty(),
    );
    return { version: response.getVersion() };
  }

  /** `Configure` with per-policy config (see {@link reconcilePolicyPackConfig}). The engine skips it when empty. */
  async configure(config: Readonly<Record<string, PolicyConfig>>): Promise<void> {
    const request = new analyzerproto.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, entry] of Object.entries(config)) {
      const policyConfig = new analyzerproto.PolicyConfig();
      policyConfig.setEnforcementlevel(ENFORCEMENT_TO_PROTO[entry.enforcementLevel]);
      policyConfig.setProperties(
        structproto.Struct.fromJavaScript(
          (entry.properties ?? {}) as Record<string, structproto.JavaScriptValue>,
        ),
      );
      map.set(name, policyConfig);
    }
    await this.callOrFail("Configure", this.client.configure.bind(this.client), request);
    if (this.info !== undefined) {
      // The engine updates its cached levels after Configure.
      this.info = {
        ...this.info,
        policies: this.info.policies.map((policy) => {
          const configured = config[policy.name];
          return configured === undefined
            ? policy
            : { ...policy, enforcementLevel: configured.enforcementLevel };
        }),
      };
    }
  }

  private async convertDiagnostics(
    diagnostics: analyzerproto.AnalyzeDiagnostic[],
  ): Promise<PolicyDiagnostic[]> {
    if (diagnostics.length === 0) return [];
    const info = await this.getAnalyzerInfo();
    const byName = new Map(info.policies.map((policy) => [policy.name, policy]));
    return diagnostics.map((diagnostic): PolicyDiagnostic => {
      const policy = byName.get(diagnostic.getPolicyname());
      const severity = SEVERITY_FROM_PROTO[diagnostic.getSeverity()] ?? policy?.severity;
      const urn = diagnostic.getUrn();
      return {
        policyName: diagnostic.getPolicyname(),
        policyPackName: diagnostic.getPolicypackname(),
        policyPackVersion: this.manifest.version ?? diagnostic.getPolicypackversion(),
        message: diagnostic.getMessage(),
        description: diagnostic.getDescription(),
        enforcementLevel: enforcementLevelOf(
          diagnostic.getEnforcementlevel(),
          `policy ${diagnostic.getPolicyname()}`,
        ),
        ...(urn ? { urn } : {}),
        ...(severity !== undefined ? { severity } : {}),
        ...(policy !== undefined && policy.tags.length > 0 ? { tags: policy.tags } : {}),
      };
    });
  }

  private static notApplicable(entries: analyzerproto.PolicyNotApplicable[]): PolicyNotApplicable[] {
    return entries.map((entry) => {
      const reason = entry.getReason();
      return { policyName: entry.getPolicyName(), ...(reason ? { reason } : {}) };
    });
  }

  /** `Analyze` one resource (its inputs), as the engine does before creating or updating it. */
  async analyze(input: AnalyzerResourceInput): Promise<AnalyzeResult> {
    const response = await this.callOrFail(
      `Analyze(${input.urn})`,
      this.client.analyze.bind(this.client),
      analyzeRequestProto(input),
    );
    return {
      diagnostics: await this.convertDiagnostics(response.getDiagnosticsList()),
      notApplicable: PolicyPackClient.notApplicable(response.getNotApplicableList()),
    };
  }

  /** `AnalyzeStack` with every resource (their outputs), as the engine does at the end of a run. */
  async analyzeStack(resources: readonly AnalyzerStackResourceInput[]): Promise<AnalyzeResult> {
    const request = new analyzerproto.AnalyzeStackRequest();
    request.setResourcesList(resources.map(analyzerStackResourceProto));
    let response: analyzerproto.AnalyzeResponse;
    try {
      response = await this.call(this.client.analyzeStack.bind(this.client), request);
    } catch (error) {
      // As in the engine, a pack without AnalyzeStack simply has no stack policies.
      if ((error as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED)
        return { diagnostics: [], notApplicable: [] };
      throw rpcFailure(this.packDir, "AnalyzeStack", error as grpc.ServiceError);
    }
    return {
      diagnostics: await this.convertDiagnostics(response.getDiagnosticsList()),
      notApplicable: PolicyPackClient.notApplicable(response.getNotApplicableList()),
    };
  }

  /** `Remediate` one resource, as the engine does before `Analyze`. */
  async remediate(input: AnalyzerResourceInput): Promise<RemediateResult> {
    let response: analyzerproto.RemediateResponse;
    try {
      response = await this.call(this.client.remediate.bind(this.client), analyzeRequestProto(input));
    } catch (error) {
      if ((error as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED)
        return { remediations: [], notApplicable: [] };
      throw rpcFailure(this.packDir, `Remediate(${input.urn})`, error as grpc.ServiceError);
    }
    return {
      remediations: response.getRemediationsList().map((remediation): PolicyRemediation => {
        const properties = remediation.getProperties();
        const diagnostic = remediation.getDiagnostic();
        return {
          policyName: remediation.getPolicyname(),
          policyPackName: remediation.getPolicypackname(),
          policyPackVersion: this.manifest.version ?? remediation.getPolicypackversion(),
          description: remediation.getDescription(),
          ...(properties !== undefined
            ? { properties: fromWireObject(properties.toJavaScript(), `${input.urn} remediated`) }
            : {}),
          ...(diagnostic ? { diagnostic } : {}),
        };
      }),
      notApplicable: PolicyPackClient.notApplicable(response.getNotApplicableList()),
    };
  }

  /** Stops the pack and the Engine service. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once("exit", () => resolve());
    });
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    this.engine.stop();
  }
}

export interface StartPolicyPackOptions extends LaunchPolicyPackOptions {
  readonly stack: StackContext;
  /** A `--policy-pack-config` document: keyed by policy name or `all`, each a level or `{enforcementLevel?, ...}`. */
  readonly policyConfig?: unknown;
}

export interface StartedPolicyPack {
  readonly client: PolicyPackClient;
  readonly info: AnalyzerInfo;
  /** The config sent with `Configure` (empty when the engine would not call it). */
  readonly config: Record<string, PolicyConfig>;
  readonly handshake: boolean;
}

/**
 * Starts a pack and prepares it the way `pulumi preview --policy-pack` does: launch, `Handshake`,
 * `ConfigureStack`, `GetAnalyzerInfo`, then `Configure` with the reconciled config when there is any.
 */
export async function startPolicyPack(options: StartPolicyPackOptions): Promise<StartedPolicyPack> {
  const client = await PolicyPackClient.launch(options);
  try {
    const handshake = await client.handshake();
    await client.configureStack(options.stack);
    const info = await client.getAnalyzerInfo();
    // As the engine: a pack that supports config always gets the reconciled config (every
    // policy's level and defaults); one that does not gets none, whatever was given.
    let config: Record<string, PolicyConfig> = {};
    if (info.supportsConfig) {
      const given = options.policyConfig === undefined ? {} : parsePolicyPackConfig(options.policyConfig);
      config = reconcilePolicyPackConfig(info.policies, info.initialConfig, given);
      if (Object.keys(config).length > 0) await client.configure(config);
    }
    return { client, info, config, handshake };
  } catch (error) {
    await client.close();
    throw error;
  }
}
