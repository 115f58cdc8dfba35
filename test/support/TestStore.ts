import { Layer } from "effect"
import { SharedStore } from "../../src/infra/SharedStore.ts"
import { unique } from "./unique.ts"

/**
 * The store tests run against: the real Redis named by REDIS_URL (CI sets it to
 * the local Redis 7), with a key prefix of its own per call so parallel test
 * files and blocks never see each other's keys; process memory on a bare machine.
 */
export const testStore = (): Layer.Layer<SharedStore> =>
  process.env.REDIS_URL
    ? SharedStore.layerRedis(process.env.REDIS_URL, {
        keyPrefix: `${unique("test:")}:`
      })
    : SharedStore.layerMemory
