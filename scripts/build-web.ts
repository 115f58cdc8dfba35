/**
 * Builds the web UI (src/web) into dist/web and writes a .br and .gz beside
 * each file, which src/http/WebAssets.ts serves. Runs on `npm install`
 * (prepare) and before `npm start`; skips the build when dist/web is newer
 * than every source it is made from. `--force` always builds.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib"

const root = join(import.meta.dirname, "..")
const out = join(root, "dist/web")
const SOURCES = ["src/web", "src/client.ts", "src/domain", "src/http", "vite.config.ts", "package-lock.json"]

const newest = (path: string): number => {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))))
}

const force = process.argv.includes("--force")
const built = existsSync(join(out, "index.html")) ? statSync(join(out, "index.html")).mtimeMs : 0
if (!force && built > 0 && SOURCES.every((s) => newest(join(root, s)) < built)) {
  process.exit(0)
}

let vite: typeof import("vite")
try {
  vite = await import("vite")
} catch {
  // A production install (--omit=dev) has no bundler: serve what was built before, if anything.
  console.warn("web UI: vite is not installed, so the web UI was not built (run `npm install` with dev dependencies)")
  process.exit(0)
}

await vite.build({ configFile: join(root, "vite.config.ts"), logLevel: "warn" })

const compress = (dir: string) => {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name)
    if (statSync(file).isDirectory()) compress(file)
    else if (/\.(js|css|html|svg|json)$/.test(name)) {
      const data = readFileSync(file)
      writeFileSync(file + ".gz", gzipSync(data, { level: 9 }))
      writeFileSync(file + ".br", brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }))
    }
  }
}
compress(out)

/** The scripts the page loads before anything else: the entry and the chunks it preloads. */
const firstPageScripts = (html: string) => [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!)

const scripts = firstPageScripts(readFileSync(join(out, "index.html"), "utf8"))
const gz = scripts.reduce((n, s) => n + statSync(join(out, s + ".gz")).size, 0)
console.log(
  `web UI built in dist/web: the first page loads ${scripts.length} scripts, ${(gz / 1024).toFixed(1)} KB gzipped`
)
