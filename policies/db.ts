import type { PolicySpec } from "./lib/define";

export const DB_POLICIES: readonly PolicySpec[] = [];
