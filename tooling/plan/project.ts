/**
 * A Pulumi TypeScript project on disk: its `Pulumi.yaml` (name, main, config defaults), its stack
 * files, and its program loaded through tsx so it can run under the recording engine. Any program
 * works: one exporting a function (as golive does) or a module whose exports are the stack outputs.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { register } from "tsx/cjs/api";
import { build, type Plugin } from "esbuild";
import { parse as parseYaml } from "yaml";
import type { RawConfig } from "../../config/load";
import { isRecord } from "../../lib/records";
import { parsePinnedAnswers, type PinnedAnswers } from "../engine/mocks";
import { PlanInputError } from "./errors";

export { PlanInputError };

export interface PulumiProject {
  /** Absolute directory holding Pulumi.yaml. */
  readonly dir: string;
  readonly file: string;
  readonly name: string;
  /** Absolute path of the program's entry file. */
  readonly main: string;
  /** Project config defaults (`config: {key: {default: ...}}`), namespaced and encoded as the CLI does. */
  readonly configDefaults: Readonly<Record<string, string>>;
  /** `golive.mocks.yaml` beside Pulumi.yaml, when there is one: answers pinned for the offline run. */
  readonly mocksFile?: string;
}

/** The file of pinned mock answers golive reads beside a program's Pulumi.yaml. */
export const MOCKS_FILE = "golive.mocks.yaml";

/** Reads a pinned-answers file (golive.mocks.yaml or --mocks FILE); bad layout is a PlanInputError naming it. */
export function readPinnedAnswers(file: string): PinnedAnswers {
  if (!existsSync(file))
    throw new PlanInputError(`${file} does not exist: --mocks takes a YAML file of pinned answers`);
  try {
    return parsePinnedAnswers(parseYaml(readFileSync(file, "utf8")), file);
  } catch (error) {
    const message = (error as Error).message;
    throw new PlanInputError(message.startsWith(file) ? message : `${file}: ${message}`);
  }
}

const NAME_RULE = /^[A-Za-z0-9_.-]+$/;
const ENTRY_CANDIDATES = ["index.ts", "index.mts", "index.cts", "index.js", "index.mjs", "index.cjs"];

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Resolves a directory to its entry file as Node and the Pulumi language host do. */
function entryOfDirectory(dir: string, projectFile: string): string {
  const packageFile = path.join(dir, "package.json");
  if (existsSync(packageFile)) {
    try {
      const manifest = JSON.parse(readFileSync(packageFile, "utf8")) as { main?: unknown };
      if (typeof manifest.main === "string" && manifest.main !== "") {
        const main = path.resolve(dir, manifest.main);
        if (existsSync(main) && !isDirectory(main)) return main;
      }
    } catch {
      // An unreadable package.json falls through to the index files.
    }
  }
  for (const candidate of ENTRY_CANDIDATES) {
    const file = path.join(dir, candidate);
    if (existsSync(file)) return file;
  }
  throw new PlanInputError(
    `${projectFile}: no program entry in ${dir}; set \`main:\` in Pulumi.yaml or add an index.ts there`,
  );
}

function encodeConfigValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Reads `<dir>/Pulumi.yaml`. */
export function readProject(dir: string): PulumiProject {
  const root = path.resolve(dir);
  const file = [path.join(root, "Pulumi.yaml"), path.join(root, "Pulumi.yml")].find((candidate) =>
    existsSync(candidate),
  );
  if (file === undefined) {
    throw new PlanInputError(
      `${path.join(root, "Pulumi.yaml")} does not exist: pass --program the directory of a Pulumi project (the one with Pulumi.yaml)`,
    );
  }
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PlanInputError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (!isRecord(document))
    throw new PlanInputError(`${file} must be a YAML mapping with \`name:\` and \`runtime:\``);
  const name = document.name;
  if (typeof name !== "string" || !NAME_RULE.test(name)) {
    throw new PlanInputError(
      `${file}: \`name\` must be letters, digits, "_", "." or "-" (got ${JSON.stringify(name)})`,
    );
  }
  const runtime = isRecord(document.runtime) ? document.runtime.name : document.runtime;
  if (runtime !== "nodejs") {
    throw new PlanInputError(
      `${file}: runtime ${JSON.stringify(runtime)} is not supported; golive plans nodejs programs`,
    );
  }
  let main: string;
  if (document.main === undefined || document.main === null) {
    main = entryOfDirectory(root, file);
  } else if (typeof document.main === "string") {
    const target = path.resolve(root, document.main);
    if (!existsSync(target)) throw new PlanInputError(`${file}: \`main: ${document.main}\` does not exist`);
    main = isDirectory(target) ? entryOfDirectory(target, file) : target;
  } else {
    throw new PlanInputError(`${file}: \`main\` must be a path`);
  }
  const configDefaults: Record<string, string> = {};
  if (isRecord(document.config)) {
    for (const [key, declaration] of Object.entries(document.config)) {
      const namespaced = key.includes(":") ? key : `${name}:${key}`;
      if (isRecord(declaration)) {
        const value = "value" in declaration ? declaration.value : declaration.default;
        if (value !== undefined && value !== null) configDefaults[namespaced] = encodeConfigValue(value);
      } else if (declaration !== null && declaration !== undefined) {
        configDefaults[namespaced] = encodeConfigValue(declaration);
      }
    }
  }
  const mocksFile = path.join(root, MOCKS_FILE);
  return { dir: root, file, name, main, configDefaults, ...(existsSync(mocksFile) ? { mocksFile } : {}) };
}

/** The stacks with a stack file in the project directory, sorted. */
export function listStacks(project: PulumiProject): string[] {
  return readdirSync(project.dir)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined && NAME_RULE.test(stack))
    .sort();
}

export function stackFileOf(project: PulumiProject, stack: string): string {
  const yml = path.join(project.dir, `Pulumi.${stack}.yml`);
  return existsSync(yml) ? yml : path.join(project.dir, `Pulumi.${stack}.yaml`);
}

/** The stack name a stack file is for (`Pulumi.prod.yaml` → `prod`), if its name says. */
export function stackNameOfFile(file: string): string | undefined {
  const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1];
  return stack !== undefined && NAME_RULE.test(stack) ? stack : undefined;
}

export function isValidStackName(stack: string): boolean {
  return NAME_RULE.test(stack);
}

/** Project config defaults under the stack's own values, as the CLI merges them. */
export function withProjectDefaults(raw: RawConfig, project: PulumiProject): RawConfig {
  const values = { ...project.configDefaults, ...raw.values };
  return { ...raw, values };
}

function isEsmEntry(file: string): boolean {
  if (file.endsWith(".mts") || file.endsWith(".mjs")) return true;
  if (file.endsWith(".cts") || file.endsWith(".cjs")) return false;
  // The nearest package.json decides, as in Node.
  let dir = path.dirname(file);
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }).type === "module";
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

let unregisterTsx: (() => void) | undefined;
/** Modules each entry loaded last time (outside node_modules), dropped before it loads again. */
const loadedBy = new Map<string, string[]>();

function isOwnModule(file: string): boolean {
  return !file.split(path.sep).includes("node_modules");
}

/** golive's own directory: packages a program does not install itself are resolved from here. */
const GOLIVE_ROOT = path.resolve(__dirname, "..", "..");
const requireFromGolive = createRequire(path.join(GOLIVE_ROOT, "package.json"));

/** Directories of the programs being loaded: their bare imports fall back to golive's packages. */
const programDirs = new Set<string>();

