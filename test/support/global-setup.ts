/**
 * Vitest global setup: a fresh directory for the run's shared recordings (./shared-recordings.ts),
 * removed when the run ends, so no recording outlives the sources it was made from.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), "golive-test-recordings-"));
  project.provide("sharedRecordingsDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
