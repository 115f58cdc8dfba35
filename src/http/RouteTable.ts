import { HttpApi } from "effect/http-api"
import { Api } from "./Api.ts"

interface Route {
  readonly method: string
  readonly template: string
  readonly pattern: RegExp
}

const routesOf = (api: typeof Api): ReadonlyArray<Route> => {
  const routes: Array<Route> = []
  HttpApi.reflect(api, {
    onGroup: () => {},
    onEndpoint: ({ endpoint }) => {
      const source = endpoint.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]+/g, "[1-9][0-9]*")
      routes.push({ method: endpoint.method, template: endpoint.path, pattern: new RegExp(`^${source}/?$`) })
    }
  })
  return routes
}

/** Method + path template of every endpoint of the Api, to tell a 405 (path exists, other method) from a 404. */
export const apiRoutes = routesOf(Api)

/** The path part of a request URL (without the query). */
export const pathOf = (url: string) => {
  const q = url.indexOf("?")
  return q === -1 ? url : url.slice(0, q)
}

/** The route template a path belongs to, whatever its method; keeps metric labels few (never a raw path). */
export const templateOf = (path: string) =>
  path === "/docs" || path === "/openapi.json"
    ? path
    : (apiRoutes.find((r) => r.pattern.test(path))?.template ?? "other")

export const allowedMethods = (path: string) => {
  const methods = new Set(apiRoutes.filter((r) => r.pattern.test(path)).map((r) => r.method))
  if (methods.has("GET")) methods.add("HEAD")
  return [...methods]
}
