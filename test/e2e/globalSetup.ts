import type { TestProject } from "vitest/node"
import { startShop } from "./shop.ts"

declare module "vitest" {
  export interface ProvidedContext {
    shopUrl: string
  }
}

/** One real shop for the whole browser run (the tests each make their own users and products). */
export default async function setup(project: TestProject) {
  const shop = await startShop()
  project.provide("shopUrl", shop.url)
  return shop.stop
}
