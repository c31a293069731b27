/**
 * `npm run redteam`: plans every case of the red-team corpus (test/redteam/<case>/) through
 * `golive plan --program`, in `up` and `--preview` mode, scores the pack's findings against each
 * case's expect.json and prints recall and precision per mode. Exits 1 unless every expected item
 * is caught, nothing else is reported and every program plans; 2 on bad usage or a malformed case.
 *
 *   npm run redteam -- [--only NAME,...] [--mode up|preview|both] [--concurrency N] [--json FILE]
 *
 * `--from FILE.jsonl` reports the scores an earlier run saved, without planning.
 * With --json, every score is also appended to FILE + "l" (JSON lines) as soon as it is known.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { CHECKLIST_IDS } from "../../policies/lib/checklist";
import { CaseError, MODES, readCorpus, type Mode, type RedteamCase } from "./expectation";
import {
  corpusPasses,
  regressions,
  type Baseline,
  groupFindings,
  isPackStartFailure,
  scoreCase,
  summarize,
  type CaseScore,
  type Finding,
  type ModeSummary,
  type Outcome,
} from "./score";

const REPO = path.resolve(__dirname, "../..");
const CORPUS = path.join(REPO, "test/redteam");
const GOLIVE = path.join(REPO, "bin/golive");
/** A plan that takes longer than this is stopped and scored as a failed program. */
const PLAN_TIMEOUT_MS = 300_000;
/**
 * On a loaded machine the pack process can fail to start: it misses the launcher's deadline, or
 * exits before it serves (the full run of 2026-12-06 lost four edge cases so, each of which plans
 * alone). That says nothing about the case, so such a plan is run again (at most this many more
 * times); the failure message carries what the pack logged, so a pack that cannot load at all still
 * fails with its reason.
 */
const LAUNCH_RETRIES = 2;
/** The corpus gives the pack this long to start unless GOLIVE_PACK_START_TIMEOUT_MS says otherwise. */
const CORPUS_START_TIMEOUT_MS = 180_000;

interface Options {
  readonly only: string[];
  readonly modes: Mode[];
  readonly concurrency: number;
  readonly json?: string;
  /** Scores saved by an earlier run (the JSON lines file): report them without planning anything. */
  readonly from?: string;
  /** Hold the run to these figures instead of requiring a clean pass (CI, until the corpus passes). */
  readonly baseline?: string;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: "string" },
      mode: { type: "string", default: "both" },
      concurrency: { type: "string", default: "2" },
      json: { type: "string" },
      from: { type: "string" },
      baseline: { type: "string" },
    },
    strict: true,
  });
  const mode = values.mode;
  if (mode !== "both" && !MODES.includes(mode as Mode)) {
    throw new Error(`--mode must be up, preview or both (got "${mode}")`);
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 8) {
    throw new Error(`--concurrency must be a whole number from 1 to 8 (got "${values.concurrency}")`);
  }
  return {
    only: (values.only ?? "")
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== ""),
    modes: mode === "both" ? [...MODES] : [mode as Mode],
    concurrency,
    ...(values.json !== undefined ? { json: path.resolve(values.json) } : {}),
    ...(values.from !== undefined ? { from: path.resolve(values.from) } : {}),
    ...(values.baseline !== undefined ? { baseline: path.resolve(values.baseline) } : {}),
  };
}

interface PlanJson {
  readonly policy?: { readonly violations?: readonly Finding[] };
}

/** Plans one case in one mode with the real CLI; the findings come from the plan JSON it writes. */
async function planCase(redteamCase: RedteamCase, mode: Mode, outDir: string): Promise<Outcome> {
  let outcome = await planOnce(redteamCase, mode, outDir);
  for (
    let retry = 0;
    retry < LAUNCH_RETRIES && !outcome.planned && isPackStartFailure(outcome.error);
    retry++
  ) {
    process.stderr.write(
      `redteam: ${redteamCase.name} [${mode}]: the pack did not start (${outcome.error.split("\n")[0]!.slice(-120)}); planning again\n`,
    );
    outcome = await planOnce(redteamCase, mode, outDir);
  }
  return outcome;
}

