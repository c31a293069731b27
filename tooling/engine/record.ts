/**
 * Runs a Pulumi program against a recording resource monitor, the way the engine would run it, and
 * returns everything the program told the engine: each resource registration with its inputs and
 * options, stack outputs, function calls, logs and parameterized packages.
 *
 * The monitor subclasses Pulumi's own `MockMonitor` and is installed with the SDK's mock wiring
 * (`setMockOptions`), inside a fresh per-deployment store (`withLocalStorage`), so `pulumi.Config`,
 * `getStack()`, `getOrganization()` and `isDryRun()` answer as under the CLI and several recordings
 * can run one after another in one process. Where the mock monitor departs from the engine (URNs,
 * default providers, unsupported features), the recording monitor follows the engine.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type * as aliasproto from "@pulumi/pulumi/proto/alias_pb";
import {
  MockMonitor,
  type MockCallArgs,
  type MockCallResult,
  type MockResourceArgs,
  type MockResourceResult,
} from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { setAllConfig } from "@pulumi/pulumi/runtime/config";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import { callResult, defaultResourceState, type MockResourceView, type PinnedAnswers } from "./mocks";
import { pulumiSettings, pulumiState, type EngineClientLike } from "./pulumi-internals";
import {
  aliasUrn,
  defaultProviderName,
  engineUrn,
  isProviderType,
  packageOfToken,
  ROOT_STACK_TYPE,
  type AliasSpec,
} from "./urn";
import {
  fromWire,
  fromWireObject,
  isSecret,
  markersToWire,
  secret,
  SECRET_SIG,
  SIG_KEY,
  toWireObject,
  UNKNOWN,
  UNKNOWN_SENTINEL,
  type RecordedObject,
  type UnknownValue,
  type WireObject,
} from "./wire";

export interface RecordedOptions {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly ignoreChanges: string[];
  /** Undefined when the program did not set it (the engine distinguishes "unset" from false). */
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs: string[];
  /** Alias URNs, each resolved as the engine resolves an alias specification. */
  readonly aliases: string[];
  /** As written in the program (Go durations such as `"10m"`); empty when unset. */
  readonly customTimeouts: { readonly create?: string; readonly update?: string; readonly delete?: string };
  readonly replaceOnChanges: string[];
  readonly deletedWith?: string;
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
}

/**
 * How a resource came to be in the recording: registered by the program, read with `.get()`, or a
 * default provider the engine would create for a package the program used without an explicit one.
 */
export type ResourceOrigin = "registered" | "read" | "default-provider";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly custom: boolean;
  /** Custom resources and providers: the id, unknown while being created in a preview. */
  readonly id?: string | UnknownValue;
  readonly parent?: string;
  /** Provider reference `<provider urn>::<provider id>` (the engine's form), custom resources only. */
  readonly provider?: string;
  /** Inputs as the engine received them (secrets and unknowns as markers, see `wire.ts`). */
  readonly inputs: RecordedObject;
  /** State the engine returned to the program, or the outputs a component registered. */
  outputs: RecordedObject;
  readonly options: RecordedOptions;
  readonly origin: ResourceOrigin;
  /** The SDK package version the resource asked for (drives the default provider name). */
  readonly version?: string;
  /** Reference to a parameterized package (see {@link Recording.packages}). */
  readonly packageRef?: string;
  readonly importId?: string;
}

export interface RecordedInvoke {
  readonly token: string;
  readonly args: RecordedObject;
  readonly provider?: string;
  readonly result: RecordedObject;
}

export type LogSeverity = "debug" | "info" | "warning" | "error";

export interface RecordedLog {
  readonly severity: LogSeverity;
  readonly message: string;
  readonly urn?: string;
}

export interface RecordedPackage {
  readonly ref: string;
  /** The base provider plugin (for example `terraform-provider`). */
  readonly name: string;
  readonly version: string;
  readonly downloadUrl?: string;
  readonly parameterization?: { readonly name: string; readonly version: string; readonly value: string };
}

