import { defineConfig } from "vite"

/**
 * The storefront and admin console (src/web) built into dist/web, which the
 * shop serves itself (src/http/WebAssets.ts). Hashes are hex so every asset
 * path is lower case, as the server's canonical paths are.
 */
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
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]"
      }
    }
  },
  server: { proxy: { "/api": "http://127.0.0.1:5000" } }
})