function planOnce(redteamCase: RedteamCase, mode: Mode, outDir: string): Promise<Outcome> {
  const args = [GOLIVE, "plan", "--program", redteamCase.dir, "--stack", redteamCase.stack, "--out", outDir];
  if (mode === "preview") args.push("--preview");
  return new Promise((resolve) => {
    // A case's own exemptions file stands in for the pack's, as a team points the pack at theirs.
    const exemptions = path.join(redteamCase.dir, "exemptions.json");
    const env: NodeJS.ProcessEnv = {
      GOLIVE_PACK_START_TIMEOUT_MS: String(CORPUS_START_TIMEOUT_MS),
      ...process.env,
      ...(redteamCase.expectation.clock !== undefined
        ? { GOLIVE_POLICY_CLOCK: redteamCase.expectation.clock }
        : {}),
      ...(existsSync(exemptions) ? { GOLIVE_EXEMPTIONS_FILE: exemptions } : {}),
    };
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), PLAN_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const planFile = path.join(outDir, `${redteamCase.stack}.json`);
      if ((code === 0 || code === 1) && existsSync(planFile)) {
        const plan = JSON.parse(readFileSync(planFile, "utf8")) as PlanJson;
        resolve({ planned: true, findings: plan.policy?.violations ?? [] });
        return;
      }
      const reason = signal !== null ? `killed by ${signal} after ${PLAN_TIMEOUT_MS / 1000} s` : stderr;
      // Progress lines come first; keep enough to carry the failure and what the pack logged.
      const firstLines = reason.trim().split("\n").slice(0, 6).join(" | ").slice(0, 800);
      resolve({ planned: false, exitCode: code ?? -1, error: firstLines });
    });
  });
}

