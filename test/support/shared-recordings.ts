/**
 * One recording of each stack per test run. Many test files run the golive program for the same
 * stack file in the same mode (staging and prod, up and preview, each example); a recording is a
 * pure function of the program, the config and the mode, so the first file to need one records it
 * and writes it to a directory the whole run shares (made by ./global-setup.ts); later files, in any
 * worker, read it back. Every caller gets its own copy, so a test that changes a recording cannot
 * change what another test sees. Recordings that fail are never cached: each caller sees the error.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { recordProgram, type RecordProgramOptions, type Recording } from "../../tooling/engine/record";

/** What a shared recording may depend on: anything else (mocks, pinned answers) is recorded afresh. */
export type SharedRecordingOptions = Pick<
  RecordProgramOptions,
  "project" | "stack" | "config" | "secretKeys" | "preview" | "rootDirectory"
> & {
  /** Names the program (the same name must always mean the same function). */
  readonly programName: string;
  readonly program: RecordProgramOptions["program"];
};

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's directory of shared recordings (see ./global-setup.ts). */
    sharedRecordingsDir: string;
  }
}

/** Recordings this worker made or read, as JSON (parsed afresh for every caller). */
const inProcess = new Map<string, Promise<string>>();

function keyOf(options: SharedRecordingOptions): string {
  const { program: _program, ...described } = options;
  const canonical = JSON.stringify({
    ...described,
    config: Object.entries(described.config ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    secretKeys: [...(described.secretKeys ?? [])].sort(),
  });
  return createHash("sha256").update(canonical).digest("hex").slice(0, 32);
}

function sharedDir(): string | undefined {
  try {
    return inject("sharedRecordingsDir");
  } catch {
    // Outside a vitest run with the global setup (a single file run by another tool): this worker only.
    return undefined;
  }
}

function readShared(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

async function recordOrRead(key: string, options: SharedRecordingOptions): Promise<string> {
  const dir = sharedDir();
  const file = dir === undefined ? undefined : path.join(dir, `${key}.json`);
  const cached = file === undefined ? undefined : readShared(file);
  if (cached !== undefined) return cached;
  const { programName: _name, ...recordOptions } = options;
  const json = JSON.stringify(await recordProgram(recordOptions));
  if (file !== undefined && dir !== undefined) {
    mkdirSync(dir, { recursive: true });
    // Written whole, then renamed: a reader in another worker never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, json);
    renameSync(partial, file);
  }
  return json;
}

/** The recording of `options.program` with these options, made at most once per test run. */
export async function sharedRecording(options: SharedRecordingOptions): Promise<Recording> {
  const key = keyOf(options);
  let json = inProcess.get(key);
  if (json === undefined) {
    json = recordOrRead(key, options);
    inProcess.set(key, json);
    // A failed recording is not kept: the next caller records again and sees the error itself.
    json.catch(() => inProcess.delete(key));
  }
  return JSON.parse(await json) as Recording;
}
