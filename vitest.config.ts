import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Test files each get their own database; two workers match the machine's cores.
    maxWorkers: 2,
    fileParallelism: true
  }
})
