/** What a command reads and writes besides files, so tests can run commands in-process. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Progress is only shown on a terminal. */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * The command owns its process (the CLI, not a test): it may end the process to stop a program
   * stuck in a synchronous loop.
   */
  readonly ownsProcess?: boolean;
}

/** Bad usage: shown with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit codes shared by the commands. */
export const EXIT = {
  ok: 0,
  /** Mandatory policy violations, stale plans, failed checks. */
  failed: 1,
  /** Bad usage or bad input (unknown stack, missing file, config error). */
  badInput: 2,
  /** The tooling itself failed (the policy pack could not start). */
  internal: 3,
} as const;

/** Collects output in memory, for tests and for commands that post-process it. */
export function memoryIo(overrides: Partial<CommandIo> = {}): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    isTTY: false,
    env: process.env,
    cwd: process.cwd(),
    ...overrides,
    out,
    err,
  };
}
