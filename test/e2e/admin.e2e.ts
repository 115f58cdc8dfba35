import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, http, launch, openPage, registerUser, signInThroughUi, unique } from "./browser.ts"

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

const signInAsAdmin = async () => {
  const opened = await openPage(browser)
  await signInThroughUi(opened.page, "admin@flipkart.com", "admin123")
  return opened
}

describe("admin console", () => {
  it("refuses a shopper in words, and the API refuses too", async () => {
    const user = await registerUser()
    const { page, errors, context } = await openPage(browser)
    await signInThroughUi(page, user.email, user.password)
    expect(await page.getByRole("link", { name: "Admin" }).count()).toBe(0)
    await page.goto("/admin/products")
    await page.getByRole("heading", { name: "Admins only" }).waitFor()
    expect(await page.getByRole("alert").innerText()).toContain("not an admin account")
    expect((await http("GET", "/api/orders/all", undefined, user.token)).status).toBe(403)
    expect(errors).toEqual([])
    await context.close()
  })

  it("creates a product (refusals shown beside the fields), edits it, finds it, deactivates it", async () => {
    const { page, errors, context } = await signInAsAdmin()
    await page.goto("/admin/products/new")
    const sku = unique("ADM-")
    await page.getByLabel("Name").fill("Console Toaster")
    await page.getByLabel("SKU").fill(sku)
    await page.getByLabel("Price (₹)").fill("-5")
    await page.getByLabel("Discount (%)").fill("150")
    await page.getByLabel("Category").selectOption({ label: "Electronics" })
    await page.getByRole("button", { name: "Create product" }).click()
    await page.locator("#f-price-err").waitFor()
    expect(await page.locator("#f-price-err").innerText()).toMatch(/greater than 0/i)
    expect(await page.getByLabel("Price (₹)").getAttribute("aria-invalid")).toBe("true")
    await page.getByLabel("Price (₹)").fill("2499")
    await page.getByRole("button", { name: "Create product" }).click()
    await page.locator("#f-discount_percentage-err").waitFor()
    expect(await page.locator("#f-discount_percentage-err").innerText()).not.toBe("")
    await page.getByLabel("Discount (%)").fill("10")
    await page.getByLabel("Stock").fill("4")
    await page.getByLabel("Brand").fill("Toastr")
    await page.getByRole("button", { name: "Create product" }).click()
    await page.getByRole("heading", { name: "Edit Console Toaster" }).waitFor()
    expect(page.url()).toMatch(/\/admin\/products\/\d+$/)

    // A taken SKU: the API's 409 in words.
    const other = await http("GET", "/api/products?search=iphone")
    await page.getByLabel("SKU").fill(other.body.products[0].sku)
    await page.getByRole("button", { name: "Save changes" }).click()
    await page.getByRole("alert").waitFor()
    expect(await page.getByRole("alert").innerText()).toMatch(/sku/i)
    await page.getByLabel("SKU").fill(sku)
    await page.getByLabel("Stock").fill("7")
    await page.getByRole("button", { name: "Save changes" }).click()
    await page
      .getByRole("status")
      .filter({ hasText: /updated/i })
      .waitFor()

    await page.goto("/admin/products")
    await page.getByLabel("Search", { exact: true }).fill("Console Toaster")
    await page.getByRole("button", { name: "Filter" }).click()
    const row = page.locator("tr", { hasText: "Console Toaster" })
    await row.waitFor()
    expect(await row.innerText()).toContain("7")
    const id = Number(/\d+$/.exec((await row.locator("a").getAttribute("href")) ?? "")?.[0])
    await page.getByRole("button", { name: "Deactivate Console Toaster" }).click()
    await page.getByRole("status").filter({ hasText: "Console Toaster" }).waitFor()
    await row.waitFor({ state: "detached" })
    await expect.poll(async () => (await http("GET", `/api/products/${id}`)).status).toBe(404)

    // Deactivated products stay listed for admins, who can bring them back.
    await page.getByLabel("Show").selectOption("deactivated")
    await page.getByRole("button", { name: "Filter" }).click()
    await expect.poll(() => page.url()).toContain("show=deactivated")
    const gone = page.locator("tr", { hasText: "Console Toaster" })
    await gone.waitFor()
    expect(await gone.innerText()).toContain("Deactivated")
    await page.getByRole("button", { name: "Reactivate Console Toaster" }).click()
    await page.getByRole("status").filter({ hasText: "Reactivated: Console Toaster" }).waitFor()
    await gone.waitFor({ state: "detached" })
    expect((await http("GET", `/api/products/${id}`)).status).toBe(200)
    await page.getByLabel("Show").selectOption("active")
    await page.getByRole("button", { name: "Filter" }).click()
    await page.getByRole("button", { name: "Deactivate Console Toaster" }).waitFor()
    expect(errors).toEqual([])
    await context.close()
  })

  it("the dashboard lists the products low in stock, whichever were ordered", async () => {
    const token = await adminToken()
    const name = unique("Nearly Gone Kettle ")
    const created = await http(
      "POST",
      "/api/products",
      { name, sku: unique("LOW-"), price: 999, category_id: 1, stock_quantity: 0 },
      token
    )
    expect(created.status).toBe(201)
    const low = await http("GET", "/api/products/all?is_active=true&max_stock=10", undefined, token)
    // The dashboard shows the 20 with the least stock (ties oldest first): this one is among them while fewer are sold out.
    const soldOut = await http("GET", "/api/products/all?is_active=true&max_stock=0", undefined, token)
    expect(soldOut.body.pagination.total).toBeLessThanOrEqual(20)
    const { page, errors, context } = await signInAsAdmin()
    await page.goto("/admin")
    await page.getByRole("heading", { name: "Low stock" }).waitFor()
    const row = page.locator("tr", { hasText: name })
    await row.waitFor()
    expect(await row.locator("td").nth(2).innerText()).toBe("0")
    expect(await page.locator("main").innerText()).toContain(
      `${low.body.pagination.total.toLocaleString("en-IN")} active products at 10 units or fewer`
    )
    await page.getByRole("link", { name: "All low-stock products" }).click()
    await page.getByRole("heading", { name: "Products" }).waitFor()
    expect(await page.getByLabel("Stock at most").inputValue()).toBe("10")
    await page.locator("tr", { hasText: name }).waitFor()
    expect(errors).toEqual([])
    await context.close()
  })

  it("edits the category tree: moves a subtree, and shows the refusal of a cycle", async () => {
    const token = await adminToken()
    const parent = await http("POST", "/api/categories", { name: unique("Outer ") }, token)
    const child = await http(
      "POST",
      "/api/categories",
      { name: unique("Inner "), parent_id: parent.body.category.id },
      token
    )
    const target = (await http("GET", "/api/categories")).body.find((c: { name: string }) => c.name === "Books")
    const { page, errors, context } = await signInAsAdmin()
    await page.goto("/admin/categories")
    const outer = parent.body.category.name as string
    const inner = child.body.category.name as string
    // Under its own child: a cycle.
    expect(await page.getByLabel(`New parent of ${outer}`).innerText()).toContain(inner)
    await page.getByLabel(`New parent of ${outer}`).selectOption(String(child.body.category.id))
    await page.getByRole("button", { name: `Move ${outer}` }).click()
    await page.getByRole("alert").waitFor()
    expect(await page.getByRole("alert").innerText()).toMatch(/cycle|descendant|own/i)
    await page.getByLabel(`New parent of ${outer}`).selectOption(String(target.id))
    await page.getByRole("button", { name: `Move ${outer}` }).click()
    await page.getByRole("status").waitFor()
    await expect
      .poll(async () => (await http("GET", `/api/categories/${parent.body.category.id}`)).body.parent_id)
      .toBe(target.id)
    // The subtree came along.
    expect((await http("GET", `/api/categories/${child.body.category.id}`)).body.parent_id).toBe(
      parent.body.category.id
    )
    expect(errors).toEqual([])
    await context.close()
  })

  it("orders by status; only allowed changes are offered; tracking number; the dashboard counts today", async () => {
    const user = await registerUser()
    const address = await http(
      "POST",
      "/api/users/addresses",
      { street: "1 Park St", city: "Kolkata", state: "West Bengal", pincode: "700016" },
      user.token
    )
    const product = (await http("GET", "/api/products?search=dumbbells")).body.products[0]
    await http("POST", "/api/cart/add", { product_id: product.id, quantity: 1 }, user.token)
    const placed = await http(
      "POST",
      "/api/orders",
      { address_id: address.body.address.id, payment_method: "CARD" },
      user.token
    )
    expect(placed.status).toBe(201)
    const order = placed.body.order

    const { page, errors, context } = await signInAsAdmin()
    await page.goto("/admin")
    await page.getByText("Orders today").waitFor()
    expect(Number(await page.locator(".stat-value").first().innerText())).toBeGreaterThanOrEqual(1)

    await page.goto("/admin/orders")
    await page.getByLabel("Status").selectOption("pending")
    await expect.poll(() => page.url()).toContain("status=pending")
    await page.getByRole("link", { name: order.order_number }).click()
    await page.getByRole("heading", { name: `Order ${order.order_number}` }).waitFor()
    expect(await page.getByRole("button", { name: "Mark shipped" }).count()).toBe(0)
    expect(await page.getByRole("button", { name: "Mark delivered" }).count()).toBe(0)
    await page.getByRole("button", { name: "Mark confirmed" }).click()
    await page.getByRole("button", { name: "Mark shipped" }).waitFor()
    expect(await page.getByRole("button", { name: "Mark confirmed" }).count()).toBe(0)
    await page.getByLabel("Tracking number").fill("bad number!")
    await page.getByRole("button", { name: "Save tracking number" }).click()
    await page.getByRole("alert").waitFor()
    expect(await page.getByRole("alert").innerText()).toMatch(/tracking/i)
    await page.getByLabel("Tracking number").fill("DLV-12345")
    await page.getByRole("button", { name: "Save tracking number" }).click()
    await page.getByRole("status").waitFor()
    await page.getByRole("button", { name: "Mark shipped" }).click()
    await page.getByRole("button", { name: "Mark delivered" }).waitFor()
    const tracking = await http("GET", `/api/orders/${order.id}/tracking`, undefined, user.token)
    expect(tracking.body.status).toBe("shipped")
    expect(tracking.body.tracking_number).toBe("DLV-12345")
    // The admin's order page shows the whole status history, oldest first, as the shopper's does.
    await page.getByRole("heading", { name: "Status history" }).waitFor()
    await expect
      .poll(async () => (await page.locator(".timeline li strong").allInnerTexts()).join(" > "))
      .toBe("Pending > Confirmed > Shipped")
    expect(await page.getByText("Tracking number: DLV-12345").count()).toBe(1)
    // Opened directly (not from the list), any customer's order loads through the admin route.
    await page.reload()
    await page.getByRole("heading", { name: `Order ${order.order_number}` }).waitFor()
    expect(await page.locator(".timeline li").count()).toBe(3)
    expect(errors).toEqual([])
    await context.close()
  })
})
