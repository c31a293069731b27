/**
 * Bundles one of golive's Lambda handlers (`lambda/<name>/handler.ts`) into one CommonJS file for
 * the Lambda Node.js 20 runtime.
 *
 * Use it as `new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) })`
 * with handler `index.handler`. The output depends only on the sources: no timestamps, paths are
 * relative to the repository root, so an unchanged handler yields the same bytes (and `sha256`) on
 * every machine and does not cause a Lambda update.
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";

export interface LambdaBundle {
  /** The bundled JavaScript (CommonJS, exports `handler`). */
  readonly code: string;
  /** Hex SHA-256 of `code`, e.g. to tag the function or detect changes. */
  readonly sha256: string;
}

/** The repository root: path comments esbuild writes are relative to it. */
const REPO_ROOT = path.resolve(__dirname, "..");

interface CachedBundle {
  readonly bundle: LambdaBundle;
  /** Every source file esbuild read, with the size and modification time it had then. */
  readonly inputs: ReadonlyArray<{ readonly file: string; readonly size: number; readonly mtimeMs: number }>;
}

/**
 * Bundles already built in this process. A program registers each handler once per environment and
 * tests or `golive plan` run the program many times in one process: the second build of unchanged
 * sources is pure repetition (esbuild's synchronous API blocks the event loop for each one).
 */
const built = new Map<string, CachedBundle>();

function fileState(file: string): { size: number; mtimeMs: number } | undefined {
  try {
    const stat = statSync(file);
    return { size: stat.size, mtimeMs: stat.mtimeMs };
  } catch {
    return undefined;
  }
}

/** A cached bundle still holds when every file it was built from is unchanged. */
function stillCurrent(cached: CachedBundle): boolean {
  return cached.inputs.every((input) => {
    const state = fileState(input.file);
    return state !== undefined && state.size === input.size && state.mtimeMs === input.mtimeMs;
  });
}

/**
 * @param directory the handler's directory under `lambda/` (`cron-invoker`, `metrics-collector`)
 * @param label what the handler is, for error messages ("the cron invoker")
 * @throws {Error} when esbuild reports an error (the message lists esbuild's findings).
 */
export function bundleLambda(directory: string, label: string): LambdaBundle {
  const cached = built.get(directory);
  if (cached !== undefined && stillCurrent(cached)) return cached.bundle;
  const result = buildSync({
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.join("lambda", directory, "handler.ts")],
    bundle: true,
    write: false,
    platform: "node",
    target: "node20",
    format: "cjs",
    // The Node.js 20 Lambda runtime ships AWS SDK v3; bundling it would only add megabytes.
    external: ["@aws-sdk/*"],
    minify: false,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
    // Lists the files read, so a later call can tell whether the cached bundle is still current.
    metafile: true,
  });
  if (result.errors.length > 0) {
    throw new Error(`bundling ${label} failed: ${result.errors.map((message) => message.text).join("; ")}`);
  }
  const output = result.outputFiles[0];
  if (output === undefined || result.outputFiles.length !== 1) {
    throw new Error(`bundling ${label} produced ${result.outputFiles.length} files instead of 1`);
  }
  const code = output.text;
  const bundle = { code, sha256: createHash("sha256").update(code).digest("hex") };
  const inputs = Object.keys(result.metafile.inputs).flatMap((input) => {
    const file = path.resolve(REPO_ROOT, input);
    const state = fileState(file);
    // An input that cannot be stat'ed (a virtual module) makes the bundle uncacheable.
    return state === undefined ? [{ file, size: -1, mtimeMs: -1 }] : [{ file, ...state }];
  });
  built.set(directory, { bundle, inputs });
  return bundle;
}
