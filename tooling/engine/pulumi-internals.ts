/**
 * Typed access to the parts of `@pulumi/pulumi`'s runtime that its published typings hide but that
 * `pulumi.runtime.setMocks` itself relies on: the per-deployment store (`runtime/state`) and the
 * RPC drain (`waitForRPCs`). Checked once at load so a changed SDK fails loudly here, not deep in a
 * recording.
 */
import * as stateModule from "@pulumi/pulumi/runtime/state";
import * as settingsModule from "@pulumi/pulumi/runtime/settings";

/** The callback-style Engine client the SDK logs through (only the methods it calls). */
export interface EngineClientLike {
  log(request: unknown, callback: (error: Error | null, response?: unknown) => void): void;
  setRootResource(request: unknown, callback: (error: Error | null, response?: unknown) => void): void;
  getRootResource(request: unknown, callback: (error: Error | null, response?: unknown) => void): void;
  requirePulumiVersion(request: unknown, callback: (error: Error | null, response?: unknown) => void): void;
  close(): void;
}

export interface PulumiStore {
  settings: {
    options: {
      rootDirectory?: string;
      organization?: string;
      project?: string;
      stack?: string;
      dryRun?: boolean;
    };
    monitor?: unknown;
    engine?: EngineClientLike;
  };
  supportsSecrets: boolean;
  supportsResourceReferences: boolean;
  supportsOutputValues: boolean;
  supportsDeletedWith: boolean;
  supportsReplaceWith: boolean;
  supportsAliasSpecs: boolean;
  supportsTransforms: boolean;
  supportsInvokeTransforms: boolean;
  supportsParameterization: boolean;
  supportsResourceHooks: boolean;
  supportsErrorHooks: boolean;
}

interface StateInternals {
  withLocalStorage<T>(callback: () => T): T;
  getStore(): PulumiStore;
}

interface SettingsInternals {
  waitForRPCs(): Promise<void>;
}

function checked<T>(module: unknown, names: readonly string[], label: string): T {
  for (const name of names) {
    if (typeof (module as Record<string, unknown>)[name] !== "function") {
      throw new Error(
        `@pulumi/pulumi/${label} has no function "${name}"; the installed @pulumi/pulumi is not the version ` +
          "tooling/engine was written against (3.248.0). Update tooling/engine/pulumi-internals.ts.",
      );
    }
  }
  return module as T;
}

export const pulumiState = checked<StateInternals>(
  stateModule,
  ["withLocalStorage", "getStore"],
  "runtime/state",
);
export const pulumiSettings = checked<SettingsInternals & typeof settingsModule>(
  settingsModule,
  ["waitForRPCs", "setMockOptions"],
  "runtime/settings",
);
