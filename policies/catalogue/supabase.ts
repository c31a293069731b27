/** The bridged Supabase SDK (sdks/supabase): the types that express each concern of the checklist. */
import { paths, type ProviderCatalogue } from "./types";

export const SUPABASE_CATALOGUE: ProviderCatalogue = {
  provider: "supabase",
  sdk: "sdks/supabase",
  covered: {
    variables: {
      "supabase:index/edgeFunctionSecrets:EdgeFunctionSecrets": {
        paths: ["secrets"],
        note: "[{name, value}]: the place made for edge function secrets (strength, sharing, live/test keys)",
      },
    },
    stateful: {
      "supabase:index/project:Project": paths(),
    },
    database: {
      "supabase:index/project:Project": { paths: ["databasePassword"], note: "the Postgres database itself" },
      "supabase:index/settings:Settings": {
        paths: ["network", "database"],
        note: "network restrictions (allowed CIDRs) and SSL enforcement, as JSON strings",
      },
    },
  },
  outOfScope: {},
};
