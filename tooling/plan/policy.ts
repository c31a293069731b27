/**
 * Runs the policy pack over a recording the way `pulumi preview --policy-pack` does: the pack is
 * launched through `@pulumi/pulumi/cmd/run-policy-pack` with the stack's environment, configured,
 * then `Remediate`/`Analyze` per resource and `AnalyzeStack` over gRPC (tooling/engine).
 *
 * Launching is split from analyzing because the pack only needs the stack's config to start: the
 * plan starts it while the program is still running, which hides most of its start-up time.
 */
import { startPolicyPack, type AnalyzerInfo, type PackLog, type StartedPolicyPack } from "../engine/analyzer";
import { analyzeRecording, type RecordingAnalysis } from "../engine/analyze-recording";
import type { Recording } from "../engine/record";
import { POLICY_CLOCK_ENV, PROJECT_DIR_ENV, STACK_FILE_ENV } from "./settings";

export interface PolicyPackLaunch {
  readonly packDir: string;
  /** The Pulumi project; the pack resolves project-relative config (migrations) from it. */
  readonly projectDir: string;
  /** ISO 8601 instant for the pack's clock. */
  readonly clock: string;
  /** The environment the pack inherits (default: this process's). */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** A `--policy-pack-config` document. */
  readonly policyConfig?: unknown;
  readonly project: string;
  readonly stack: string;
  readonly organization?: string;
  readonly preview: boolean;
  /** The stack's config as the program gets it (`ns:key` → string) and its secret keys. */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
  /** Absolute path of the stack file the program ran with. */
  readonly stackFile?: string;
}

export interface PolicyRun {
  readonly info: AnalyzerInfo;
  readonly analysis: RecordingAnalysis;
  /** What the pack logged (Engine `Log` calls and stray output). */
  readonly logs: readonly PackLog[];
}

/** Starts and configures the pack for a stack, with the clock pinned and the project directory set. */
export function launchPolicyPack(launch: PolicyPackLaunch): Promise<StartedPolicyPack> {
  return startPolicyPack({
    packDir: launch.packDir,
    baseEnv: {
      ...(launch.baseEnv ?? process.env),
      [POLICY_CLOCK_ENV]: launch.clock,
      [PROJECT_DIR_ENV]: launch.projectDir,
      ...(launch.stackFile !== undefined ? { [STACK_FILE_ENV]: launch.stackFile } : {}),
    },
    stack: {
      stack: launch.stack,
      project: launch.project,
      ...(launch.organization !== undefined ? { organization: launch.organization } : {}),
      dryRun: launch.preview,
      config: launch.config,
      configSecretKeys: launch.secretKeys,
    },
    ...(launch.policyConfig !== undefined ? { policyConfig: launch.policyConfig } : {}),
  });
}

/** Analyzes the recording with a started pack, then stops the pack. */
export async function analyzeWithPack(recording: Recording, started: StartedPolicyPack): Promise<PolicyRun> {
  try {
    // Every violation is collected, as in a preview: an update would stop at the first mandatory
    // one, which would hide the rest from the reviewer.
    const analysis = await analyzeRecording(recording, started.client, { dryRun: true });
    const info = await started.client.getAnalyzerInfo();
    return { info, analysis, logs: [...started.client.logs] };
  } finally {
    await started.client.close();
  }
}

export type { AnalyzerInfo, StartedPolicyPack };
