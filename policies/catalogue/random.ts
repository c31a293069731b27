/** @pulumi/random: which generated values are secrets (provenance for the secret classifier, SEC-02/05). */
import type { ProviderCatalogue } from "./types";

export const RANDOM_CATALOGUE: ProviderCatalogue = {
  provider: "random",
  sdk: "node_modules/@pulumi/random",
  covered: {},
  outOfScope: {},
  generators: {
    "random:index/randomPassword:RandomPassword": { output: "result", secret: "always" },
    "random:index/randomString:RandomString": { output: "result", secret: "byUse" },
    "random:index/randomBytes:RandomBytes": { output: "base64", secret: "byUse" },
    "random:index/randomId:RandomId": { output: "hex", secret: "byUse" },
  },
  notGenerators: [
    {
      reason:
        "too little entropy or a public shape (a number, a word pair, a UUID, an order): used for names and ids",
      types: [
        "random:index/randomInteger:RandomInteger",
        "random:index/randomPet:RandomPet",
        "random:index/randomShuffle:RandomShuffle",
        "random:index/randomUuid:RandomUuid",
        "random:index/randomUuid4:RandomUuid4",
        "random:index/randomUuid7:RandomUuid7",
      ],
    },
  ],
};
