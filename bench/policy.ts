/**
 * Policy evaluation rate on synthetic stacks, two ways:
 * - in-process: the pack's policies run through @pulumi/policy's own server functions
 *   (`makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`) with the requests the engine sends, so
 *   deserialization, the unknown-checking proxy and every validate function run as in the pack,
 *   without a process boundary;
 * - over gRPC: the pack launched as the CLI launches it, `Remediate` + `Analyze` per resource and
 *   `AnalyzeStack`, through the engine harness (tooling/engine).
 */
import { createRequire } from "node:module";
import type * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { createPolicies, PACK_NAME } from "../policies/all";
import type { GolivePolicy } from "../policies/lib/define";
import { analyzeRecording } from "../tooling/engine/analyze-recording";
import {
  analyzeRequestProto,
  analyzerResourceFor,
  analyzerStackResourceFor,
  analyzerStackResourceProto,
  startPolicyPack,
} from "../tooling/engine/analyzer";
import type { Recording } from "../tooling/engine/record";
import { POLICY_CLOCK_ENV, PROJECT_DIR_ENV } from "../tooling/plan/settings";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";

type Callback = (error: Error | undefined, response: analyzerproto.AnalyzeResponse | undefined) => void;
type RpcFunction<Request> = (call: { request: Request }, callback: Callback) => Promise<void>;

interface PolicyServer {
  makeAnalyzeRpcFun(
    packName: string,
    packVersion: string,
    packLevel: string,
    policies: readonly GolivePolicy[],
  ): RpcFunction<analyzerproto.AnalyzeRequest>;
  makeAnalyzeStackRpcFun(
    packName: string,
    packVersion: string,
    packLevel: string,
    policies: readonly GolivePolicy[],
  ): RpcFunction<analyzerproto.AnalyzeStackRequest>;
}

// The server's request handlers are internal to @pulumi/policy (no typings), so they are loaded here.
const server = createRequire(require.resolve("@pulumi/policy"))("./server") as PolicyServer;

export interface RateResult {
  readonly resources: number;
  readonly seconds: number;
  /** CPU time of this process over the same span (in-process runs only). */
  readonly cpuSeconds?: number;
  readonly diagnostics: number;
}

function call<Request>(rpc: RpcFunction<Request>, request: Request): Promise<analyzerproto.AnalyzeResponse> {
  return new Promise((resolve, reject) => {
    void rpc({ request }, (error, response) => {
      if (error !== undefined || response === undefined) reject(error ?? new Error("no response"));
      else resolve(response);
    });
  });
}

export interface PackEnvironment {
  readonly projectDir: string;
  readonly clock: string;
}

function packEnv(recording: Recording, environment: PackEnvironment): Record<string, string> {
  return {
    PULUMI_NODEJS_STACK: recording.stack,
    PULUMI_NODEJS_PROJECT: recording.project,
    PULUMI_CONFIG: JSON.stringify(recording.config),
    PULUMI_NODEJS_DRY_RUN: String(recording.preview),
    [POLICY_CLOCK_ENV]: environment.clock,
    [PROJECT_DIR_ENV]: environment.projectDir,
  };
}

/** Every resource through the server's Analyze handler, then the stack through AnalyzeStack, in this process. */
export async function inProcessRate(recording: Recording, environment: PackEnvironment): Promise<RateResult> {
  const policies = createPolicies({ env: packEnv(recording, environment) });
  const analyze = server.makeAnalyzeRpcFun(PACK_NAME, "bench", "mandatory", policies);
  const analyzeStack = server.makeAnalyzeStackRpcFun(PACK_NAME, "bench", "mandatory", policies);
  // Building the engine's requests is the engine's work, not the pack's: done before timing.
  const requests = recording.resources
    .filter((resource) => resource.origin !== "read")
    .map((resource) => analyzeRequestProto(analyzerResourceFor(resource, recording)));
  const stackRequest = new analyzerpb.AnalyzeStackRequest();
  stackRequest.setResourcesList(
    recording.resources.map((resource) =>
      analyzerStackResourceProto(analyzerStackResourceFor(resource, recording)),
    ),
  );
  let diagnostics = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const request of requests) diagnostics += (await call(analyze, request)).getDiagnosticsList().length;
  diagnostics += (await call(analyzeStack, stackRequest)).getDiagnosticsList().length;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    resources: recording.resources.length,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    diagnostics,
  };
}

/** The pack as the engine runs it: launched, then Remediate + Analyze per resource and AnalyzeStack over gRPC. */
export async function grpcRate(
  recording: Recording,
  environment: PackEnvironment & { readonly packDir: string },
): Promise<RateResult & { readonly startSeconds: number }> {
  const launched = performance.now();
  const started = await startPolicyPack({
    packDir: environment.packDir,
    baseEnv: {
      ...process.env,
      [POLICY_CLOCK_ENV]: environment.clock,
      [PROJECT_DIR_ENV]: environment.projectDir,
    },
    stack: {
      stack: recording.stack,
      project: recording.project,
      dryRun: recording.preview,
      config: recording.config,
      configSecretKeys: recording.secretKeys,
    },
  });
  const startSeconds = (performance.now() - launched) / 1000;
  try {
    const begin = performance.now();
    const analysis = await analyzeRecording(recording, started.client, { dryRun: true });
    const seconds = (performance.now() - begin) / 1000;
    return {
      resources: recording.resources.length,
      seconds,
      diagnostics: analysis.diagnostics.length,
      startSeconds,
    };
  } finally {
    await started.client.close();
  }
}
