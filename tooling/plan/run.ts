/**
 * Offline plans of a project's stacks. Per stack: read its stack file (operator secrets that are not
 * set become marked placeholders), run the program under the recording engine with the project
 * directory as root and working directory, run the policy pack over the recording, build the plan
 * and render its files.
 *
 * Every stack's pack is launched up front (it needs only the stack's config), so packs start while
 * programs run; the programs themselves run one after another, as they share the SDK's state.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import { CHECKLIST, CHECKLIST_IDS } from "../../policies/lib/checklist";
import { deferredChecksOf, type RawConfig } from "../../config/load";
import { recordProgram, type Recording } from "../engine/record";
import { PLACEHOLDER_MARK, readStackFile, withPlaceholderSecrets } from "../stack-files";
import { buildPlan } from "./build";
import {
  DEFAULT_PROGRAM_TIMEOUT_MS,
  PolicyPackError,
  PROGRAM_TIMEOUT_ENV,
  ProgramError,
  StackPlanError,
} from "./errors";
import type { ChecklistEntry } from "./coverage";
import { stableStringify } from "./json";
import { renderPlanMarkdown } from "./markdown";
import type { PlanDocument } from "./model";
import { analyzeWithPack, launchPolicyPack, type PolicyRun, type StartedPolicyPack } from "./policy";
import type { PinnedAnswers } from "../engine/mocks";
import { programOf, readPinnedAnswers, withProjectDefaults, type PulumiProject } from "./project";
import { assertConfigFitsEnvironment } from "../engine/config-env-limit";

/** The golive repository (the policy pack lives in its `policies/`). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_PACK_DIR = path.join(REPO_ROOT, "policies");

const PROVIDED_SECRETS_KEY = "golive:providedSecrets";

export { PolicyPackError, ProgramError, StackPlanError };

export const GOLIVE_CHECKLIST: readonly ChecklistEntry[] = CHECKLIST_IDS.map((id) => ({
  id,
  requirement: CHECKLIST[id].requirement,
}));

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Config errors keep their own type (their message is already formatted for the reader). */
function isConfigError(error: unknown): boolean {
  return error instanceof Error && (error.name === "ConfigError" || error.name === "StackFileError");
}

export interface StackTarget {
  readonly stack: string;
  /** Absolute path of the stack file. */
  readonly configFile: string;
}

export interface PlanStacksOptions {
  readonly project: PulumiProject;
  readonly targets: readonly StackTarget[];
  /** Run as `pulumi preview` (unknowns stay unknown) instead of `pulumi up` against mocks. */
  readonly preview: boolean;
  /** ISO 8601 instant the pack's clock is pinned to. */
  readonly clock: string;
  readonly packDir?: string;
  /** The environment the pack inherits. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  readonly onProgress?: (message: string) => void;
  /** How long each program may run (default DEFAULT_PROGRAM_TIMEOUT_MS). */
  readonly programTimeoutMs?: number;
  /** Also stop a program stuck in a synchronous loop, by ending the process (the CLI only). */
  readonly hardTimeout?: boolean;
  /** A file of pinned mock answers (--mocks); default: the project's golive.mocks.yaml, if any. */
  readonly mocksFile?: string;
}

export interface PlannedStack {
  readonly stack: string;
  readonly configFile: string;
  readonly plan: PlanDocument;
  readonly json: string;
  readonly markdown: string;
  readonly recording: Recording;
  readonly policy: PolicyRun;
}

/** Where the plan names a file: relative to the project when inside it, else by its base name. */
function displayPath(file: string, projectDir: string): string {
  const relative = path.relative(projectDir, file);
  return relative.startsWith("..") || path.isAbsolute(relative)
    ? path.basename(file)
    : relative.split(path.sep).join("/");
}

/** Runs `run` with `dir` as the working directory (the CLI runs programs from the project root). */
async function inDirectory<T>(dir: string, run: () => Promise<T>): Promise<T> {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return await run();
  } finally {
    process.chdir(previous);
  }
}

interface PreparedStack extends StackTarget {
  readonly config: RawConfig;
  readonly placeholders: string[];
  /** Value checks left to the deploy-time run (`check (names)`). */
  readonly deferredChecks: string[];
  readonly pack: Promise<StartedPolicyPack>;
}

function secretKeysOf(config: RawConfig): string[] {
  return [...config.secretKeys].filter((key) => key in config.values).sort();
}

