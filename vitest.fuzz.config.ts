import { defineConfig } from "vitest/config"

/** `npm run test:fuzz`: the OpenAPI-driven fuzz run (too long for `npm test` on a small machine). */
export default defineConfig({
  test: {
    include: ["test/fuzz/**/*.fuzz.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000
  }
})
