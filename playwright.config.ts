import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3210);
export const BASE_URL = `http://localhost:${PORT}`;

/**
 * Browser tests drive the production build (`npm run build` first) in Debian's Chromium, against
 * a fresh embedded Postgres in .baton-e2e/. Next rewrites 127.0.0.1 to localhost, so use localhost.
 */
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
    trace: "retain-on-failure",
  },
  webServer: {
    command: `rm -rf .baton-e2e && exec node dist/main.js`,
    url: `${BASE_URL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    env: { NODE_ENV: "production", PORT: String(PORT), BATON_DATA_DIR: ".baton-e2e", BATON_PG_PORT: "54391", BATON_DEV_MAILBOX: "1", BATON_PUBLIC_URL: BASE_URL, BATON_SIGNUPS_PER_IP_PER_HOUR: "100", BATON_ALLOW_PRIVATE_WEBHOOKS: "1" },
  },
});
