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
import { CHECKLIST, CHECKLIST_IDS } from "../../policies/lib/checklist";
import type { RawConfig } from "../../config/load";
import { recordProgram, type Recording } from "../engine/record";
import { PLACEHOLDER_MARK, readStackFile, withPlaceholderSecrets } from "../stack-files";
import { buildPlan } from "./build";
import { PolicyPackError, ProgramError, StackPlanError } from "./errors";
import type { ChecklistEntry } from "./coverage";
import { stableStringify } from "./json";
import { renderPlanMarkdown } from "./markdown";
import type { PlanDocument } from "./model";
import { analyzeWithPack, launchPolicyPack, type PolicyRun, type StartedPolicyPack } from "./policy";
import type { PinnedAnswers } from "../engine/mocks";
import { programOf, readPinnedAnswers, withProjectDefaults, type PulumiProject } from "./project";

/** The golive repository (the policy pack lives in its `policies/`). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_PACK_DIR = path.join(REPO_ROOT, "policies");

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
  readonly pack: Promise<StartedPolicyPack>;
}

function secretKeysOf(config: RawConfig): string[] {
  return [...config.secretKeys].filter((key) => key in config.values).sort();
}

function pinnedAnswersOf(options: PlanStacksOptions): { pinned?: PinnedAnswers } {
  const file = options.mocksFile ?? options.project.mocksFile;
  return file === undefined ? {} : { pinned: readPinnedAnswers(file) };
}

async function recordStack(options: PlanStacksOptions, prepared: PreparedStack): Promise<Recording> {
  const { project } = options;
  // A bad mocks file is bad input, reported as such (not as the program failing).
  const pinned = pinnedAnswersOf(options);
  try {
    return await inDirectory(project.dir, () =>
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
    );
  } catch (error) {
    if (isConfigError(error)) throw error;
    throw new ProgramError(messageOf(error), { cause: error });
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
        // Encrypted (`secure:`) values cannot be decrypted here: they became placeholders too.
        const encrypted = [...raw.secretKeys].filter((key) => raw.values[key]?.includes(PLACEHOLDER_MARK));
        return { target, config, placeholders: [...placeholders, ...encrypted] };
      } catch (error) {
        throw new StackPlanError(target.stack, target.configFile, asError(error));
      }
    });
    for (const { target, config, placeholders } of configs) {
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
      prepared.push({ ...target, config, placeholders, pack });
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