export interface Recording {
  readonly project: string;
  readonly stack: string;
  readonly organization?: string;
  readonly preview: boolean;
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
  /** In registration order, default providers placed just before their first user. */
  readonly resources: RecordedResource[];
  readonly stackOutputs: RecordedObject;
  readonly invokes: RecordedInvoke[];
  /** Info, warning and error messages (debug messages are dropped). */
  readonly logs: RecordedLog[];
  readonly packages: RecordedPackage[];
}

export type MaybePromise<T> = T | Promise<T>;

/**
 * Overrides for the default mocks, in the shape of Pulumi's `Mocks`. A hook may return `undefined`
 * to fall back to the default answer, so a `Partial<pulumi.runtime.Mocks>` fits.
 */
export interface MockOverrides {
  newResource?(args: MockResourceArgs): MaybePromise<MockResourceResult | undefined>;
  call?(args: MockCallArgs): MaybePromise<MockCallResult | undefined>;
}

export interface RecordProgramOptions {
  /** The program: builds resources and returns the stack outputs (or a promise of them). */
  readonly program: () => unknown;
  readonly project: string;
  readonly stack: string;
  /** `namespace:key` → value, as the CLI passes config (objects JSON-encoded). */
  readonly config?: Readonly<Record<string, string>>;
  /** Config keys whose values are secret. */
  readonly secretKeys?: readonly string[];
  /** True for `pulumi preview`, false for `pulumi up`. */
  readonly preview: boolean;
  readonly mocks?: MockOverrides;
  /** Answers the user pinned for functions and resource outputs (golive.mocks.yaml, --mocks FILE). */
  readonly pinned?: PinnedAnswers;
  readonly organization?: string;
  /** What `pulumi.runtime.getRootDirectory()` answers (the directory of Pulumi.yaml). */
  readonly rootDirectory?: string;
}

type Callback = (error: Error | null, response?: unknown) => void;

/** Features the recording monitor does not implement, so the SDK must not use them. */
const UNSUPPORTED_FEATURES = new Set([
  "outputValues",
  "transforms",
  "invokeTransforms",
  "resourceHooks",
  "errorHooks",
]);

/** Parameterized packages by reference, process-wide: generated SDKs cache their reference per process. */
const knownPackages = new Map<string, RecordedPackage>();

