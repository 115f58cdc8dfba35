import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, http, launch, openPage, registerUser, signInThroughUi, unique } from "./browser.ts"

let browser: Browser
beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

const newProduct = async (stock: number, price = 2500) => {
  const categories = (await http("GET", "/api/categories")).body as Array<{ id: number }>
  const name = unique("Gadget ")
  const res = await http(
    "POST",
    "/api/products",
    { name, price, discount_percentage: 20, category_id: categories[0]!.id, sku: unique("G-"), stock_quantity: stock },
    await adminToken()
  )
  expect(res.status).toBe(201)
  return res.body.product as { id: number; name: string }
}

const addAddressThroughUi = async (page: Page) => {
  await page.goto("/account/addresses")
  await page.getByLabel("Street and house number").fill("12 MG Road")
  await page.getByLabel("City").fill("Bengaluru")
  await page.getByLabel("State").fill("Karnataka")
  await page.getByLabel("PIN code").fill("5600")
  await page.getByRole("button", { name: "Save address" }).click()
  // The server's message shows beside the field.
  await page.locator("#f-pincode-err").waitFor()
  expect(await page.locator("#f-pincode-err").innerText()).toMatch(/pincode/i)
  await page.getByLabel("PIN code").fill("560001")
  await page.getByRole("button", { name: "Save address" }).click()
  await page.locator(".address", { hasText: "12 MG Road" }).waitFor()
  expect(await page.locator(".address").first().innerText()).toContain("Default")
}

const addToCartThroughUi = async (page: Page, product: { readonly id: number }) => {
  await page.goto(`/products/${product.id}`)
  await page.getByRole("button", { name: "Add to cart" }).click()
  await page.getByText("Added 1 to your cart.").waitFor()
}

/** Signed in with an address and one of `product` in the cart, on the checkout page. */
const toCheckoutWith = async (
  page: Page,
  user: { readonly email: string; readonly password: string },
  product: { readonly id: number }
) => {
  await signInThroughUi(page, user.email, user.password)
  await addAddressThroughUi(page)
  await addToCartThroughUi(page, product)
  await page.goto("/checkout")
}

const ordersOf = async (token: string) =>
  (await http("GET", "/api/orders?per_page=100", undefined, token)).body.orders as Array<{ id: number; status: string }>

