import type { PolicySpec } from "./lib/define";

export const EDGE_POLICIES: readonly PolicySpec[] = [];