function packageReference(descriptor: string): string {
  const digest = createHash("sha256").update(descriptor).digest("hex");
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-a${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function wireObjectOf(struct: structproto.Struct | undefined): WireObject {
  const value: unknown = struct?.toJavaScript() ?? {};
  return value as WireObject;
}

function customTimeoutsOf(request: resproto.RegisterResourceRequest): RecordedOptions["customTimeouts"] {
  const timeouts = request.getCustomtimeouts();
  const result: { create?: string; update?: string; delete?: string } = {};
  if (timeouts?.getCreate()) result.create = timeouts.getCreate();
  if (timeouts?.getUpdate()) result.update = timeouts.getUpdate();
  if (timeouts?.getDelete()) result.delete = timeouts.getDelete();
  return result;
}

function aliasSpecOf(alias: aliasproto.Alias): AliasSpec {
  const urn = alias.getUrn();
  if (urn) return { urn };
  const spec = alias.getSpec();
  if (spec === undefined) return {};
  return {
    name: spec.getName(),
    type: spec.getType(),
    stack: spec.getStack(),
    project: spec.getProject(),
    parentUrn: spec.getParenturn(),
    noParent: spec.getNoparent(),
  };
}

/** Collects what the program sends; shared by the monitor and the fake engine. */
class RecordingState {
  readonly resources: RecordedResource[] = [];
  readonly invokes: RecordedInvoke[] = [];
  readonly logs: RecordedLog[] = [];
  readonly packages: RecordedPackage[] = [];
  /** Errors the monitor returned to the program: the run fails with the first one. */
  readonly failures: Error[] = [];
  stackOutputs: RecordedObject = {};
  readonly byUrn = new Map<string, RecordedResource>();

  constructor(readonly options: RecordProgramOptions) {}

  get config(): Readonly<Record<string, string>> {
    return this.options.config ?? {};
  }

  add(resource: RecordedResource): void {
    this.resources.push(resource);
    this.byUrn.set(resource.urn, resource);
  }

  /** Records a failure; the recording rejects with the first one once the program has finished. */
  fail(message: string): Error {
    const error = new Error(message);
    this.failures.push(error);
    return error;
  }

  /** Records `error` as a failure unless it already is one. */
  failWith(error: unknown, context: string): void {
    if (error instanceof Error && this.failures.includes(error)) return;
    this.fail(`${context}: ${describe(error)}`);
  }
}

/** The fake Engine service the SDK logs to. */
function recordingEngine(state: RecordingState): EngineClientLike {
  const severities: Record<number, LogSeverity> = {
    [engproto.LogSeverity.DEBUG]: "debug",
    [engproto.LogSeverity.INFO]: "info",
    [engproto.LogSeverity.WARNING]: "warning",
    [engproto.LogSeverity.ERROR]: "error",
  };
  return {
    log(request: unknown, callback: Callback): void {
      const log = request as engproto.LogRequest;
      const severity = severities[log.getSeverity()] ?? "info";
      if (severity !== "debug") {
        const urn = log.getUrn();
        state.logs.push(
          urn ? { severity, message: log.getMessage(), urn } : { severity, message: log.getMessage() },
        );
      }
      callback(null, new emptyproto.Empty());
    },
    setRootResource(_request: unknown, callback: Callback): void {
      callback(null, new engproto.SetRootResourceResponse());
    },
    getRootResource(_request: unknown, callback: Callback): void {
      callback(null, new engproto.GetRootResourceResponse());
    },
    requirePulumiVersion(_request: unknown, callback: Callback): void {
      callback(null, new engproto.RequirePulumiVersionResponse());
    },
    close(): void {},
  };
}

/**
 * Pulumi's MockMonitor, extended to record every request and to follow the engine where the mock
 * does not: engine URNs, default providers, secret outputs, duplicate-URN errors, feature support.
 */
class RecordingMonitor extends MockMonitor {
  constructor(
    private readonly state: RecordingState,
    private readonly overrides: MockOverrides,
  ) {
    // The base class's mocks only serve `pulumi:pulumi:getResource`, which reads `this.resources`.
    super({
      newResource: () => {
        throw new Error("unreachable: the recording monitor answers registrations itself");
      },
      call: () => {
        throw new Error("unreachable: the recording monitor answers invokes itself");
      },
    });
  }

  private get preview(): boolean {
    return this.state.options.preview;
  }

  private urnFor(parent: string, type: string, name: string): string {
    return engineUrn(this.state.options.stack, this.state.options.project, parent, type, name);
  }

  /** Registers (once) the default provider the engine would create for this package and version. */
  private defaultProviderFor(type: string, version: string, packageRef: string, downloadUrl: string): string {
    const parameterized = packageRef ? knownPackages.get(packageRef) : undefined;
    if (packageRef && parameterized === undefined) {
      throw this.state.fail(`unknown package reference "${packageRef}" for resource type ${type}`);
    }
    const packageName = parameterized?.parameterization?.name ?? packageOfToken(type);
    const packageVersion = parameterized?.parameterization?.version ?? version;
    const providerType = `pulumi:providers:${packageName}`;
    const urn = this.urnFor("", providerType, defaultProviderName(packageVersion, downloadUrl));
    const existing = this.state.byUrn.get(urn);
    if (existing !== undefined)
      return `${urn}::${existing.id === undefined || typeof existing.id !== "string" ? UNKNOWN_SENTINEL : existing.id}`;

    // The engine configures a default provider from the stack's config in the package's namespace.
    const inputs: RecordedObject = {};
    const secretKeys = new Set(this.state.options.secretKeys ?? []);
    for (const [key, value] of Object.entries(this.state.config)) {
      if (!key.startsWith(`${packageName}:`)) continue;
      const shortKey = key.slice(packageName.length + 1);
      inputs[shortKey] = secretKeys.has(key) ? secret(value) : value;
    }
    // The version input is the plugin's: for a parameterized package, the base provider's.
    const pluginVersion = parameterized?.version ?? version;
    if (pluginVersion !== "") inputs.version = pluginVersion;
    if (downloadUrl !== "") inputs.pluginDownloadURL = downloadUrl;
    const id: string | UnknownValue = this.preview ? UNKNOWN : `${urn.split("::").pop() ?? "default"}-id`;
    const provider: RecordedResource = {
      type: providerType,
      name: urn.split("::").pop() ?? "default",
      urn,
      custom: true,
      id,
      inputs,
      outputs: { ...inputs },
      options: {
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        aliases: [],
        customTimeouts: {},
        replaceOnChanges: [],
        dependencies: [],
        propertyDependencies: {},
      },
      origin: "default-provider",
      ...(packageVersion !== "" ? { version: packageVersion } : {}),
      ...(packageRef ? { packageRef } : {}),
    };
    this.state.add(provider);
    this.resources.set(urn, { urn, id: typeof id === "string" ? id : null, state: toWireObject(inputs) });
    return `${urn}::${typeof id === "string" ? id : UNKNOWN_SENTINEL}`;
  }

  private providerInputsOf(reference: string): { providerInputs?: WireObject } {
    if (reference === "") return {};
    const providerUrn = reference.slice(0, reference.lastIndexOf("::"));
    const provider = this.state.byUrn.get(providerUrn);
    return provider === undefined ? {} : { providerInputs: toWireObject(provider.inputs) };
  }

  private async resolveState(
    args: MockResourceArgs,
    request: { getObject(): structproto.Struct | undefined },
    defaults: () => { id: string; state: WireObject },
  ): Promise<{ id: string; state: WireObject }> {
    if (this.overrides.newResource !== undefined) {
      const answer = await this.overrides.newResource({
        ...args,
        inputs: rpc.deserializeProperties(request.getObject() ?? new structproto.Struct()) as unknown,
      });
      if (answer !== undefined) {
        const serialized = (await rpc.serializeProperties(
          `mock(${args.type})`,
          markersToWire(answer.state) as Record<string, unknown>,
        )) as WireObject;
        return { id: answer.id ?? "", state: serialized };
      }
    }
    return defaults();
  }

  /** URNs claimed so far, reserved before any await so concurrent duplicates are caught. */
  private readonly registeredUrns = new Set<string>();

  override async registerResource(
    request: resproto.RegisterResourceRequest,
    callback: Callback,
  ): Promise<void> {
    const type = request.getType();
    const name = request.getName();
    let urnForResponse = "";
    try {
      const parent = request.getParent();
      const custom = request.getCustom();
      const urn = this.urnFor(parent, type, name);
      urnForResponse = urn;
      if (this.registeredUrns.has(urn)) {
        throw this.state.fail(
          `Duplicate resource URN '${urn}'; two resources of type ${type} share the name "${name}" under the same parent. Give one of them another name.`,
        );
      }
      this.registeredUrns.add(urn);
      const inputsWire = wireObjectOf(request.getObject());
      if (isProviderType(type)) {
        // The engine stamps a provider's plugin version and download URL into its inputs.
        if (request.getVersion() !== "" && inputsWire.version === undefined)
          inputsWire.version = request.getVersion();
        const downloadUrl = request.getPlugindownloadurl();
        if (downloadUrl !== "" && inputsWire.pluginDownloadURL === undefined)
          inputsWire.pluginDownloadURL = downloadUrl;
      }
      let provider = request.getProvider();
      if (custom && provider === "" && !isProviderType(type)) {
        provider = this.defaultProviderFor(
          type,
          request.getVersion(),
          request.getPackageref(),
          request.getPlugindownloadurl(),
        );
      }

      const { id, state } = await this.resolveState(
        { type, name, inputs: undefined, provider, custom, id: request.getImportid() || undefined },
        request,
        () =>
          defaultResourceState({
            type,
            name,
            urn,
            custom,
            preview: this.preview,
            inputs: inputsWire,
            config: this.state.config,
            ...this.providerInputsOf(provider),
            ...(this.state.options.pinned !== undefined ? { pinned: this.state.options.pinned } : {}),
          }),
      );

      // The engine marks the listed outputs secret whatever the provider returned.
      for (const key of request.getAdditionalsecretoutputsList()) {
        const value = state[key];
        if (value !== undefined && !isSecret(fromWire(value))) state[key] = { [SIG_KEY]: SECRET_SIG, value };
      }

      const propertyDependencies: Record<string, string[]> = {};
      for (const [key, deps] of request.getPropertydependenciesMap().entries()) {
        propertyDependencies[key] = deps.getUrnsList();
      }
      const resourceParentUrn = parent;
      const aliases = request
        .getAliasesList()
        .map((alias) =>
          aliasUrn(
            aliasSpecOf(alias),
            { stack: this.state.options.stack, project: this.state.options.project, type, name },
            resourceParentUrn,
          ),
        );
      aliases.push(...request.getAliasurnsList());
      const deletedWith = request.getDeletedwith();
      const version = request.getVersion();
      const packageRef = request.getPackageref();
      const importId = request.getImportid();

      const recorded: RecordedResource = {
        type,
        name,
        urn,
        custom,
        ...(custom || isProviderType(type) ? { id: id === "" ? UNKNOWN : id } : {}),
        ...(parent ? { parent } : {}),
        ...(custom && provider ? { provider } : {}),
        inputs: fromWireObject(inputsWire, `${urn} inputs`),
        outputs: fromWireObject(state, `${urn} outputs`),
        options: {
          protect: request.getProtect() === true,
          retainOnDelete: request.getRetainondelete() === true,
          ignoreChanges: request.getIgnorechangesList(),
          ...(request.getDeletebeforereplacedefined()
            ? { deleteBeforeReplace: request.getDeletebeforereplace() }
            : {}),
          additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
          aliases,
          customTimeouts: customTimeoutsOf(request),
          replaceOnChanges: request.getReplaceonchangesList(),
          ...(deletedWith ? { deletedWith } : {}),
          dependencies: request.getDependenciesList(),
          propertyDependencies,
        },
        origin: "registered",
        ...(version ? { version } : {}),
        ...(packageRef ? { packageRef } : {}),
        ...(importId ? { importId } : {}),
      };
      if (type === ROOT_STACK_TYPE && parent === "") this.stackUrn = urn;
      this.state.add(recorded);
      this.resources.set(urn, { urn, id: id || null, state });

      const response = new resproto.RegisterResourceResponse();
      response.setUrn(urn);
      response.setId(id);
      response.setObject(structproto.Struct.fromJavaScript(state));
      callback(null, response);
    } catch (error) {
      // The program gets a harmless answer so it runs to the end; the recording then rejects with
      // this failure. An error answer would surface as unhandled rejections inside the SDK.
      this.state.failWith(error, `${type} "${name}"`);
      const response = new resproto.RegisterResourceResponse();
      response.setUrn(urnForResponse);
      response.setObject(request.getObject() ?? new structproto.Struct());
      callback(null, response);
    }
  }

  private stackUrn: string | undefined;

  override registerResourceOutputs(
    request: resproto.RegisterResourceOutputsRequest,
    callback: Callback,
  ): void {
    try {
      const urn = request.getUrn();
      const resource = this.state.byUrn.get(urn);
      if (resource === undefined) {
        this.state.fail(`registerOutputs for unknown resource ${urn}`);
        callback(null, new emptyproto.Empty());
        return;
      }
      const outputs = wireObjectOf(request.getOutputs());
      resource.outputs = fromWireObject(outputs, `${urn} outputs`);
      if (urn === this.stackUrn) this.state.stackOutputs = resource.outputs;
      const registered = this.resources.get(urn);
      if (registered !== undefined) registered.state = outputs;
      callback(null, new emptyproto.Empty());
    } catch (error) {
      this.state.failWith(error, `registerOutputs ${request.getUrn()}`);
      callback(null, new emptyproto.Empty());
    }
  }

  override async readResource(request: resproto.ReadResourceRequest, callback: Callback): Promise<void> {
    const type = request.getType();
    const name = request.getName();
    try {
      const parent = request.getParent();
      const urn = this.urnFor(parent, type, name);
      const inputsWire = wireObjectOf(request.getProperties());
      let provider = request.getProvider();
      if (provider === "") {
        provider = this.defaultProviderFor(type, request.getVersion(), "", request.getPlugindownloadurl());
      }
      const readId = request.getId();
      const { state } = await this.resolveState(
        { type, name, inputs: undefined, provider, custom: true, id: readId },
        { getObject: () => request.getProperties() },
        // A read returns the live state, so its outputs are known even in a preview.
        () =>
          defaultResourceState({
            type,
            name,
            urn,
            custom: true,
            preview: false,
            inputs: inputsWire,
            config: this.state.config,
            ...(this.state.options.pinned !== undefined ? { pinned: this.state.options.pinned } : {}),
          }),
      );
      this.state.add({
        type,
        name,
        urn,
        custom: true,
        id: readId,
        ...(parent ? { parent } : {}),
        provider,
        inputs: fromWireObject(inputsWire, `${urn} inputs`),
        outputs: fromWireObject(state, `${urn} outputs`),
        options: {
          protect: false,
          retainOnDelete: false,
          ignoreChanges: [],
          additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
          aliases: [],
          customTimeouts: {},
          replaceOnChanges: [],
          dependencies: request.getDependenciesList(),
          propertyDependencies: {},
        },
        origin: "read",
      });
      this.resources.set(urn, { urn, id: readId, state });
      const response = new resproto.ReadResourceResponse();
      response.setUrn(urn);
      response.setProperties(structproto.Struct.fromJavaScript(state));
      callback(null, response);
    } catch (error) {
      this.state.failWith(error, `read ${type} "${name}"`);
      const response = new resproto.ReadResourceResponse();
      response.setUrn(this.urnFor(request.getParent(), type, name));
      response.setProperties(request.getProperties() ?? new structproto.Struct());
      callback(null, response);
    }
  }

  override async invoke(request: resproto.ResourceInvokeRequest, callback: Callback): Promise<void> {
    const token = request.getTok();
    if (token === "pulumi:pulumi:getResource") {
      await super.invoke(request, callback);
      return;
    }
    try {
      const argsWire = wireObjectOf(request.getArgs());
      let result: WireObject | undefined;
      if (this.overrides.call !== undefined) {
        const answer = await this.overrides.call({
          token,
          inputs: rpc.deserializeProperties(request.getArgs() ?? new structproto.Struct()) as unknown,
          provider: request.getProvider(),
        });
        if (answer !== undefined) {
          result = (await rpc.serializeProperties(
            `mock(${token})`,
            markersToWire(answer) as Record<string, unknown>,
          )) as WireObject;
        }
      }
      result ??= callResult({
        ...(this.state.options.pinned !== undefined ? { pinned: this.state.options.pinned } : {}),
        token,
        args: argsWire,
        provider: request.getProvider(),
        preview: this.preview,
        config: this.state.config,
        findResource: (predicate) => {
          const found = this.state.resources.find((resource) => predicate(viewOf(resource)));
          return found === undefined ? undefined : viewOf(found);
        },
      });
      if (result === undefined) {
        throw this.state.fail(
          `no answer for the function ${token}: its provider SDK (@pulumi/${packageOfToken(token)}) is not installed ` +
            `where the program or golive can find it; install it, or pin the answer in golive.mocks.yaml beside Pulumi.yaml ` +
            `(invokes: {"${token}": {...}}) or a file given with --mocks`,
        );
      }
      const provider = request.getProvider();
      this.state.invokes.push({
        token,
        args: fromWireObject(argsWire, `${token} args`),
        ...(provider ? { provider } : {}),
        result: fromWireObject(result, `${token} result`),
      });
      const response = new provproto.InvokeResponse();
      response.setReturn(structproto.Struct.fromJavaScript(result));
      callback(null, response);
    } catch (error) {
      this.state.failWith(error, token);
      const response = new provproto.InvokeResponse();
      response.setReturn(new structproto.Struct());
      callback(null, response);
    }
  }

  override supportsFeature(request: resproto.SupportsFeatureRequest, callback: Callback): void {
    const response = new resproto.SupportsFeatureResponse();
    response.setHassupport(!UNSUPPORTED_FEATURES.has(request.getId()));
    callback(null, response);
  }

  override registerPackage(request: resproto.RegisterPackageRequest, callback: Callback): void {
    try {
      const parameterization = request.getParameterization();
      const recorded: RecordedPackage = {
        ref: "",
        name: request.getName(),
        version: request.getVersion(),
        ...(request.getDownloadUrl() ? { downloadUrl: request.getDownloadUrl() } : {}),
        ...(parameterization !== undefined
          ? {
              parameterization: {
                name: parameterization.getName(),
                version: parameterization.getVersion(),
                value: parameterization.getValue_asB64(),
              },
            }
          : {}),
      };
      const ref = packageReference(JSON.stringify({ ...recorded, ref: undefined }));
      const withRef: RecordedPackage = { ...recorded, ref };
      knownPackages.set(ref, withRef);
      this.state.packages.push(withRef);
      const response = new resproto.RegisterPackageResponse();
      response.setRef(ref);
      callback(null, response);
    } catch (error) {
      this.state.failWith(error, `registerPackage ${request.getName()}`);
      const response = new resproto.RegisterPackageResponse();
      response.setRef("unregistered-package");
      callback(null, response);
    }
  }
}

function viewOf(resource: RecordedResource): MockResourceView {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    id: resource.id,
    inputs: resource.inputs,
  };
}

function validate(options: RecordProgramOptions): void {
  const nameRule = /^[A-Za-z0-9_.-]+$/;
  if (!nameRule.test(options.project)) {
    throw new Error(`recordProgram: project "${options.project}" must be letters, digits, "_", "." or "-"`);
  }
  if (!nameRule.test(options.stack)) {
    throw new Error(`recordProgram: stack "${options.stack}" must be letters, digits, "_", "." or "-"`);
  }
  for (const [key, value] of Object.entries(options.config ?? {})) {
    if (!/^[^:]+:.+$/.test(key)) {
      throw new Error(
        `recordProgram: config key "${key}" must be namespaced, as "<namespace>:<key>" (for example "aws:region")`,
      );
    }
    if (typeof value !== "string") {
      throw new Error(
        `recordProgram: config "${key}" must be a string (JSON-encode objects, as the CLI does)`,
      );
    }
  }
  for (const key of options.secretKeys ?? []) {
    if (!(key in (options.config ?? {}))) {
      throw new Error(
        `recordProgram: secret key "${key}" is not in config; add its value to config or remove it`,
      );
    }
  }
}

/**
 * Runs `program` as the engine would for `pulumi preview` (preview: true) or `pulumi up`, and
 * returns what it registered. Rejects with the program's own error if the program throws, or with
 * the first error the monitor returned to it (for example an invoke without a mock answer).
 */
export async function recordProgram(options: RecordProgramOptions): Promise<Recording> {
  validate(options);
  const restore = withPlainStackTraces();
  try {
    return await pulumiState.withLocalStorage(() => runRecording(options));
  } finally {
    restore();
  }
}

/** Recordings in flight: the plain stack formatter stays installed until the last one ends. */
let recordingsInFlight = 0;
let savedPrepareStackTrace: typeof Error.prepareStackTrace;

/** Set to see where leaked promises were made: their stacks are then kept in full. */
const DEBUG_PROMISE_LEAKS_ENV = "PULUMI_DEBUG_PROMISE_LEAKS";

/**
 * V8's own stack format (`Error: message` then `    at <frame>` lines), without source maps. The
 * stack the SDK stores on each of its promises is only ever printed to debug promise leaks: unless
 * that is asked for, it is kept to its first line (thousands of them are made per recording).
 */
function plainStackTrace(error: Error, frames: NodeJS.CallSite[]): string {
  const head = Error.prototype.toString.call(error);
  if (frames.length === 0) return head;
  if (frames[0]?.getFunctionName() === "debuggablePromise" && !process.env[DEBUG_PROMISE_LEAKS_ENV])
    return head;
  // V8 call sites stringify as the frames of a default stack (`fn (file:line:column)`).
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return `${head}\n    at ${frames.map((frame) => frame.toString()).join("\n    at ")}`;
}

/**
 * The SDK reads `new Error().stack` for every promise it makes (a leak-debugging aid) and for every
 * resource (its source position, which the recording does not keep). Under a TypeScript loader each
 * of those stacks is mapped through source maps, which was half of a recording's CPU time. While a
 * recording runs, stacks are formatted as V8 formats them; the frames are the same, only not mapped
 * back to TypeScript lines. A stack first read after the recording is mapped as usual.
 */
function withPlainStackTraces(): () => void {
  if (recordingsInFlight === 0) {
    // Saved to be put back as it was; never called here.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    savedPrepareStackTrace = Error.prepareStackTrace;
    Error.prepareStackTrace = plainStackTrace;
  }
  recordingsInFlight += 1;
  return () => {
    recordingsInFlight -= 1;
    if (recordingsInFlight === 0) Error.prepareStackTrace = savedPrepareStackTrace;
  };
}

async function runRecording(options: RecordProgramOptions): Promise<Recording> {
  const state = new RecordingState(options);
  const monitor = new RecordingMonitor(state, options.mocks ?? {});
  pulumiSettings.setMockOptions(
    monitor,
    options.project,
    options.stack,
    options.preview,
    options.organization ?? "",
  );

  const store = pulumiState.getStore();
  // What setMocks turns on, minus what this monitor does not implement.
  store.supportsSecrets = true;
  store.supportsResourceReferences = true;
  store.supportsOutputValues = false;
  store.supportsDeletedWith = true;
  store.supportsReplaceWith = true;
  store.supportsAliasSpecs = true;
  store.supportsTransforms = false;
  store.supportsInvokeTransforms = false;
  store.supportsParameterization = true;
  store.supportsResourceHooks = false;
  store.supportsErrorHooks = false;
  store.settings.engine = recordingEngine(state);
  if (options.rootDirectory !== undefined) store.settings.options.rootDirectory = options.rootDirectory;
  setAllConfig({ ...(options.config ?? {}) }, [...(options.secretKeys ?? [])]);

  // The program's error is caught inside the stack's callback: thrown through the SDK it would
  // also reject promises nobody awaits (unhandled rejections), which the CLI reports as the same
  // failure but which would crash a test runner.
  let programError: { readonly error: unknown } | undefined;
  // Errors thrown where nothing awaits them (inside `apply`) fail a CLI run through its
  // unhandled-rejection handler; the recording fails the same way.
  const unhandled: unknown[] = [];
  const onUnhandledRejection = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on("unhandledRejection", onUnhandledRejection);
  try {
    await runInPulumiStack(async () => {
      try {
        return (await options.program()) as pulumi.Inputs | undefined;
      } catch (error) {
        programError = { error };
        return undefined;
      }
    });
    // Registrations still in flight (for example inside `apply`) finish before the recording does.
    await pulumiSettings.waitForRPCs();
    // Node reports unhandled rejections after the microtask queue drains.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("unhandledRejection", onUnhandledRejection);
  }

  // A monitor failure comes first: it is the cause when the program then trips over its answer.
  const firstFailure = state.failures[0];
  if (firstFailure !== undefined) throw firstFailure;
  if (programError !== undefined) throw programError.error;
  if (unhandled.length > 0) throw unhandled[0];

  return {
    project: options.project,
    stack: options.stack,
    ...(options.organization !== undefined ? { organization: options.organization } : {}),
    preview: options.preview,
    config: { ...(options.config ?? {}) },
    secretKeys: [...(options.secretKeys ?? [])],
    resources: state.resources,
    stackOutputs: state.stackOutputs,
    invokes: state.invokes,
    logs: state.logs,
    packages: state.packages,
  };
}

/** Resources in a recording that the engine treats as user resources: neither the stack nor providers. */
export function userResources(recording: Recording): RecordedResource[] {
  return recording.resources.filter(
    (resource) => resource.type !== ROOT_STACK_TYPE && !isProviderType(resource.type),
  );
}

/** Finds a resource by type and name, failing with the names that do exist. */
export function findResource(recording: Recording, type: string, name: string): RecordedResource {
  const found = recording.resources.find((resource) => resource.type === type && resource.name === name);
  if (found === undefined) {
    const sameType = recording.resources
      .filter((resource) => resource.type === type)
      .map((resource) => resource.name);
    throw new Error(
      `no ${type} named "${name}" in the recording` +
        (sameType.length > 0
          ? `; resources of that type: ${sameType.join(", ")}`
          : "; no resource has that type"),
    );
  }
  return found;
}
