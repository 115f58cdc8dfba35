import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, http, launch, openPage, PHONE, registerUser, unique } from "./browser.ts"

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

const productsOf = async (token: string, brand: string, count: number, categoryId: number) => {
  const ids: Array<number> = []
  for (let i = 0; i < count; i++) {
    const res = await http(
      "POST",
      "/api/products",
      {
        name: `${brand} Widget ${String(i).padStart(2, "0")}`,
        price: 1000 + i * 100,
        discount_percentage: i % 2 === 0 ? 10 : 0,
        category_id: categoryId,
        brand,
        stock_quantity: i % 5 === 0 ? 0 : 10,
        sku: unique(`SKU-${brand}-${i}-`)
      },
      token
    )
    expect(res.status).toBe(201)
    ids.push(res.body.product.id)
  }
  return ids
}

describe("storefront", () => {
  it("home shows the categories and featured products, prices in rupees with Indian grouping", async () => {
    const { page, errors, context } = await openPage(browser)
    await page.goto("/")
    await page.getByRole("heading", { name: "Shop by category" }).waitFor()
    const categories = await page.locator(".categories a").allTextContents()
    expect(categories).toContain("Electronics")
    expect(await page.locator("section[aria-labelledby='top-h'] .card").count()).toBeGreaterThan(0)
    await expect.poll(() => page.locator("body").innerText()).toContain("₹1,29,900")
    expect(errors).toEqual([])
    await context.close()
  })

  it("listing: category, stock and price filters combine, sort, and paging survive a reload", async () => {
    const token = await adminToken()
    const brand = unique("Brand")
    const categories = (await http("GET", "/api/categories")).body as Array<{ id: number; name: string }>
    const electronics = categories.find((c) => c.name === "Electronics")!
    await productsOf(token, brand, 30, electronics.id)
    const { page, errors, context } = await openPage(browser)

    await page.goto(`/products?brand=${brand}`)
    await expect.poll(() => page.getByRole("status").first().innerText()).toContain("30 products")
    await page.getByLabel("Category", { exact: true }).selectOption(String(electronics.id))
    await page.getByLabel("In stock only").check()
    await expect.poll(() => page.url()).toContain("in_stock=true")
    await page.getByLabel("Minimum price").fill("1500")
    await page.getByLabel("Maximum price").fill("3500")
    await page.getByRole("button", { name: "Apply" }).click()
    await expect.poll(() => page.url()).toContain("max_price=3500")
    expect(page.url()).toContain(`category_id=${electronics.id}`)
    // Items 5..25 priced 1500..3500 with stock (every fifth has none); final price counts, so 10% off moves a few.
    await page.getByLabel("Sort by").selectOption("price_asc")
    await expect.poll(() => page.url()).toContain("sort=price_asc")
    await page.locator(".card").first().waitFor()
    const prices = async () =>
      (await page.locator(".card .final").allTextContents()).map((t) => Number(t.replace(/[₹,]/g, "")))
    const ascending = (ps: Array<number>) => ps.length > 5 && ps.every((p, i) => i === 0 || ps[i - 1]! <= p)
    await expect.poll(async () => ascending(await prices())).toBe(true)
    const sorted = await prices()
    expect(sorted.every((p) => p >= 1500 && p <= 3500)).toBe(true)
    expect(await page.locator(".card", { hasText: "Out of stock" }).count()).toBe(0)

    // Reload keeps every filter and the sort.
    await page.reload()
    await page.locator(".card").first().waitFor()
    expect(await page.getByLabel("In stock only").isChecked()).toBe(true)
    expect(await page.getByLabel("Sort by").inputValue()).toBe("price_asc")
    expect(await page.getByLabel("Category", { exact: true }).inputValue()).toBe(String(electronics.id))
    expect(await prices()).toEqual(sorted)

    // Paging: 30 products of this brand, 24 a page.
    await page.goto(`/products?brand=${brand}`)
    await page.getByText("Page 1 of 2").waitFor()
    await page.getByRole("link", { name: "Next →" }).click()
    await page.getByText("Page 2 of 2").waitFor()
    expect(page.url()).toContain("page=2")
    await page.reload()
    await page.getByText("Page 2 of 2").waitFor()
    expect(await page.locator(".card").count()).toBe(6)
    expect(errors).toEqual([])
    await context.close()
  })

  it("facets: brands combine (multi-select) with counts; the rating filter; did-you-mean for a typo", async () => {
    const { page, errors, context } = await openPage(browser)
    await page.goto("/products?category_id=1")
    const apple = page.getByRole("checkbox", { name: /^Apple \(\d+\)/ })
    const samsung = page.getByRole("checkbox", { name: /^Samsung \(\d+\)/ })
    await apple.check()
    await expect.poll(() => page.url()).toContain("brand=Apple")
    await samsung.check()
    await expect.poll(() => decodeURIComponent(page.url())).toContain("brand=Apple,Samsung")
    await page.locator(".card").first().waitFor()
    await expect
      .poll(async () => [...new Set(await page.locator(".card .muted.small").allTextContents())].sort())
      .toEqual(["Apple", "Samsung"])
    await page.reload()
    await page.locator(".card").first().waitFor()
    expect(await apple.isChecked()).toBe(true)
    expect(await samsung.isChecked()).toBe(true)
    await page.getByRole("radio", { name: /^4★ & above/ }).check()
    await expect.poll(() => page.url()).toContain("min_rating=4")

    // "Did you mean": which typos the API corrects (rather than matches) is the search's business and changes
    // with the catalog, so the page is handed the API's own answer for a search with one suggestion added.
    await page.route("**/api/products?*search=zzfone*", async (route) => {
      const real = await route.fetch()
      const body = await real.json()
      expect(body.products).toEqual([])
      await route.fulfill({ response: real, json: { ...body, suggestion: "iphone" } })
    })
    await page.goto("/products?search=zzfone")
    await page.getByText("No products match “zzfone”").waitFor()
    expect(await page.locator(".did-you-mean").innerText()).toBe("Did you mean iphone?")
    await page.locator(".did-you-mean a").click()
    await page.getByRole("heading", { name: "Results for “iphone”" }).waitFor()
    await page.locator(".card-name", { hasText: "iPhone 15 Pro" }).waitFor()
    expect(errors).toEqual([])
    await context.close()
  })

  it("search suggests as one types; the keyboard picks a suggestion", async () => {
    const { page, errors, context } = await openPage(browser)
    await page.goto("/")
    const box = page.getByRole("combobox", { name: "Search products" })
    await box.pressSequentially("iph", { delay: 50 })
    const option = page.getByRole("option", { name: /iPhone 15 Pro/ })
    await option.waitFor()
    await box.press("ArrowDown")
    await box.press("Enter")
    await page.getByRole("heading", { level: 1, name: "iPhone 15 Pro" }).waitFor()
    expect(page.url()).toMatch(/\/products\/\d+$/)
    // Enter without a suggestion searches.
    await box.fill("samsung")
    await box.press("Enter")
    await page.getByRole("heading", { name: "Results for “samsung”" }).waitFor()
    await page.locator(".card-name", { hasText: "Samsung Galaxy S24" }).waitFor()
    expect(errors).toEqual([])
    await context.close()
  })

  it("product page: price, discount, stock, description, rating and reviews", async () => {
    const list = await http("GET", "/api/products?search=iphone")
    const iphone = list.body.products[0]
    const { page, errors, context } = await openPage(browser)
    await page.goto(`/products/${iphone.id}`)
    await page.getByRole("heading", { level: 1, name: "iPhone 15 Pro" }).waitFor()
    const info = await page.locator(".product-info").innerText()
    expect(info).toContain("₹1,16,910")
    expect(info).toContain("₹1,29,900")
    expect(info).toContain("10% off")
    expect(info).toMatch(/In stock|left/)
    expect(info).toContain(iphone.description)
    await page.getByRole("heading", { name: "Ratings and reviews" }).waitFor()
    await page.getByRole("link", { name: "Sign in" }).last().waitFor()
    expect(await page.getByText("to write a review").count()).toBe(1)
    await page.goto("/products/999999")
    await page.getByRole("alert").waitFor()
    expect(await page.getByRole("alert").innerText()).toMatch(/not found/i)
    expect(errors).toEqual([])
    await context.close()
  })

  it("HTML in product names, descriptions and reviews is shown as text and never runs", async () => {
    const token = await adminToken()
    const categories = (await http("GET", "/api/categories")).body as Array<{ id: number }>
    const name = `<img src=x onerror="window.__pwned=1">Bold <b>claim</b>`
    const description = `<script>window.__pwned=2</script><i>italic?</i>`
    const created = await http(
      "POST",
      "/api/products",
      { name, description, price: 999, category_id: categories[0]!.id, sku: unique("XSS-"), stock_quantity: 3 },
      token
    )
    expect(created.status).toBe(201)
    const id = created.body.product.id
    const user = await registerUser()
    const comment = `<script>window.__pwned=3</script><img src=y onerror="window.__pwned=4">`
    expect(
      (await http("POST", `/api/products/${id}/reviews`, { rating: 4, title: "<b>t</b>", comment }, user.token)).status
    ).toBe(201)

    const { page, errors, context } = await openPage(browser)
    await page.goto(`/products/${id}`)
    await page.locator("h1", { hasText: "Bold" }).waitFor()
    expect(await page.locator("h1").innerText()).toBe(name)
    expect(await page.locator(".description").innerText()).toBe(description)
    await page.locator(".review").first().waitFor()
    expect(await page.locator(".review .comment").innerText()).toBe(comment)
    expect(await page.locator(".product-info b, .product-info i, .review b, .review img, main script").count()).toBe(0)
    // And in a listing card.
    await page.goto(`/products?search=${encodeURIComponent("Bold claim")}`)
    await page.locator(".card-name", { hasText: "Bold" }).first().waitFor()
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(errors).toEqual([])
    await context.close()
  })

  it("works at phone width: home, a listing and a product page fit 375 px", async () => {
    const { page, errors, context } = await openPage(browser, PHONE)
    const iphone = (await http("GET", "/api/products?search=iphone")).body.products[0]
    for (const path of ["/", "/products?category_id=1", `/products/${iphone.id}`]) {
      await page.goto(path)
      await page.locator(".card, .product-info").first().waitFor()
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      expect(width, path).toBeLessThanOrEqual(375)
    }
    expect(errors).toEqual([])
    await context.close()
  })
})
