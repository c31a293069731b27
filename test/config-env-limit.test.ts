/**
 * Stack config too large for the environment variable the engine hands a policy pack its config in
 * (PULUMI_CONFIG): a clear exit-2 error naming the key before any work, never `spawn E2BIG`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGolive } from "../tooling/cli/golive";
import { memoryIo } from "../tooling/cli/io";
import {
  assertConfigFitsEnvironment,
  CONFIG_ENV_NAME,
  configEnvBytes,
  configEnvProblem,
  MAX_ENV_STRING_BYTES,
} from "../tooling/engine/config-env-limit";

const REPO_ROOT = path.resolve(__dirname, "..");
const PROGRAM = path.join(__dirname, "fixtures", "plan", "misbehaving-program");
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "golive-config-env-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A config whose PULUMI_CONFIG string is exactly `bytes` long (NUL included), padded in one key. */
function configOfSize(bytes: number, key = "app:blob"): Record<string, string> {
  const base = { "app:name": "shop", [key]: "" };
  return { ...base, [key]: "x".repeat(bytes - configEnvBytes(base)) };
}

describe("the size of PULUMI_CONFIG", () => {
  it("counts the variable as the kernel does: NAME=, the JSON text in UTF-8, the NUL", () => {
    expect(configEnvBytes({})).toBe("PULUMI_CONFIG={}".length + 1);
    expect(configEnvBytes({ "a:b": "é" })).toBe(`PULUMI_CONFIG={"a:b":"é"}`.length + 2);
  });

  it.runIf(process.platform === "linux")(
    "the limit is the one Linux enforces: a byte more and a process cannot start",
    () => {
      const run = (config: Record<string, string>) =>
        spawnSync(process.execPath, ["-e", ""], {
          env: { PATH: process.env.PATH ?? "", [CONFIG_ENV_NAME]: JSON.stringify(config) },
        });
      const fits = configOfSize(MAX_ENV_STRING_BYTES);
      expect(configEnvProblem(fits)).toBeUndefined();
      expect(run(fits).error).toBeUndefined();
      const over = configOfSize(MAX_ENV_STRING_BYTES + 1);
      expect(configEnvProblem(over)?.bytes).toBe(MAX_ENV_STRING_BYTES + 1);
      expect(run(over).error).toMatchObject({ code: "E2BIG" });
    },
  );

  it("names the oversized key, largest first, and only as many keys as must move", () => {
    const config = { ...configOfSize(200_000, "golive:bigBlob"), "golive:other": "y".repeat(40_000) };
    const problem = configEnvProblem(config);
    expect(problem?.largest.map((entry) => entry.key)).toEqual(["golive:bigBlob"]);
    // Several values that only together are too large: each is named, none left out.
    const spread = Object.fromEntries(
      Array.from({ length: 5 }, (_, index) => [`app:part${index}`, "z".repeat(30_000)]),
    );
    expect(configEnvProblem(spread)?.largest).toHaveLength(1);
    const many = Object.fromEntries(
      Array.from({ length: 8 }, (_, index) => [`app:part${index}`, "z".repeat(30_000)]),
    );
    const named = configEnvProblem(many)?.largest ?? [];
    const rest = Object.fromEntries(
      Object.entries(many).filter(([key]) => !named.some((entry) => entry.key === key)),
    );
    expect(configEnvBytes(rest)).toBeLessThanOrEqual(MAX_ENV_STRING_BYTES);
    expect(named.length).toBeGreaterThan(1);
  });

  it("the message names the file, the key, its size, the limit and the fix", () => {
    expect(() =>
      assertConfigFitsEnvironment(configOfSize(1_048_576, "golive:bigBlob"), "Pulumi.prod.yaml"),
    ).toThrow(
      /^Pulumi\.prod\.yaml: the stack config is too large to reach the policy pack: key "golive:bigBlob" \(1,048,5\d\d bytes\)\. .*PULUMI_CONFIG, which here would be 1,048,576 bytes; Linux allows 131,072 bytes per variable.*set the key to its path/,
    );
    expect(() => assertConfigFitsEnvironment(configOfSize(1000), "Pulumi.prod.yaml")).not.toThrow();
  });
});

describe("golive plan with a 1 MB config value", () => {
  it("exits 2 before running the program or starting the pack, naming the key", async () => {
    const stackFile = path.join(scratch, "Pulumi.big.yaml");
    // The stack would exit the process if the program ran: the check must come first.
    writeFileSync(
      stackFile,
      `config:\n  fixture:behaviour: exit0\n  fixture:certificateChain: "${"A".repeat(1 << 20)}"\n`,
    );
    const io = memoryIo({ cwd: REPO_ROOT, env: { ...process.env, GOLIVE_POLICY_CLOCK: "" } });
    const code = await runGolive(
      [
        "plan",
        "--program",
        PROGRAM,
        "--stack",
        "big",
        "--config",
        stackFile,
        "--out",
        path.join(scratch, "p"),
      ],
      io,
    );
    const stderr = io.err.join("");
    expect(code).toBe(2);
    expect(stderr).toContain('key "fixture:certificateChain" (1,048,6');
    expect(stderr).toContain("Linux allows 131,072 bytes per variable");
    expect(stderr).not.toContain("process.exit");
    expect(stderr).not.toContain("E2BIG");
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});