/** A program imports a package that neither it nor golive has installed. */
export class MissingPackageError extends PlanInputError {
  constructor(
    readonly packageName: string,
    readonly importer: string,
    programDir: string,
  ) {
    super(
      `${importer} imports "${packageName}", which is not installed: run \`npm install\` in ${programDir} ` +
        "(golive resolves a program's packages from its own node_modules first, then from golive's)",
    );
    this.name = "MissingPackageError";
  }
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; relative, absolute and builtin → undefined. */
export function packageNameOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || path.isAbsolute(specifier) || specifier.startsWith("node:"))
    return undefined;
  if (/^[a-z]+:/i.test(specifier)) return undefined;
  if (isBuiltin(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function programDirOf(file: string | undefined): string | undefined {
  if (file === undefined || !isOwnModule(file)) return undefined;
  for (const dir of programDirs) if (file === dir || file.startsWith(dir + path.sep)) return dir;
  return undefined;
}

/** The directory holding `node_modules/<name>` nearest to `from`, walking up as Node does. */
function installedFrom(name: string, from: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) return path.dirname(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

interface ModuleInternals {
  _resolveFilename(
    request: string,
    parent: { filename?: string | null } | undefined,
    ...rest: unknown[]
  ): string;
}

let resolverInstalled = false;

/**
 * CommonJS: a program's bare import resolves as Node resolves it (the program's own node_modules
 * first); when that fails, from golive's node_modules; when both fail, the error names the package.
 */
function installFallbackResolver(): void {
  if (resolverInstalled) return;
  resolverInstalled = true;
  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename.bind(Module);
  internals._resolveFilename = (request, parent, ...rest) => {
    try {
      return original(request, parent, ...rest);
    } catch (error) {
      const programDir = programDirOf(parent?.filename ?? undefined);
      const name = packageNameOf(request);
      if (programDir === undefined || name === undefined) throw error;
      if ((error as { code?: unknown }).code !== "MODULE_NOT_FOUND") throw error;
      // Inside golive's tree Node's own walk already reached golive's node_modules: nothing to add.
      if (programDir === GOLIVE_ROOT || programDir.startsWith(GOLIVE_ROOT + path.sep)) throw error;
      if (installedFrom(name, GOLIVE_ROOT) === undefined) {
        const missing = new MissingPackageError(name, parent?.filename ?? programDir, programDir);
        (missing as unknown as { code: string }).code = "MODULE_NOT_FOUND";
        throw missing;
      }
      return requireFromGolive.resolve(request);
    }
  };
}

let bundleCount = 0;

/**
 * ES modules: the program's own files are bundled (esbuild, TypeScript stripped) into one module
 * written beside the entry, so every load evaluates them afresh while packages stay shared with
 * this process. Bare imports stay the program's when it has them installed, else point at
 * golive's copy; a package neither has fails with its name.
 */
async function importEsm(entry: string, programDir: string): Promise<unknown> {
  let missing: MissingPackageError | undefined;
  const plugin: Plugin = {
    name: "golive-program-packages",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        if (args.path.startsWith("node:") || isBuiltin(args.path)) return { path: args.path, external: true };
        const name = packageNameOf(args.path);
        if (name === undefined) return undefined;
        if (installedFrom(name, args.resolveDir) !== undefined) return { path: args.path, external: true };
        try {
          return { path: pathToFileURL(requireFromGolive.resolve(args.path)).href, external: true };
        } catch {
          missing ??= new MissingPackageError(name, args.importer, programDir);
          return { path: args.path, external: true };
        }
      });
      // Each file keeps its own import.meta.url, as when Node loads it unbundled.
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        if (!isOwnModule(args.path)) return undefined;
        const url = pathToFileURL(args.path).href;
        const text = readFileSync(args.path, "utf8")
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(path.dirname(args.path)));
        const extension = path.extname(args.path).slice(1);
        const loader = extension.startsWith("t") || extension.endsWith("ts") ? "ts" : "js";
        return {
          contents: text,
          loader: extension.endsWith("x") ? (loader === "ts" ? "tsx" : "jsx") : loader,
        };
      });
    },
  };
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "silent",
    sourcemap: "inline",
    absWorkingDir: programDir,
    plugins: [plugin],
  });
  if (missing !== undefined) throw missing;
  const code = result.outputFiles[0]?.text ?? "";
  bundleCount += 1;
  const file = path.join(path.dirname(entry), `.golive-program-${process.pid}-${bundleCount}.mjs`);
  writeFileSync(file, code);
  try {
    return (await import(pathToFileURL(file).href)) as unknown;
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * Loads a program's module fresh (its own files re-evaluated, dependencies shared with this
 * process so the Pulumi SDK is the one the recorder drives).
 */
