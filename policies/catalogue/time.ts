/** @pulumiverse/time: the resources that rotate what depends on them (SEC-05). */
import { paths, type ProviderCatalogue } from "./types";

export const TIME_CATALOGUE: ProviderCatalogue = {
  provider: "time",
  sdk: "node_modules/@pulumiverse/time",
  covered: {},
  outOfScope: {},
  rotation: {
    "time:index/rotating:Rotating": paths(
      "rotationDays",
      "rotationHours",
      "rotationMinutes",
      "rotationMonths",
      "rotationYears",
      "rotationRfc3339",
    ),
  },
  notGenerators: [
    {
      reason: "fixed times and delays: they change nothing that depends on them over time",
      types: ["time:index/offset:Offset", "time:index/sleep:Sleep", "time:index/static:Static"],
    },
  ],
};
