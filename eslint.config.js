import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", "dist/", "agent/dist/", ".baton/", "drizzle/", "next-env.d.ts", "test-results/", "playwright-report/", "tmp/"] },
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The baton package runs on users' machines: Node built-ins, zod and itself only.
    files: ["agent/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["../../server/*", "@/server/*", "@/app/*", "next", "next/*", "react", "drizzle-orm", "drizzle-orm/*", "pg"], message: "agent/ imports only agent/**, zod and Node built-ins." }] }],
    },
  },
  {
    // Server text (run names, log lines, errors) reaches the terminal only through agent/cli/output.ts, which makes control sequences inert.
    files: ["agent/cli/**/*.ts", "agent/agent/**/*.ts"],
    ignores: ["agent/cli/output.ts"],
    rules: { "no-console": "error" },
  },
  {
    files: ["server/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@/app/*", "../app/*", "../../app/*"], message: "server/ never imports app/." }] }],
    },
  },
  {
    files: ["emails/**/*.tsx", "emails/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@/server/*", "../server/*", "@/app/*", "next", "next/*"], message: "emails/ imports only react, @react-email/* and zod." }] }],
    },
  },
);
