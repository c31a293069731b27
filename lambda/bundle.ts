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

/**
 * @param directory the handler's directory under `lambda/` (`cron-invoker`, `metrics-collector`)
 * @param label what the handler is, for error messages ("the cron invoker")
 * @throws {Error} when esbuild reports an error (the message lists esbuild's findings).
 */
export function bundleLambda(directory: string, label: string): LambdaBundle {
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
  });
  if (result.errors.length > 0) {
    throw new Error(`bundling ${label} failed: ${result.errors.map((message) => message.text).join("; ")}`);
  }
  const output = result.outputFiles[0];
  if (output === undefined || result.outputFiles.length !== 1) {
    throw new Error(`bundling ${label} produced ${result.outputFiles.length} files instead of 1`);
  }
  const code = output.text;
  return { code, sha256: createHash("sha256").update(code).digest("hex") };
}
