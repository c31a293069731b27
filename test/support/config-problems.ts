/** Helpers for tests of config errors: the problems a rejected stack config reports. */
import { expect } from "vitest";
import { ConfigError, type ConfigProblem } from "../../config/errors";
import { parseStackConfig, type RawConfig } from "../../config/load";

/** Parse and return the ConfigError's problems; fails the test when the config is accepted. */
export function problemsOf(raw: RawConfig): readonly ConfigProblem[] {
  try {
    parseStackConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected the config to be rejected");
}

/** The problem reported at `key`; fails with every problem's key and message when there is none. */
export function problemAt(problems: readonly ConfigProblem[], key: string): ConfigProblem {
  const found = problems.find((problem) => problem.key === key);
  if (!found)
    throw new Error(
      `no problem at ${key}; problems: ${problems.map((p) => `${p.key}: ${p.message}`).join("\n")}`,
    );
  return found;
}
