/**
 * Validates rendered Kubernetes manifests offline:
 *   node .ci/kubernetes-validate.ts RENDERED.yaml
 * 1. Every object against the Kubernetes API schema of its apiVersion/kind (kubernetes-models: validators
 *    generated from Kubernetes' OpenAPI document), and, since those accept unknown fields, once more as a
 *    TypeScript literal against the same package's types (tsc's excess-property check catches a
 *    misspelt `readinesProbe`).
 * 2. What the shop needs of them: probes, resources, the drain, the migration before serving, the
 *    disruption budget, the autoscaler, and every variable of the README's configuration table.
 * 3. That the validator rejects a broken copy (an unknown field, a wrong type), so a pass means something.
 * Prints PASS/FAIL lines and exits 1 on any failure.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { parseAllDocuments } from "yaml"

type Obj = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: any }

const root = path.resolve(import.meta.dirname, "..")
let failures = 0
const report = (ok: boolean, what: string, detail?: string) => {
  if (!ok) failures++
  console.log(`${ok ? "PASS" : "FAIL"} ${what}${!ok && detail ? `\n    | ${detail.split("\n").join("\n    | ")}` : ""}`)
}

/** kubernetes-models' module of an apiVersion/kind: core objects live under v1/, the others under group/version/. */
const modulePath = (o: Obj) => `kubernetes-models/${o.apiVersion.includes("/") ? o.apiVersion : "v1"}/${o.kind}`

const schemaErrors = async (o: Obj): Promise<string | undefined> => {
  let Model: any
  try {
    Model = (await import(modulePath(o)))[o.kind]
  } catch {
    return `no Kubernetes API schema for ${o.apiVersion} ${o.kind}`
  }
  try {
    new Model(o).validate()
    return undefined
  } catch (e) {
    return (e as Error).message
  }
}

