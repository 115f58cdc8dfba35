import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Option } from "effect"
import { appConfig } from "../src/infra/AppConfig.ts"
import { describeStartupError } from "../src/infra/startupError.ts"

/** What start-up would print for this environment, or the settings it would run with. */
const read = (env: Record<string, string>) => {
  const exit = Effect.runSyncExit(appConfig.parse(ConfigProvider.fromEnv({ env })))
  return exit._tag === "Failure" ? { refused: describeStartupError(exit.cause) } : { config: exit.value }
}

describe("settings read through their schemas", () => {
  it("an empty environment runs on the defaults of the README's table", () => {
    const { config } = read({})
    expect(config?.nodeEnv).toBe("development")
    expect(config?.port).toBe(5000)
    expect(config?.dbPoolMax).toBe(20)
    expect(Duration.toMillis(config!.redisCommandTimeout)).toBe(250)
    expect(config?.webConcurrency).toEqual(Option.none())
    expect(config?.trustProxy).toEqual([])
    expect(config?.corsOrigins).toEqual(["*"])
  })

  it("good values are taken as given", () => {
    const { config } = read({
      DB_POOL_MAX: "7",
      WEB_CONCURRENCY: "3",
      REDIS_KEY_PREFIX: "shop:eu.1",
      TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,::1",
      NODE_ENV: "production",
      JWT_SECRET: "s".repeat(32)
    })
    expect(config?.dbPoolMax).toBe(7)
    expect(config?.webConcurrency).toEqual(Option.some(3))
    expect(config?.redisKeyPrefix).toEqual(Option.some("shop:eu.1"))
    expect(config?.trustProxy.map(String)).toEqual(["10.0.0.0/8", "127.0.0.1/32", "::1/128"])
  })

  it.each([
    [{ DB_POOL_MAX: "0" }, 'DB_POOL_MAX must be a positive integer, got 0 at ["DB_POOL_MAX"]'],
    [{ ARGON2_TIME_COST: "-1" }, 'ARGON2_TIME_COST must be a positive integer, got -1 at ["ARGON2_TIME_COST"]'],
    [{ RATE_LIMIT_IP_PER_MINUTE: "many" }, '["RATE_LIMIT_IP_PER_MINUTE"]'],
    [{ WEB_CONCURRENCY: "65" }, 'WEB_CONCURRENCY must be from 1 to 64, got 65 at ["WEB_CONCURRENCY"]'],
    [{ REDIS_KEY_PREFIX: "shop *" }, 'no * or other glob characters), got "shop *" at ["REDIS_KEY_PREFIX"]'],
    [{ TRUST_PROXY: "10.0.0.0/8,proxy.local" }, 'TRUST_PROXY: "proxy.local" is not an IP address or CIDR'],
    [{ NODE_ENV: "production" }, "JWT_SECRET must be set to a secret of your own"],
    [{ NODE_ENV: "production", JWT_SECRET: "short" }, "of 32 characters or more, when NODE_ENV=production"],
    [{ PORT: "abc" }, '["PORT"]']
  ])("refuses %o naming the variable", (env, message) => {
    const { refused } = read(env)
    expect(refused).toMatch(/^invalid configuration: /)
    expect(refused).toContain(message)
  })
})
