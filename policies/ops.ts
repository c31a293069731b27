import type { PolicySpec } from "./lib/define";

export const OPS_POLICIES: readonly PolicySpec[] = [];