/** tsc over the objects as literals of their kubernetes-models types: unknown fields are errors there. */
const typeErrors = (objects: ReadonlyArray<Obj>): string | undefined => {
  const dir = fs.mkdtempSync(path.join(root, ".k8s-check-"))
  try {
    const lines = objects.map((o, i) => {
      const iface = `I${o.kind}`
      return `import type { ${iface} as T${i} } from "${modulePath(o)}"\nexport const o${i} = ${JSON.stringify(o, null, 2)} satisfies T${i}\n`
    })
    fs.writeFileSync(path.join(dir, "objects.ts"), lines.join("\n"))
    execFileSync(
      process.execPath,
      [
        path.join(root, "node_modules/typescript/bin/tsc"),
        "--noEmit",
        "--strict",
        "--skipLibCheck",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--types",
        "node",
        path.join(dir, "objects.ts")
      ],
      { stdio: "pipe" }
    )
    return undefined
  } catch (e: any) {
    return String(e.stdout ?? e.message)
      .replaceAll(dir + "/", "")
      .trim()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const validate = async (objects: ReadonlyArray<Obj>) => {
  const out: Array<string> = []
  for (const o of objects) {
    const err = await schemaErrors(o)
    if (err) out.push(`${o.kind}/${o.metadata?.name}: ${err}`)
  }
  const types = typeErrors(objects)
  if (types) out.push(types)
  return out
}

const seconds = (duration: string) => {
  const m = /^(\d+(?:\.\d+)?)\s*(millis|seconds?|minutes?)$/.exec(duration.trim())
  if (!m) return NaN
  const n = Number(m[1])
  return m[2]!.startsWith("millis") ? n / 1000 : m[2]!.startsWith("minute") ? n * 60 : n
}

const readmeVariables = () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
  const table = readme.slice(
    readme.indexOf("## Configuration"),
    readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1)
  )
  return [...table.matchAll(/^\| (`[A-Z0-9_]+`(?: \/ `[A-Z0-9_]+`)*) \|/gm)].flatMap((m) =>
    [...m[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((v) => v[1]!)
  )
}

const main = async () => {
  const file = process.argv[2]
  if (!file) throw new Error("usage: node .ci/kubernetes-validate.ts RENDERED.yaml")
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8"))
  const objects = docs.map((d) => d.toJS() as Obj).filter((o) => o !== null)
  const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`)
  report(objects.length > 0, `rendered ${objects.length} objects: ${kinds.join(", ")}`)

  const errors = await validate(objects)
  report(
    errors.length === 0,
    "every object matches its Kubernetes API schema, with no unknown fields",
    errors.join("\n")
  )

  const find = (kind: string) => objects.filter((o) => o.kind === kind)
  const [deployment] = find("Deployment")
  const [configMap] = find("ConfigMap")
  const [secret] = find("Secret")
  for (const kind of [
    "Deployment",
    "Service",
    "Ingress",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "ConfigMap",
    "Secret"
  ]) {
    report(find(kind).length === 1, `one ${kind}`)
  }
  if (!deployment || !configMap || !secret) return

  const pod = deployment.spec.template.spec
  const app = pod.containers.find((c: any) => c.ports?.some((p: any) => p.name === "http"))
  report(app?.livenessProbe?.httpGet?.path === "/health", "liveness probe: GET /health")
  report(app?.readinessProbe?.httpGet?.path === "/ready", "readiness probe: GET /ready")
  const res = app?.resources ?? {}
  report(
    Boolean(res.requests?.cpu && res.requests?.memory && res.limits?.memory),
    "resources: CPU and memory requests, a memory limit"
  )

  const env = { ...configMap.data, ...secret.stringData, ...secret.data }
  const preStop = Number(app?.lifecycle?.preStop?.exec?.command?.find((a: string) => /^\d+$/.test(a)) ?? NaN)
  const drain = seconds(env.SHUTDOWN_TIMEOUT ?? "10 seconds")
  const grace = pod.terminationGracePeriodSeconds
  // The server drains for SHUTDOWN_TIMEOUT; a WEB_CONCURRENCY primary waits 5 s more for its workers.
  report(
    preStop > 0 && grace >= preStop + drain + 5,
    `the drain fits: terminationGracePeriodSeconds ${grace} >= preStop ${preStop} s + SHUTDOWN_TIMEOUT ${drain} s + 5 s`
  )
  const migrate = (pod.initContainers ?? []).find((c: any) => c.command?.join(" ").includes("src/cli/migrate.ts"))
  report(
    Boolean(migrate) && migrate.image === app.image,
    "an init container of the same image runs the migrations before the server starts"
  )
  report(
    deployment.spec.strategy?.rollingUpdate?.maxUnavailable === 0,
    "rolling update keeps every ready pod until its successor is ready"
  )
  const refs = (c: any) => (c.envFrom ?? []).map((e: any) => e.configMapRef?.name ?? e.secretRef?.name)
  for (const c of [app, migrate].filter(Boolean)) {
    report(
      refs(c).includes(configMap.metadata.name) && refs(c).includes(secret.metadata.name),
      `container ${c.name} takes its environment from the ConfigMap and the Secret`
    )
  }
  const missing = readmeVariables().filter((v) => !(v in env))
  report(
    missing.length === 0,
    `the ConfigMap and Secret set every variable of the README's table (${readmeVariables().length})`,
    `missing: ${missing.join(", ")}`
  )

  const podLabels = deployment.spec.template.metadata.labels
  const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v)
  const [service] = find("Service")
  const [pdb] = find("PodDisruptionBudget")
  const [hpa] = find("HorizontalPodAutoscaler")
  const [ingress] = find("Ingress")
  report(Boolean(service && selects(service.spec.selector)), "the Service selects the pods")
  report(Boolean(pdb && selects(pdb.spec.selector.matchLabels)), "the PodDisruptionBudget covers the pods")
  report(
    hpa?.spec.scaleTargetRef.kind === "Deployment" && hpa.spec.scaleTargetRef.name === deployment.metadata.name,
    "the HorizontalPodAutoscaler scales the Deployment"
  )
  const backends = (ingress?.spec.rules ?? []).flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service))
  report(
    backends.length > 0 && backends.every((b: any) => b.name === service?.metadata.name),
    "the Ingress routes to the Service"
  )
  const budget = hpa.spec.maxReplicas * Number(env.WEB_CONCURRENCY) * Number(env.DB_POOL_MAX)
  console.log(
    `     connection budget at maxReplicas: ${hpa.spec.maxReplicas} x ${env.WEB_CONCURRENCY} x ${env.DB_POOL_MAX} = ${budget} (PostgreSQL's max_connections must exceed it plus a reserve)`
  )

  // The validator itself: a broken copy must fail.
  const broken = structuredClone(deployment)
  broken.spec.template.spec.containers[0].readinesProbe = broken.spec.template.spec.containers[0].readinessProbe
  const wrongType = structuredClone(service)
  wrongType.spec.ports[0].port = "eighty"
  const caught = [await validate([broken]), await validate([wrongType])]
  report(
    caught[0]!.join(" ").includes("readinesProbe") && /port|integer/.test(caught[1]!.join(" ")),
    'the validator rejects an unknown field (readinesProbe) and a wrong type (port: "eighty")',
    caught.map((e) => e.join(" ") || "accepted").join("\n")
  )
}

await main()
if (failures > 0) {
  console.log(`kubernetes: ${failures} checks FAILED`)
  process.exit(1)
}
console.log("kubernetes: all checks passed")
