import type { PolicySpec } from "./lib/define";

export const SEC_POLICIES: readonly PolicySpec[] = [];
