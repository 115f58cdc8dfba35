import { describe, expect, it } from "vitest"
import { mergeExpositions } from "../src/infra/ClusterMetrics.ts"
import { splitStatements } from "../src/infra/Database.ts"

describe("splitStatements", () => {
  it("splits on semicolons outside quotes, dollar-quoted bodies and comments", () => {
    const sql = `
      -- a comment; with a semicolon
      CREATE TABLE t (a text DEFAULT 'x;y');
      /* block; comment */
      CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT 'a;b' $$;
      CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;
      SELECT "odd;name" FROM t
    `
    const statements = splitStatements(sql)
    expect(statements).toHaveLength(4)
    expect(statements[0]).toContain("DEFAULT 'x;y'")
    expect(statements[1]).toContain("$$ SELECT 'a;b' $$")
    expect(statements[2]).toContain("BEGIN RETURN 1; END")
    expect(statements[3]).toBe('SELECT "odd;name" FROM t')
  })

  it("drops empty and comment-only pieces", () => {
    expect(splitStatements("SELECT 1;;\n-- only a comment\n;")).toEqual(["SELECT 1"])
  })
})

describe("mergeExpositions", () => {
  it("keeps each family's HELP/TYPE once and labels every sample with its worker", () => {
    const a = [
      "# HELP http_requests_total Requests",
      "# TYPE http_requests_total counter",
      'http_requests_total{route="/a"} 3',
      "# HELP up Up",
      "# TYPE up gauge",
      "up 1"
    ].join("\n")
    const b = [
      "# HELP http_requests_total Requests",
      "# TYPE http_requests_total counter",
      'http_requests_total{route="/a"} 5'
    ].join("\n")
    const merged = mergeExpositions([
      { worker: "1", text: a },
      { worker: "2", text: b }
    ])
    expect(merged.match(/# TYPE http_requests_total counter/g)).toHaveLength(1)
    expect(merged).toContain('http_requests_total{worker="1",route="/a"} 3')
    expect(merged).toContain('http_requests_total{worker="2",route="/a"} 5')
    expect(merged).toContain('up{worker="1"} 1')
    // samples stay under their own family's header
    expect(merged.indexOf('http_requests_total{worker="2"')).toBeLessThan(merged.indexOf("# HELP up"))
  })
})
