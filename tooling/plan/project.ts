/**
 * A Pulumi TypeScript project on disk: its `Pulumi.yaml` (name, main, config defaults), its stack
 * files, and its program loaded through tsx so it can run under the recording engine. Any program
 * works: one exporting a function (as golive does) or a module whose exports are the stack outputs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { register } from "tsx/cjs/api";
import { tsImport } from "tsx/esm/api";
import { parse as parseYaml } from "yaml";
import type { RawConfig } from "../../config/load";
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
}

const NAME_RULE = /^[A-Za-z0-9_.-]+$/;
const ENTRY_CANDIDATES = ["index.ts", "index.mts", "index.cts", "index.js", "index.mjs", "index.cjs"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

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
  return { dir: root, file, name, main, configDefaults };
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

/**
 * Loads a program's module fresh (its own files re-evaluated, dependencies shared with this
 * process so the Pulumi SDK is the one the recorder drives).
 */
async function loadModule(entry: string): Promise<unknown> {
  if (isEsmEntry(entry)) {
    // A fresh namespace per load gives fresh module instances of the program's files.
    return (await tsImport(pathToFileURL(entry).href, {
      parentURL: pathToFileURL(__filename).href,
    })) as unknown;
  }
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
export function programOf(project: PulumiProject): () => Promise<unknown> {
  return async () => {
    const exported = await loadModule(project.main);
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
