import type { PolicySpec } from "./lib/define";

export const BILL_POLICIES: readonly PolicySpec[] = [];
