import type { PolicySpec } from "./lib/define";

export const ALERT_POLICIES: readonly PolicySpec[] = [];
