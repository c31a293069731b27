import type { PolicySpec } from "./lib/define";

export const CRON_POLICIES: readonly PolicySpec[] = [];
