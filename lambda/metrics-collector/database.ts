/**
 * Database use in percent from one scrape of the Supabase metrics endpoint. The endpoint serves
 * node_exporter metrics of the database machine (service_type="db") and postgres_exporter metrics
 * (service_type="postgresql"); Supabase adds `max_connections_connection_count`.
 *
 * - connections: `pg_stat_database_num_backends` (summed) / `max_connections_connection_count`
 *   (the plain postgres_exporter names `pg_stat_database_numbackends` / `pg_settings_max_connections`
 *   are read when Supabase's are absent)
 * - disk: 1 - `node_filesystem_avail_bytes` / `node_filesystem_size_bytes` of the database volume
 *   (mountpoint `/data`, else `/`): space a non-root writer can still use
 * - memory: 1 - `node_memory_MemAvailable_bytes` / `node_memory_MemTotal_bytes`
 * - CPU: the share of non-idle time in `node_cpu_seconds_total` (all CPUs) between this scrape and
 *   the previous one. Only `idle` is idle: time waiting on disk (`iowait`) is busy, as on Supabase's
 *   own dashboard (`100 - rate(idle)`), because a database stalled on I/O is not a database at rest. A counter needs two samples, so the first run
 *   of a fresh Lambda instance (or one after a gap or a reboot) publishes no CPU value; the alarm
 *   needs 4 of 5 minutes, so a single gap is not an alarm. `node_load1` per core was rejected: load
 *   counts processes waiting on disk, so it is not CPU use.
 *
 * Read replicas report on the same endpoint under their own `supabase_identifier`; only the primary's
 * series (identifier absent or equal to the project ref) are read, so a replica's connections are not
 * added to the primary's.
 */
import type { PrometheusSample } from "./prometheus";

/** Cumulative CPU seconds at one scrape. */
export interface CpuSample {
  readonly atMs: number;
  readonly totalSeconds: number;
  readonly idleSeconds: number;
}

export interface DatabaseMetrics {
  readonly connectionsPercent: number;
  readonly diskPercent: number;
  readonly memoryPercent: number;
  /** Absent on the first scrape of an instance, after a gap or when the counters went back. */
  readonly cpuPercent?: number;
  /** Why there is no CPU value, for the log. */
  readonly cpuSkipped?: string;
  /** Keep it for the next scrape. */
  readonly cpu: CpuSample;
}

export class MissingMetricError extends Error {
  override readonly name = "MissingMetricError";
}

/** The previous CPU sample is only used when it is at most this old. */
export const CPU_SAMPLE_MAX_AGE_MS = 5 * 60_000;
const IDLE_MODES = new Set(["idle"]);
const DATA_MOUNTPOINTS = ["/data", "/"];

/** The primary database's series: no `supabase_identifier`, or the project ref itself. */
function isPrimary(sample: PrometheusSample): boolean {
  const identifier = sample.labels.supabase_identifier;
  return identifier === undefined || identifier === sample.labels.supabase_project_ref;
}

function named(samples: readonly PrometheusSample[], name: string): PrometheusSample[] {
  return samples.filter(
    (sample) => sample.name === name && Number.isFinite(sample.value) && isPrimary(sample),
  );
}

function sumOf(samples: readonly PrometheusSample[], ...names: string[]): number | undefined {
  for (const name of names) {
    const found = named(samples, name);
    if (found.length > 0) return found.reduce((total, sample) => total + sample.value, 0);
  }
  return undefined;
}

function firstOf(samples: readonly PrometheusSample[], ...names: string[]): number | undefined {
  for (const name of names) {
    const found = named(samples, name)[0];
    if (found !== undefined) return found.value;
  }
  return undefined;
}

function required(value: number | undefined, what: string): number {
  if (value === undefined) {
    throw new MissingMetricError(`the metrics endpoint served no ${what}; did Supabase rename it?`);
  }
  return value;
}

function percent(part: number, whole: number, what: string): number {
  if (!(whole > 0)) throw new MissingMetricError(`${what}: the total is ${whole}, so no percentage exists`);
  return Math.min(100, Math.max(0, (part / whole) * 100));
}

function diskPercent(samples: readonly PrometheusSample[]): number {
  for (const mountpoint of DATA_MOUNTPOINTS) {
    const size = named(samples, "node_filesystem_size_bytes").find(
      (sample) => sample.labels.mountpoint === mountpoint,
    );
    const avail = named(samples, "node_filesystem_avail_bytes").find(
      (sample) => sample.labels.mountpoint === mountpoint,
    );
    if (size !== undefined && avail !== undefined) {
      return percent(size.value - avail.value, size.value, `disk ${mountpoint}`);
    }
  }
  throw new MissingMetricError(
    `the metrics endpoint served no node_filesystem_size_bytes and node_filesystem_avail_bytes for ${DATA_MOUNTPOINTS.join(" or ")}`,
  );
}

/** Cumulative CPU seconds of all CPUs, split into total and idle. */
export function cpuSample(samples: readonly PrometheusSample[], atMs: number): CpuSample {
  const cpu = named(samples, "node_cpu_seconds_total");
  if (cpu.length === 0) throw new MissingMetricError("the metrics endpoint served no node_cpu_seconds_total");
  let totalSeconds = 0;
  let idleSeconds = 0;
  for (const sample of cpu) {
    totalSeconds += sample.value;
    if (IDLE_MODES.has(sample.labels.mode ?? "")) idleSeconds += sample.value;
  }
  return { atMs, totalSeconds, idleSeconds };
}

/** Busy share between two samples, or why there is none. */
export function cpuBusyPercent(
  previous: CpuSample | undefined,
  current: CpuSample,
): { percent: number } | { skipped: string } {
  if (previous === undefined) return { skipped: "first scrape of this instance" };
  const ageMs = current.atMs - previous.atMs;
  if (ageMs <= 0 || ageMs > CPU_SAMPLE_MAX_AGE_MS) {
    return { skipped: `the previous scrape is ${Math.round(ageMs / 1000)} s old` };
  }
  const total = current.totalSeconds - previous.totalSeconds;
  const idle = current.idleSeconds - previous.idleSeconds;
  if (total <= 0 || idle < 0) return { skipped: "the CPU counters did not advance (restart?)" };
  return { percent: Math.min(100, Math.max(0, ((total - idle) / total) * 100)) };
}

/**
 * @throws {MissingMetricError} when a metric the percentages need is missing.
 */
export function databaseMetrics(
  samples: readonly PrometheusSample[],
  previousCpu: CpuSample | undefined,
  atMs: number,
): DatabaseMetrics {
  const backends = required(
    sumOf(samples, "pg_stat_database_num_backends", "pg_stat_database_numbackends"),
    "pg_stat_database_num_backends",
  );
  const maxConnections = required(
    firstOf(samples, "max_connections_connection_count", "pg_settings_max_connections"),
    "max_connections_connection_count (or pg_settings_max_connections)",
  );
  const memTotal = required(firstOf(samples, "node_memory_MemTotal_bytes"), "node_memory_MemTotal_bytes");
  const memAvailable = required(
    firstOf(samples, "node_memory_MemAvailable_bytes"),
    "node_memory_MemAvailable_bytes",
  );
  const cpu = cpuSample(samples, atMs);
  const busy = cpuBusyPercent(previousCpu, cpu);
  return {
    connectionsPercent: percent(backends, maxConnections, "connections"),
    diskPercent: diskPercent(samples),
    memoryPercent: percent(memTotal - memAvailable, memTotal, "memory"),
    ...("percent" in busy ? { cpuPercent: busy.percent } : { cpuSkipped: busy.skipped }),
    cpu,
  };
}