describe("shopper", () => {
  it("register shows the server's messages beside the fields, then registers, signs out and in again", async () => {
    const taken = await registerUser()
    const { page, errors, context } = await openPage(browser)
    await page.goto("/register")
    await page.getByLabel("Email").fill(taken.email.toUpperCase())
    await page.getByLabel("Username").fill("x")
    await page.getByLabel(/^Password/).fill("short")
    await page.getByRole("button", { name: "Create account" }).click()
    await page.locator("#f-username-err").waitFor()
    expect(await page.locator("#f-username-err").innerText()).toMatch(/username/)
    expect(await page.locator("#f-password-err").innerText()).toMatch(/8 characters/)
    expect(await page.getByLabel("Username").getAttribute("aria-invalid")).toBe("true")
    // Valid fields, but the email is taken: the API's 409 in words.
    await page.getByLabel("Username").fill(unique("fresh"))
    await page.getByLabel(/^Password/).fill("password123")
    await page.getByRole("button", { name: "Create account" }).click()
    await expect.poll(() => page.getByRole("alert").innerText()).toMatch(/already|taken|registered/i)
    expect(await page.locator(".field-error").count()).toBe(0)

    const name = unique("new")
    await page.getByLabel("Email").fill(`${name}@example.com`)
    await page.getByLabel("Username").fill(name)
    await page.getByRole("button", { name: "Create account" }).click()
    await page.getByRole("button", { name: "Sign out" }).waitFor()
    await page.getByRole("button", { name: "Sign out" }).click()
    await page.getByRole("link", { name: "Sign in" }).waitFor()
    // Wrong password: one message for both fields.
    await page.goto("/signin")
    await page.getByLabel("Email").fill(`${name}@example.com`)
    await page.getByLabel("Password").fill("wrong-password")
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.getByRole("alert").waitFor()
    expect(await page.getByRole("alert").innerText()).toMatch(/invalid|incorrect|wrong/i)
    await signInThroughUi(page, `${name}@example.com`, "password123")
    expect(errors).toEqual([])
    await context.close()
  })

  it("a guest's cart survives signing in; quantities change; stock warnings show", async () => {
    const scarce = await newProduct(3)
    const user = await registerUser()
    const { page, errors, context } = await openPage(browser)
    await page.goto(`/products/${scarce.id}`)
    await page.getByText("Hurry, only 3 left").waitFor()
    await page.getByLabel("Quantity").selectOption("2")
    await page.getByRole("button", { name: "Add to cart" }).click()
    await page.getByText("Added 2 to your cart.").waitFor()
    await page.goto("/cart")
    await page.getByRole("link", { name: scarce.name }).waitFor()
    await page.getByRole("link", { name: "Sign in to checkout" }).click()
    await page.getByLabel("Email").fill(user.email)
    await page.getByLabel("Password").fill(user.password)
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.getByRole("heading", { name: "Checkout" }).waitFor()
    const cart = (await http("GET", "/api/cart", undefined, user.token)).body
    expect(cart.items.map((i: { product: { id: number }; quantity: number }) => [i.product.id, i.quantity])).toEqual([
      [scarce.id, 2]
    ])

    await page.goto("/cart")
    await page.getByLabel("Quantity").selectOption("3")
    await expect
      .poll(async () => (await http("GET", "/api/cart", undefined, user.token)).body.items[0].quantity)
      .toBe(3)
    // Someone else buys the stock: the cart warns and will not check out.
    await http("PUT", `/api/products/${scarce.id}`, { stock_quantity: 1 }, await adminToken())
    await page.reload()
    await page.getByText("Only 1 in stock: lower the quantity").waitFor()
    expect(await page.getByRole("link", { name: "Checkout" }).count()).toBe(0)
    await page.getByLabel("Quantity").selectOption("1")
    await page.getByRole("link", { name: "Checkout" }).waitFor()
    expect(await page.locator(".count").innerText()).toBe("1")
    await page.getByRole("button", { name: `Remove ${scarce.name}` }).click()
    await page.getByText("Your cart is empty.").waitFor()
    expect(errors).toEqual([])
    await context.close()
  })

  it("checkout: address book, payment method, a double click places one order; history, tracking, cancel", async () => {
    const product = await newProduct(10, 1299)
    const user = await registerUser()
    const { page, errors, context } = await openPage(browser)
    await toCheckoutWith(page, user, product)
    await page.getByLabel("UPI").check()
    await page.getByRole("button", { name: "Place order" }).dblclick()
    await page.getByText("Thank you! Your order has been placed.").waitFor()
    await page.getByRole("button", { name: "Place order" }).count()
    const orders = await ordersOf(user.token)
    expect(orders.length).toBe(1)
    expect(await page.locator("h1").innerText()).toMatch(/^Order ORD-/)
    expect(await page.locator("main").innerText()).toContain("UPI")
    expect(await page.locator(".timeline li").first().innerText()).toMatch(/Pending/)

    await page.goto("/orders")
    await page.locator(".order-row").first().waitFor()
    expect(await page.locator(".order-row").count()).toBe(1)
    await page.locator(".order-row a").first().click()
    await page.getByRole("button", { name: "Cancel order" }).click()
    await page.getByRole("button", { name: "Yes, cancel order" }).click()
    await page.locator(".timeline li", { hasText: "Cancelled" }).waitFor()
    expect(await page.getByRole("button", { name: "Cancel order" }).count()).toBe(0)
    expect((await ordersOf(user.token))[0]!.status).toBe("cancelled")
    expect(errors).toEqual([])
    await context.close()
  })

  it("the connection dropping mid-checkout shows a message, and trying again never orders twice", async () => {
    const product = await newProduct(10, 799)
    const user = await registerUser()
    const { page, context } = await openPage(browser)
    await toCheckoutWith(page, user, product)
    // The order reaches the server, but its answer never reaches the browser.
    let dropped = 0
    await page.route("**/api/orders", async (route) => {
      if (route.request().method() !== "POST" || dropped > 0) return route.fallback()
      dropped++
      await route.fetch()
      await route.abort("connectionreset")
    })
    await page.getByRole("button", { name: "Place order" }).click()
    await page.getByRole("alert").waitFor()
    expect(await page.getByRole("alert").innerText()).toMatch(/can't be reached|not be placed twice/i)
    expect((await ordersOf(user.token)).length).toBe(1)
    await page.getByRole("button", { name: "Place order" }).click()
    await page.getByText("Thank you! Your order has been placed.").waitFor()
    expect((await ordersOf(user.token)).length).toBe(1)
    await context.close()
  })

  it("a server error at checkout is shown in words and changes nothing", async () => {
    const user = await registerUser()
    const { page, context } = await openPage(browser)
    const product = await newProduct(5, 450)
    await toCheckoutWith(page, user, product)
    await page.route("**/api/orders", (route) =>
      route.request().method() === "POST"
        ? route.fulfill({
            status: 503,
            contentType: "application/json",
            body: JSON.stringify({ error: "Service temporarily unavailable", code: "SERVICE_UNAVAILABLE" })
          })
        : route.fallback()
    )
    await page.getByRole("button", { name: "Place order" }).click()
    await page.getByRole("alert").waitFor()
    expect(await page.getByRole("alert").innerText()).toContain("Service temporarily unavailable")
    expect((await ordersOf(user.token)).length).toBe(0)
    await context.close()
  })

  it("an expired access token refreshes silently; a tampered one sends the shopper to sign in with the cart kept", async () => {
    const product = await newProduct(10)
    const user = await registerUser()
    const { page, errors, context } = await openPage(browser)
    await signInThroughUi(page, user.email, user.password)
    await addToCartThroughUi(page, product)
    // An access token that no longer verifies, with a good refresh token: the page carries on.
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem("shop.session")!)
      s.access_token = s.access_token.slice(0, -4) + "AAAA"
      localStorage.setItem("shop.session", JSON.stringify(s))
    })
    await page.goto("/cart")
    await page.getByRole("link", { name: product.name }).waitFor()
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(1)
    // Both tokens tampered: sign in again, and the cart is still there afterwards.
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem("shop.session")!)
      s.access_token = "garbage." + s.access_token
      s.refresh_token = "garbage." + s.refresh_token
      localStorage.setItem("shop.session", JSON.stringify(s))
    })
    await page.goto("/orders")
    await page.getByText("Your session has ended").waitFor()
    expect(page.url()).toContain("/signin?next=")
    await page.getByLabel("Email").fill(user.email)
    await page.getByLabel("Password").fill(user.password)
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.getByRole("heading", { name: "Your orders" }).waitFor()
    await page.goto("/cart")
    await page.getByRole("link", { name: product.name }).waitFor()
    expect(errors).toEqual([])
    await context.close()
  })

  it("a delivered order lets the shopper write a review, shown with the verified badge", async () => {
    const product = await newProduct(10, 350)
    const user = await registerUser()
    const { page, errors, context } = await openPage(browser)
    await toCheckoutWith(page, user, product)
    await page.getByRole("button", { name: "Place order" }).click()
    await page.getByText("Thank you! Your order has been placed.").waitFor()
    const [order] = await ordersOf(user.token)
    const admin = await adminToken()
    for (const status of ["confirmed", "shipped", "delivered"])
      expect((await http("PUT", `/api/orders/${order!.id}/status`, { status }, admin)).status).toBe(200)

    await page.goto(`/products/${product.id}`)
    await page.getByRole("heading", { name: "Write a review" }).waitFor()
    await page.getByLabel("4 ★").check()
    await page.getByLabel("Title").fill("Does the job")
    await page.getByRole("textbox", { name: "Review" }).fill("Sturdy and <b>cheap</b>.")
    await page.getByRole("button", { name: "Post review" }).click()
    await page.locator(".review", { hasText: "Does the job" }).waitFor()
    const review = await page.locator(".review", { hasText: "Does the job" }).innerText()
    expect(review).toContain("Verified purchase")
    expect(review).toContain("Sturdy and <b>cheap</b>.")
    await page.getByText("You have reviewed this product.").waitFor()
    expect(errors).toEqual([])
    await context.close()
  })
})
