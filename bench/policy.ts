/**
 * Policy evaluation rate on a synthetic stack, two ways:
 * - in-process: the pack's policies run through @pulumi/policy's own server functions
 *   (`makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`) with the requests the engine sends, so
 *   deserialization, the unknown-checking proxy and every validate function run as in the pack,
 *   without a process boundary;
 * - over gRPC: the pack launched as the CLI launches it, `Remediate` + `Analyze` per resource and
 *   `AnalyzeStack`, through the engine harness (tooling/engine).
 * Both time the per-resource phase and the stack phase apart: they scale differently.
 */
import { createRequire } from "node:module";
import type * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { createPolicies, PACK_NAME } from "../policies/all";
import { ANALYZE_CONCURRENCY, mapConcurrently } from "../tooling/engine/analyze-recording";
import type { GolivePolicy } from "../policies/lib/define";
import {
  analyzeRequestProto,
  analyzerResourceFor,
  analyzerStackResourceFor,
  analyzerStackResourceProto,
  stackContextFor,
  startPolicyPack,
} from "../tooling/engine/analyzer";
import type { Recording } from "../tooling/engine/record";
import { POLICY_CLOCK_ENV, PROJECT_DIR_ENV } from "../tooling/plan/settings";

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
  /** `Analyze` (and `Remediate` over gRPC) for every resource. */
  readonly resourceSeconds: number;
  /** `AnalyzeStack` once. */
  readonly stackSeconds: number;
  /** CPU time of this process over both phases (in-process runs only). */
  readonly cpuSeconds?: number;
  readonly diagnostics: number;
  /** Seconds in each policy's validate functions (in-process runs only), largest first. */
  readonly policySeconds?: readonly (readonly [string, number])[];
  /** Launching and configuring the pack (gRPC runs only). */
  readonly startSeconds?: number;
}

export interface PackEnvironment {
  readonly projectDir: string;
  readonly clock: string;
}

function call<Request>(rpc: RpcFunction<Request>, request: Request): Promise<analyzerproto.AnalyzeResponse> {
  return new Promise((resolve, reject) => {
    void rpc({ request }, (error, response) => {
      if (error !== undefined || response === undefined) reject(error ?? new Error("no response"));
      else resolve(response);
    });
  });
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

type Validate = ((...args: unknown[]) => unknown) & { __pulumiType?: string };

/** Wraps each validate function to add up the time spent in it (the type tag the server reads is kept). */
function timed(policies: GolivePolicy[], totals: Map<string, number>): GolivePolicy[] {
  return policies.map((policy) => {
    const copy: Record<string, unknown> = { ...policy };
    for (const key of ["validateResource", "validateStack"] as const) {
      const validate = copy[key] as Validate | undefined;
      if (typeof validate !== "function") continue;
      const label = `${policy.name} (${key === "validateStack" ? "stack" : "resource"})`;
      const wrapped: Validate = async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await validate(...args);
        } finally {
          totals.set(label, (totals.get(label) ?? 0) + (performance.now() - started) / 1000);
        }
      };
      if (validate.__pulumiType !== undefined) wrapped.__pulumiType = validate.__pulumiType;
      copy[key] = wrapped;
    }
    return copy as unknown as GolivePolicy;
  });
}

/** Every resource through the server's Analyze handler, then the stack through AnalyzeStack, in this process. */
/** Called when the per-resource phase is done, so a run stopped during the stack phase still reports it. */
export type PhaseListener = (resources: number, resourceSeconds: number) => void;

export async function inProcessRate(
  recording: Recording,
  environment: PackEnvironment,
  onResourcesDone?: PhaseListener,
): Promise<RateResult> {
  const totals = new Map<string, number>();
  const policies = timed(createPolicies({ env: packEnv(recording, environment) }), totals);
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
  const resourcesDone = performance.now();
  onResourcesDone?.(recording.resources.length, (resourcesDone - started) / 1000);
  diagnostics += (await call(analyzeStack, stackRequest)).getDiagnosticsList().length;
  const stackDone = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    resources: recording.resources.length,
    resourceSeconds: (resourcesDone - started) / 1000,
    stackSeconds: (stackDone - resourcesDone) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    diagnostics,
    policySeconds: [...totals].sort((a, b) => b[1] - a[1]),
  };
}

/** The pack as the engine runs it: launched, then Remediate + Analyze per resource and AnalyzeStack over gRPC. */
export async function grpcRate(
  recording: Recording,
  environment: PackEnvironment & { readonly packDir: string },
  onResourcesDone?: PhaseListener,
): Promise<RateResult> {
  const launched = performance.now();
  const started = await startPolicyPack({
    packDir: environment.packDir,
    baseEnv: {
      ...process.env,
      [POLICY_CLOCK_ENV]: environment.clock,
      [PROJECT_DIR_ENV]: environment.projectDir,
    },
    stack: stackContextFor(recording),
  });
  const startSeconds = (performance.now() - launched) / 1000;
  const { client } = started;
  try {
    let diagnostics = 0;
    const analyzed = recording.resources.filter((resource) => resource.origin !== "read");
    const begin = performance.now();
    // As tooling/engine/analyze-recording.ts sends them: Remediate, then Analyze, per resource,
    // several resources at a time as the engine does.
    const counts = await mapConcurrently(analyzed, ANALYZE_CONCURRENCY, async (resource) => {
      const input = analyzerResourceFor(resource, recording);
      await client.remediate(input);
      return (await client.analyze(input)).diagnostics.length;
    });
    diagnostics += counts.reduce((sum, count) => sum + count, 0);
    const resourcesDone = performance.now();
    onResourcesDone?.(recording.resources.length, (resourcesDone - begin) / 1000);
    const stack = await client.analyzeStack(
      analyzed.map((resource) => analyzerStackResourceFor(resource, recording)),
    );
    diagnostics += stack.diagnostics.length;
    const stackDone = performance.now();
    return {
      resources: recording.resources.length,
      resourceSeconds: (resourcesDone - begin) / 1000,
      stackSeconds: (stackDone - resourcesDone) / 1000,
      diagnostics,
      startSeconds,
    };
  } finally {
    await client.close();
  }
}
