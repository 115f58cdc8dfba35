import { defineConfig } from "vitest/config"

/**
 * The browser tests (npm run test:e2e): Debian's Chromium drives the built web
 * UI served by a real shop started in globalSetup. Not part of `npm test`,
 * since they need Chromium; CI runs them from .ci/web.sh.
 */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["test/e2e/globalSetup.ts"],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // One browser at a time: the machine has two cores and the shop needs one.
    fileParallelism: false,
    maxWorkers: 1
  }
})