async function loadModule(entry: string, programDir: string): Promise<unknown> {
  programDirs.add(programDir);
  if (isEsmEntry(entry)) return importEsm(entry, programDir);
  installFallbackResolver();
  unregisterTsx ??= register();
  const load = createRequire(entry);
  for (const file of loadedBy.get(entry) ?? []) delete load.cache[file];
  const before = new Set(Object.keys(load.cache));
  try {
    return load(entry) as unknown;
  } finally {
    loadedBy.set(
      entry,
      Object.keys(load.cache).filter((file) => !before.has(file) && isOwnModule(file)),
    );
  }
}

function isPlainModule(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * The program as the Node language host runs it: the module is loaded, and if its export (or its
 * default export) is a function, it is called and its result is the stack outputs; otherwise the
 * module's exports are.
 */
/**
 * Pulumi packages the program's package.json asks for at another major version than the one it
 * runs with (its own node_modules, else golive's): `@pulumi/cloudflare ^5.0.0, running 6.22.1`.
 */
export function providerVersionMismatches(project: PulumiProject): string[] {
  const manifestFile = path.join(project.dir, "package.json");
  if (!existsSync(manifestFile)) return [];
  let dependencies: Record<string, unknown> = {};
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Record<string, unknown>;
    dependencies = { ...(isRecord(manifest.dependencies) ? manifest.dependencies : {}) };
  } catch {
    return [];
  }
  const mismatches: string[] = [];
  for (const [name, range] of Object.entries(dependencies)) {
    if (!name.startsWith("@pulumi/") || typeof range !== "string") continue;
    const wanted = /(\d+)/.exec(range)?.[1];
    let installed: string | undefined;
    for (const from of [project.dir, GOLIVE_ROOT]) {
      const dir = installedFrom(name, from);
      if (dir === undefined) continue;
      try {
        installed = (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: string })
          .version;
      } catch {
        installed = undefined;
      }
      break;
    }
    if (wanted !== undefined && installed !== undefined && installed.split(".")[0] !== wanted) {
      mismatches.push(`${name} ${range} (running ${installed})`);
    }
  }
  return mismatches;
}

function withVersionHint(error: unknown, project: PulumiProject): unknown {
  if (!(error instanceof Error) || error instanceof PlanInputError) return error;
  const mismatches = providerVersionMismatches(project);
  if (mismatches.length === 0) return error;
  error.message +=
    `\n  The program was written for other major versions of its providers: ${mismatches.join(", ")}; ` +
    "install the versions it asks for in its own node_modules (npm install in the program's directory).";
  return error;
}

export function programOf(project: PulumiProject): () => Promise<unknown> {
  return async () => {
    let exported: unknown;
    try {
      exported = await loadModule(project.main, project.dir);
    } catch (error) {
      throw withVersionHint(error, project);
    }
    if (typeof exported === "function") return await (exported as () => unknown)();
    if (isPlainModule(exported)) {
      const fallback = exported.default;
      if (typeof fallback === "function") return await (fallback as () => unknown)();
      const outputs: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(exported)) {
        if (key === "__esModule" || (key === "default" && value === undefined)) continue;
        outputs[key] = value;
      }
      return outputs;
    }
    return exported;
  };
}
