// Lint with type information so floating promises and unsafe `any` flows are caught.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/*
 * Boundaries between the parts of the program (docs/design.md): the pack imports only lib/ besides
 * its own files and packages; lib/ is pure logic and imports neither config/ nor components/;
 * tooling/ is never imported by the program. Relative specifiers are matched by the depth of the
 * importing file, so `../config/...` from lib/x.ts and `../../config/...` from lib/cost/x.ts are both
 * caught while lib/config-values.ts stays an ordinary lib/ module.
 */
const MAX_DEPTH = 5;
const up = (depth) => `(\\.\\./){${depth}}`;
const escapes = (depth, dirs) => `^${up(depth)}(${dirs.join("|")})(/|$)`;

/** One flat-config block per directory depth of `area`, restricting where its imports may reach. */
function boundary(area, patternsAt) {
  return Array.from({ length: MAX_DEPTH }, (_, index) => {
    const depth = index + 1;
    return {
      files: [`${area}/${"*/".repeat(index)}*.ts`],
      ignores: ["**/*.test.ts"],
      rules: { "no-restricted-imports": ["error", { patterns: patternsAt(depth) }] },
    };
  });
}

const TOOLING =
  "tooling/ is for the CLI and reviewers; the program (index.ts, components, config, lib, policies) never imports it";
const boundaries = [
  {
    files: ["index.ts", "program.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^\\./tooling(/|$)", message: TOOLING }] }],
    },
  },
  ...["components", "config"].flatMap((area) =>
    boundary(area, (depth) => [{ regex: escapes(depth, ["tooling"]), message: TOOLING }]),
  ),
  ...boundary("lib", (depth) => [
    {
      regex: escapes(depth, ["config", "components"]),
      message:
        "lib/ is pure logic shared by the components and the pack: declare the shape it reads in lib/ (config/ validates it) instead of importing config/ or components/",
    },
    { regex: escapes(depth, ["tooling"]), message: TOOLING },
  ]),
  ...boundary("policies", (depth) => [
    {
      // Leaving policies/ by `depth` levels reaches the project root: only lib/ may follow.
      regex: `^${up(depth)}(?!lib/)`,
      message:
        "the policy pack imports only lib/ (besides its own files and packages): it is published and run without the rest of the program",
    },
  ]),
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "**/node_modules/",
      ".build/",
      "coverage/",
      "**/*.js",
      "**/*.mjs",
      "**/*.mts",
      // Supabase edge functions run on Deno (Deno.serve, Deno.env), outside this Node project.
      "**/supabase/functions/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      eqeqeq: ["error", "always"],
    },
  },
  ...boundaries,
  {
    files: ["test/**/*.ts", "**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
