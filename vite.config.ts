import { defineConfig } from "vite"

/**
 * The storefront and admin console (src/web) built into dist/web, which the
 * shop serves itself (src/http/WebAssets.ts). Names are lower case and hashes
 * hex, since the server answers only canonical (lower-case) paths.
 */
const lower = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]/g, "-")
export default defineConfig({
  root: "src/web",
  base: "/",
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../../dist/web",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        hashCharacters: "hex",
        entryFileNames: (chunk) => `assets/${lower(chunk.name)}-[hash].js`,
        chunkFileNames: (chunk) => `assets/${lower(chunk.name)}-[hash].js`,
        assetFileNames: (asset) => `assets/${lower(asset.names[0]?.replace(/\.[^.]+$/, "") ?? "asset")}-[hash][extname]`
      }
    }
  },
  server: { proxy: { "/api": "http://127.0.0.1:5000" } }
})
