import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import drizzle from "eslint-plugin-drizzle";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// domain code stays framework-free: no next/*, react or next-auth in lib/ and db/
const frameworkFree = [
  { group: ["next", "next/*"], message: "lib/ and db/ are framework-free: keep next/* in app/ (or lib/auth.ts, lib/http.ts, lib/action.ts)" },
  { group: ["react", "react/*", "react-dom", "react-dom/*"], message: "lib/ and db/ do not render: keep react in app/ and components/" },
  { group: ["next-auth", "next-auth/*"], message: "Auth.js lives in lib/auth.ts only" },
];

// db/ is the bottom layer: it imports nothing of lib/, app/ or components/, by alias or by relative path
const dbIsTheBottom = "db/ imports nothing from lib/, app/ or components/ (calls go downward only: app → lib → db); take what db/ needs as an argument";

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", ".data/**", ".e2e-data/**", "drizzle/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,mjs}"],
    plugins: { "@next/next": nextPlugin, "react-hooks": reactHooks, drizzle },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      // lib/env.ts is the only reader of process.env (config files, scripts, tests are exempt below)
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through getEnv() from lib/env.ts" }],
    },
  },
  {
    files: ["lib/**/*.ts"],
    ignores: ["lib/auth.ts", "lib/http.ts", "lib/action.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [...frameworkFree, { group: ["@/app/*", "@/components/*"], message: "Calls go downward only: app → lib → db" }] },
      ],
    },
  },
  {
    files: ["db/**/*.{ts,tsx,mjs}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...frameworkFree,
            { group: ["@/lib", "@/lib/*", "@/app", "@/app/*", "@/components", "@/components/*"], message: dbIsTheBottom },
            { regex: "^(\\.\\./)+(lib|app|components)(/|$)", message: dbIsTheBottom },
          ],
        },
      ],
    },
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["@/db/*", "@/db"], message: "components/ never import from db/" }] }] },
  },
  {
    files: [
      "lib/env.ts",
      "instrumentation.ts",
      "server.mjs",
      "*.config.{ts,mjs}",
      "db/drizzle.config.ts",
      "e2e/**",
      "scripts/**",
      "bench/**",
      "**/*.test.ts",
      "db/testing.ts",
      "db/testing/**",
      "test/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // plain-JavaScript entries that Node runs as they are (the self-hosted server, bench helpers)
    files: ["server.mjs", "bench/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly" } },
  },
);