/** Thrown in place of `process.exit` while a program runs, so it cannot end golive (or choose its exit code). */
class ProgramExitCall extends Error {
  constructor(readonly code: string | number | null | undefined) {
    super(`the program called process.exit(${code ?? ""})`);
    this.name = "ProgramExitCall";
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * A watchdog on its own thread: a program stuck in a synchronous loop never yields to a timer, so
 * only another thread can stop it. It prints the message and ends the process with SIGALRM, which
 * bin/golive turns into exit code 2. Only the CLI arms it (a test runner must not be killed).
 */
function armWatchdog(ms: number, message: string): () => void {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData } = require("node:worker_threads");
     const { writeSync } = require("node:fs");
     if (Atomics.wait(workerData.flag, 0, 0, workerData.ms) === "timed-out") {
       writeSync(2, workerData.message + "\\n");
       process.kill(process.pid, "SIGALRM");
     }`,
    { eval: true, workerData: { flag, ms: ms + 1000, message } },
  );
  worker.unref();
  return () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
}

function pinnedAnswersOf(options: PlanStacksOptions): { pinned?: PinnedAnswers } {
  const file = options.mocksFile ?? options.project.mocksFile;
  return file === undefined ? {} : { pinned: readPinnedAnswers(file) };
}

async function recordStack(options: PlanStacksOptions, prepared: PreparedStack): Promise<Recording> {
  const { project } = options;
  // A bad mocks file is bad input, reported as such (not as the program failing).
  const pinned = pinnedAnswersOf(options);
  const limitMs = options.programTimeoutMs ?? DEFAULT_PROGRAM_TIMEOUT_MS;
  const program = displayPath(project.main, project.dir);
  const tooLong =
    `${program} did not finish within ${seconds(limitMs)}; a program that waits forever (or loops) never ` +
    `registers its resources. Fix the program, or allow longer with ${PROGRAM_TIMEOUT_ENV}=10m`;
  // Restored exactly as found; it is never called here, so its `this` does not matter.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const realExit = process.exit;
  const exitCode = process.exitCode;
  let exitCall: ProgramExitCall | undefined;
  process.exit = (code?: string | number | null): never => {
    exitCall = new ProgramExitCall(code);
    throw exitCall;
  };
  const disarm = options.hardTimeout
    ? armWatchdog(limitMs, `golive plan: stack "${prepared.stack}": the program failed: ${tooLong}`)
    : () => undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const recording = await Promise.race([
      inDirectory(project.dir, () =>
        recordProgram({
          program: programOf(project),
          project: project.name,
          stack: prepared.stack,
          config: prepared.config.values,
          secretKeys: secretKeysOf(prepared.config),
          preview: options.preview,
          rootDirectory: project.dir,
          ...pinned,
        }),
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ProgramError(tooLong)), limitMs);
        timer.unref();
      }),
    ]);
    if (exitCall !== undefined) throw exitCall;
    if (!recording.resources.some((resource) => resource.type === "pulumi:pulumi:Stack")) {
      throw new ProgramError(`${program} ended without registering its stack; nothing would be deployed`);
    }
    return recording;
  } catch (error) {
    if (exitCall !== undefined) {
      throw new ProgramError(
        `${exitCall.message} before it finished registering its resources; a Pulumi program ends by returning ` +
          "(or throwing an error), never by exiting the process",
      );
    }
    if (isConfigError(error) || error instanceof ProgramError) throw error;
    throw new ProgramError(messageOf(error), { cause: error });
  } finally {
    clearTimeout(timer);
    disarm();
    process.exit = realExit;
    process.exitCode = exitCode;
  }
}

/** Plans every target; rejects with a StackPlanError for the first stack that fails. */
export async function planStacks(options: PlanStacksOptions): Promise<PlannedStack[]> {
  const { project } = options;
  const prepared: PreparedStack[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(
      prepared.map((entry) =>
        entry.pack.then(
          (started) => started.client.close(),
          () => undefined,
        ),
      ),
    );
  };
  try {
    // Stack files are read before anything starts, so bad input fails in milliseconds.
    const configs = options.targets.map((target) => {
      try {
        const raw = withProjectDefaults(readStackFile(target.configFile, target.stack), project);
        const { config, placeholders } = withPlaceholderSecrets(raw);
        assertConfigFitsEnvironment(config.values, target.configFile);
        // Encrypted (`secure:`) values cannot be decrypted here: they became placeholders too.
        // Operator secrets are listed by name above, so their map is not listed again.
        const encrypted = [...raw.secretKeys].filter(
          (key) =>
            raw.values[key]?.includes(PLACEHOLDER_MARK) &&
            !(key === PROVIDED_SECRETS_KEY && placeholders.length > 0),
        );
        const deferredChecks = deferredChecksOf(config).map(
          ({ check, names }) => `${check} (${names.join(", ")})`,
        );
        return { target, config, placeholders: [...placeholders, ...encrypted], deferredChecks };
      } catch (error) {
        throw new StackPlanError(target.stack, target.configFile, asError(error));
      }
    });
    for (const { target, config, placeholders, deferredChecks } of configs) {
      const pack = launchPolicyPack({
        packDir: options.packDir ?? DEFAULT_PACK_DIR,
        projectDir: project.dir,
        clock: options.clock,
        ...(options.baseEnv !== undefined ? { baseEnv: options.baseEnv } : {}),
        project: project.name,
        stack: target.stack,
        preview: options.preview,
        config: config.values,
        secretKeys: secretKeysOf(config),
        stackFile: target.configFile,
      });
      // Rejections are handled where the pack is awaited; this keeps an early failure from going unhandled.
      pack.catch(() => undefined);
      prepared.push({ ...target, config, placeholders, deferredChecks, pack });
    }

    const planned: PlannedStack[] = [];
    for (const entry of prepared) {
      try {
        options.onProgress?.(`${entry.stack}: running ${displayPath(project.main, project.dir)}`);
        const recording = await recordStack(options, entry);
        options.onProgress?.(
          `${entry.stack}: running the policy pack on ${recording.resources.length} resources`,
        );
        let policy: PolicyRun;
        try {
          policy = await analyzeWithPack(recording, await entry.pack);
        } catch (error) {
          throw new PolicyPackError(messageOf(error), { cause: error });
        }
        const plan = buildPlan(
          recording,
          {
            projectDir: project.dir,
            program: displayPath(project.main, project.dir),
            config: displayPath(entry.configFile, project.dir),
            configFile: entry.configFile,
            placeholderSecrets: entry.placeholders,
            deferredChecks: entry.deferredChecks,
          },
          { info: policy.info, analysis: policy.analysis, clock: options.clock, checklist: GOLIVE_CHECKLIST },
        );
        planned.push({
          stack: entry.stack,
          configFile: entry.configFile,
          plan,
          json: stableStringify(plan),
          markdown: renderPlanMarkdown(plan),
          recording,
          policy,
        });
      } catch (error) {
        throw new StackPlanError(entry.stack, entry.configFile, asError(error));
      }
    }
    return planned;
  } finally {
    await closeAll();
  }
}
