/**
 * The cost estimate of both stacks of each of the five examples: completeness of the price catalogue
 * and the golden estimates (test/support/cost-cases.ts). In the end-to-end tier with the rest of the
 * examples corpus.
 */
import { describeCostCases, exampleCostCases } from "./support/cost-cases";

describeCostCases(
  exampleCostCases(["budgetzen-notifications", "piggybong", "bee-mvp", "alaska-pay", "dirt-free-crm"]),
);
