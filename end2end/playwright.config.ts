import { defineConfig } from "@playwright/test";
import { DATA_DIR as dataDir, DATABASE_URL, PEAKDAY_BIN as bin } from "./paths";

// The server under test: the binary `cargo leptos build` made, on a fresh SQLite file seeded
// with the demo data, on its own port so a running dev server is not disturbed.
const port = Number(process.env.PEAKDAY_E2E_PORT ?? 3100);
// The head-end stand-in (head-end-stand-in.mjs) and the secret both sides sign with.
const headEndPort = Number(process.env.PEAKDAY_E2E_HEAD_END_PORT ?? 3190);
const headEndSecret = "e2e-head-end-secret-of-at-least-32-bytes";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  forbidOnly: !!process.env.CI,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    // Debian's Chromium: Playwright's own browser download cannot run here (TOOLCHAIN.md).
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: "exec node head-end-stand-in.mjs",
      url: `http://127.0.0.1:${headEndPort}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        HEAD_END_PORT: String(headEndPort),
        PORTAL_URL: `http://127.0.0.1:${port}`,
        HEAD_END_SECRET: headEndSecret,
      },
    },
    {
      command: `rm -rf "${dataDir}" && mkdir -p "${dataDir}" && exec "${bin}" serve`,
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        DATABASE_URL,
        PEAKDAY_ADDR: `127.0.0.1:${port}`,
        PEAKDAY_HEAD_END_URL: `http://127.0.0.1:${headEndPort}/sync`,
        PEAKDAY_HEAD_END_SECRET: headEndSecret,
        RUST_LOG: "warn",
      },
    },
  ],
});
