/**
 * Supabase's published samples of its metrics endpoint (test/fixtures/supabase-metrics, MIT, with
 * provenance). Supabase anonymised every value to 0, so a test sets the values of the series it
 * reads; every line, family, label and comment stays as published.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parsePrometheusText } from "../../lambda/metrics-collector/prometheus";

export const SUPABASE_SAMPLES = {
  /** metrics.md, 2025-06: supabase_identifier; exporters concatenated (go_* typed twice). */
  current: "current-2025-06.prom",
  /** metrics.md, the revision before: supabase_project_ref twice on every line. */
  repeatedLabel: "repeated-label-2025-06.prom",
  /** docs/metrics.md, 2025-03: node exporter and Supavisor, untyped families, repeated labels. */
  pooler: "pooler-2025-03.prom",
} as const;

export type SupabaseSample = keyof typeof SUPABASE_SAMPLES;

export function readSupabaseSample(sample: SupabaseSample): string {
  return readFileSync(
    path.join(__dirname, "..", "fixtures", "supabase-metrics", SUPABASE_SAMPLES[sample]),
    "utf8",
  );
}

/** A value for a series, or undefined to keep the published one. */
export type SeriesValue = (name: string, labels: Readonly<Record<string, string>>) => number | undefined;

/**
 * The sample with the values `value` gives; each sample line is read with the collector's own parser
 * (so a line it cannot read fails here too) and only its value field is replaced.
 */
export function withSampleValues(text: string, value: SeriesValue): string {
  return text
    .split("\n")
    .map((line) => {
      if (line.trim() === "" || line.startsWith("#")) return line;
      const [sample] = parsePrometheusText(line);
      const next = value(sample!.name, sample!.labels);
      if (next === undefined) return line;
      const match = /^(\S+(?:\{.*\})?) (\S+)(.*)$/.exec(line);
      if (!match) throw new Error(`cannot set the value of ${line}`);
      return `${match[1]} ${String(next)}${match[3]}`;
    })
    .join("\n");
}
