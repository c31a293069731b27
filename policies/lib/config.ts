/**
 * Stack config as the pack process sees it. The engine starts the pack with the stack's config in
 * PULUMI_CONFIG (JSON: `ns:key` → string, objects JSON-encoded) and the stack in PULUMI_NODEJS_STACK;
 * @pulumi/policy 1.21 ignores the config in ConfigureStack, so the environment is the only source.
 * Reading is tolerant: a key the pack cannot parse is reported by the policy that needs it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { decodeConfigValue } from "../../lib/config-values";

export type Env = Readonly<Record<string, string | undefined>>;

export const ENV_STACK = "PULUMI_NODEJS_STACK";
export const ENV_CONFIG = "PULUMI_CONFIG";
export const ENV_DRY_RUN = "PULUMI_NODEJS_DRY_RUN";
export const ENV_PROJECT = "PULUMI_NODEJS_PROJECT";
export const ENV_PROJECT_DIR = "GOLIVE_PROJECT_DIR";
/** The stack file a run used, when it is not the project's `Pulumi.<stack>.yaml` (the offline plan's --config). */
export const ENV_STACK_FILE = "GOLIVE_STACK_FILE";

/** Drop the legacy `:config:` segment the language host may still add (`golive:config:app`). */
function cleanKey(key: string): string {
  const index = key.indexOf(":");
  if (index > 0 && key.startsWith("config:", index + 1)) {
    return key.slice(0, index) + ":" + key.slice(index + 1 + "config:".length);
  }
  return key;
}

/** Raw config values, decoded: `golive:app` → object. */
export type RawStackConfig = ReadonlyMap<string, unknown>;

export function parseConfigEnv(json: string | undefined): { config: RawStackConfig; error?: string } {
  const config = new Map<string, unknown>();
  if (!json) return { config };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json) as unknown;
  } catch {
    return { config, error: `${ENV_CONFIG} is not valid JSON` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { config, error: `${ENV_CONFIG} is not a JSON object` };
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    config.set(cleanKey(key), typeof value === "string" ? decodeConfigValue(value) : value);
  }
  return { config };
}

const awsAccountId = z.string().regex(/^\d{12}$/);

/** The parts of `golive:app` the pack reads. */
export const appConfigSchema = z.object({
  name: z.string().optional(),
  domain: z.string().optional(),
  hostname: z.string().optional(),
  healthPath: z.string().optional(),
  awsAccounts: z.object({ staging: awsAccountId, prod: awsAccountId }).optional(),
});

/** The parts of `golive:database` the pack reads. */
export const databaseConfigSchema = z.object({
  migrationsDir: z.string().min(1).optional(),
  api: z.object({ schemas: z.array(z.string().min(1)).min(1).optional() }).optional(),
  seedFiles: z.array(z.string()).optional(),
  backups: z.object({ pointInTimeRecovery: z.string().optional() }).optional(),
});

/** `golive:edgeFunctions`: functions that skip JWT verification on purpose (SEC-06). */
export const edgeFunctionsConfigSchema = z.object({
  public: z.record(z.string(), z.string()).optional(),
});

export type AppConfig = z.infer<typeof appConfigSchema>;
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;

export type ConfigRead<T> = { ok: true; value: T | undefined } | { ok: false; key: string; problem: string };

/** Read and validate one config key; absent is fine (value undefined), malformed is a problem. */
export function readConfigKey<T>(config: RawStackConfig, key: string, schema: z.ZodType<T>): ConfigRead<T> {
  if (!config.has(key)) return { ok: true, value: undefined };
  const parsed = schema.safeParse(config.get(key));
  if (parsed.success) return { ok: true, value: parsed.data };
  const problem = parsed.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") + ": " : ""}${issue.message}`)
    .join("; ");
  return { ok: false, key, problem };
}

export function configString(config: RawStackConfig, key: string): string | undefined {
  const value = config.get(key);
  return typeof value === "string" ? value : undefined;
}

/** The nearest ancestor of `startDir` (itself included) holding a Pulumi.yaml. */
function nearestProject(startDir: string): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) || fs.existsSync(path.join(dir, "Pulumi.yml")))
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The `name` in a project's Pulumi.yaml; undefined when it cannot be read. */
function projectName(dir: string): string | undefined {
  for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
    try {
      const document = parseYaml(fs.readFileSync(path.join(dir, file), "utf8")) as { name?: unknown } | null;
      if (typeof document?.name === "string") return document.name;
    } catch {
      // absent or not YAML: try the other spelling
    }
  }
  return undefined;
}

/**
 * The Pulumi project root. The engine does not tell a pack where the program is (it starts the pack
 * in the pack's own directory, and its Handshake names the pack directory too), so:
 * `GOLIVE_PROJECT_DIR` (the CLI passes its environment on to the pack: export it in CI), else the
 * nearest ancestor holding a Pulumi.yaml of the pack directory (a pack kept inside the project),
 * then of the directory `npm run` started in (`INIT_CWD`). A found project counts only when its
 * name is the project the engine runs (`PULUMI_NODEJS_PROJECT`), so a pack kept in another
 * project's tree never reads that project's files. Undefined when there is none.
 */
export function findProjectDir(startDir: string, env: Env): string | undefined {
  const override = env[ENV_PROJECT_DIR];
  if (override) return path.resolve(override);
  const running = env[ENV_PROJECT];
  for (const start of [startDir, env.INIT_CWD]) {
    if (!start) continue;
    const dir = nearestProject(start);
    if (dir === undefined) continue;
    const name = projectName(dir);
    if (running === undefined || name === undefined || name === running) return dir;
  }
  return undefined;
}