/** Runs jobs with at most `limit` at a time, results in job order. */
async function runLimited<T>(jobs: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await (jobs[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function caseLine(score: CaseScore): string {
  const problems: string[] = [];
  if (score.error !== undefined) problems.push(`program did not plan (${score.error})`);
  for (const miss of score.misses) problems.push(`MISS ${miss.item} (${miss.reason})`);
  for (const fp of score.falsePositives) {
    problems.push(`FALSE POSITIVE ${fp.item} (${fp.kind}: ${(fp.messages[0] ?? "").slice(0, 160)})`);
  }
  const expected = score.expected.length > 0 ? score.expected.join(",") : "nothing";
  const mark = problems.length === 0 ? "ok  " : "FAIL";
  return `${mark} ${score.name} [${score.mode}] expects ${expected}${problems.length > 0 ? `\n       ${problems.join("\n       ")}` : ""}`;
}

function itemTable(
  cases: readonly RedteamCase[],
  scores: readonly CaseScore[],
  modes: readonly Mode[],
): string[] {
  const lines = [
    `item      cases (unsafe/compliant)  ${modes.map((mode) => `${mode} caught`.padEnd(16)).join("")}`,
  ];
  for (const item of CHECKLIST_IDS) {
    const about = cases.filter((entry) => entry.expectation.items.includes(item));
    if (about.length === 0) {
      lines.push(`${item.padEnd(9)} 0`);
      continue;
    }
    const unsafe = about.filter((entry) => entry.expectation.trips.includes(item)).length;
    const columns = modes.map((mode) => {
      const inMode = scores.filter((score) => score.mode === mode && score.expected.includes(item));
      const caught = inMode.filter((score) => score.hits.includes(item)).length;
      return `${caught}/${inMode.length}`.padEnd(16);
    });
    lines.push(
      `${item.padEnd(9)} ${`${about.length} (${unsafe}/${about.length - unsafe})`.padEnd(25)} ${columns.join("")}`,
    );
  }
  return lines;
}

function groupLines(scores: readonly CaseScore[]): string[] {
  const lines = ["misses and false positives by item and cause:"];
  for (const group of groupFindings(scores)) {
    const cases =
      group.cases.length > 6
        ? `${group.cases.slice(0, 6).join(", ")}, … (${group.cases.length})`
        : group.cases.join(", ");
    lines.push(`  ${group.item} ${group.kind}: ${group.what.slice(0, 200)}`, `      ${cases}`);
  }
  return lines;
}

function report(
  cases: readonly RedteamCase[],
  scores: readonly CaseScore[],
  modes: readonly Mode[],
): {
  lines: string[];
  summaries: ModeSummary[];
} {
  const summaries = modes.map((mode) => summarize(mode, scores));
  const lines = [
    "",
    ...groupLines(scores),
    "",
    ...itemTable(cases, scores, modes),
    "",
    ...summaries.map(summaryLine),
  ];
  return { lines, summaries };
}

function summaryLine(summary: ModeSummary): string {
  return (
    `${summary.mode.padEnd(8)} cases ${summary.cases}  expected ${summary.expected}  caught ${summary.hits}  ` +
    `missed ${summary.misses}  false positives ${summary.falsePositives}  programs failed ${summary.failedPrograms}  ` +
    `recall ${percent(summary.recall)}  precision ${percent(summary.precision)}`
  );
}

/** Exit code: a clean pass, or (with --baseline) no figure worse than the committed baseline. */
function verdict(summaries: readonly ModeSummary[], baselineFile: string | undefined): number {
  if (corpusPasses(summaries)) {
    process.stdout.write("redteam: pass\n");
    return 0;
  }
  if (baselineFile === undefined) {
    process.stdout.write("redteam: FAIL (needs 100% recall, 0 false positives, every program planned)\n");
    return 1;
  }
  const baseline = JSON.parse(readFileSync(baselineFile, "utf8")) as Baseline;
  const worse = regressions(summaries, baseline);
  if (worse.length === 0) {
    process.stdout.write(
      `redteam: not yet clean, but no worse than ${path.basename(baselineFile)} (target: 100% recall, 0 false positives)\n`,
    );
    return 0;
  }
  process.stdout.write(
    `redteam: FAIL, worse than ${path.basename(baselineFile)}:\n  ${worse.join("\n  ")}\n`,
  );
  return 1;
}

async function main(): Promise<number> {
  let options: Options;
  let cases: RedteamCase[];
  try {
    options = parseOptions(process.argv.slice(2));
    cases = readCorpus(CORPUS, options.only);
  } catch (error) {
    const message = error instanceof CaseError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`redteam: ${message}\n`);
    return 2;
  }
  if (cases.length === 0) {
    process.stderr.write(`redteam: no case under ${CORPUS} matches --only ${options.only.join(",")}\n`);
    return 2;
  }
  if (options.from !== undefined) {
    const names = new Set(cases.map((entry) => entry.name));
    const saved = readFileSync(options.from, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as CaseScore)
      .filter((score) => names.has(score.name) && options.modes.includes(score.mode));
    const ran = cases.filter((entry) => saved.some((score) => score.name === entry.name));
    const { lines, summaries } = report(ran, saved, options.modes);
    process.stdout.write(
      `${lines.join("\n")}\n(${ran.length} of ${cases.length} cases in ${options.from})\n`,
    );
    if (ran.length !== cases.length) return 1;
    return verdict(summaries, options.baseline);
  }
  if (options.json !== undefined) writeFileSync(`${options.json}l`, "");
  const workDir = mkdtempSync(path.join(os.tmpdir(), "golive-redteam-"));
  const started = Date.now();
  try {
    const jobs = cases.flatMap((entry) =>
      options.modes.map((mode) => async (): Promise<CaseScore> => {
        const outcome = await planCase(entry, mode, path.join(workDir, entry.name, mode));
        const score = scoreCase(entry.name, entry.stack, entry.expectation, mode, outcome);
        process.stdout.write(`${caseLine(score)}\n`);
        // Each score as it comes, so a long run that is stopped still leaves what it measured.
        if (options.json !== undefined) appendFileSync(`${options.json}l`, `${JSON.stringify(score)}\n`);
        return score;
      }),
    );
    process.stdout.write(
      `redteam: ${cases.length} cases × ${options.modes.join("+")}, ${options.concurrency} at a time\n`,
    );
    const scores = await runLimited(jobs, options.concurrency);
    const { lines, summaries } = report(cases, scores, options.modes);
    const out = [...lines, `(${((Date.now() - started) / 1000).toFixed(0)} s)`];
    process.stdout.write(`${out.join("\n")}\n`);
    if (options.json !== undefined) {
      writeFileSync(options.json, `${JSON.stringify({ summaries, scores }, null, 2)}\n`);
    }
    return verdict(summaries, options.baseline);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `redteam: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
