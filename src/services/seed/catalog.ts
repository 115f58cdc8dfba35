import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { SharedStore } from "../../infra/SharedStore.ts"
import { CATALOG_VERSION_KEYS } from "../catalog/CatalogCache.ts"

const CATEGORIES = [
  { name: "Electronics", description: "Electronic devices and gadgets" },
  { name: "Fashion", description: "Clothing, footwear and accessories" },
  { name: "Home & Kitchen", description: "Home appliances and kitchen essentials" },
  { name: "Books", description: "Books across every genre" },
  { name: "Sports", description: "Sports and fitness equipment" }
] as const

type CategoryName = (typeof CATEGORIES)[number]["name"]

/** The ten products of the original shop, in its order (ids 1-10 on a fresh database). */
const PRODUCTS: ReadonlyArray<{
  name: string
  description: string
  price: string
  discount: string
  stock: number
  sku: string
  rating: string
  brand: string
  category: CategoryName
}> = [
  {
    name: "iPhone 15 Pro",
    description: "Apple iPhone 15 Pro with A17 Pro chip, titanium design and a 48MP camera",
    price: "129900",
    discount: "10",
    stock: 50,
    sku: "IPHONE15PRO",
    rating: "4.5",
    brand: "Apple",
    category: "Electronics"
  },
  {
    name: "Samsung Galaxy S24",
    description: "Samsung Galaxy S24 with Galaxy AI, 50MP camera and a 120Hz display",
    price: "99900",
    discount: "15",
    stock: 75,
    sku: "GALAXYS24",
    rating: "4.3",
    brand: "Samsung",
    category: "Electronics"
  },
  {
    name: "Sony WH-1000XM5",
    description: "Wireless noise-cancelling over-ear headphones with 30 hours of battery",
    price: "29990",
    discount: "20",
    stock: 100,
    sku: "SONYWH1000XM5",
    rating: "4.7",
    brand: "Sony",
    category: "Electronics"
  },
  {
    name: "Levi's Men's Jeans",
    description: "Levi's 501 original fit men's jeans in classic blue denim",
    price: "2999",
    discount: "30",
    stock: 200,
    sku: "LEVIS501",
    rating: "4.2",
    brand: "Levi's",
    category: "Fashion"
  },
  {
    name: "Nike Air Max Shoes",
    description: "Nike Air Max running shoes with visible Air cushioning",
    price: "8999",
    discount: "25",
    stock: 150,
    sku: "NIKEAIRMAX",
    rating: "4.6",
    brand: "Nike",
    category: "Fashion"
  },
  {
    name: "Instant Pot Duo",
    description: "7-in-1 electric pressure cooker, slow cooker, rice cooker and steamer",
    price: "6999",
    discount: "15",
    stock: 80,
    sku: "INSTANTPOT7IN1",
    rating: "4.5",
    brand: "Instant Pot",
    category: "Home & Kitchen"
  },
  {
    name: "Philips Air Fryer",
    description: "Philips air fryer with Rapid Air technology for frying with little oil",
    price: "9999",
    discount: "20",
    stock: 60,
    sku: "PHILIPSAIRFRYER",
    rating: "4.4",
    brand: "Philips",
    category: "Home & Kitchen"
  },
  {
    name: "Atomic Habits by James Clear",
    description: "An easy and proven way to build good habits and break bad ones",
    price: "399",
    discount: "10",
    stock: 500,
    sku: "ATOMICHABITS",
    rating: "4.8",
    brand: "Penguin",
    category: "Books"
  },
  {
    name: "Yoga Mat Premium",
    description: "6mm thick non-slip premium yoga mat with carrying strap",
    price: "1299",
    discount: "15",
    stock: 300,
    sku: "YOGAMATPREM",
    rating: "4.1",
    brand: "Boldfit",
    category: "Sports"
  },
  {
    name: "Dumbbells Set 10kg",
    description: "Adjustable 10kg dumbbell set with PVC-coated plates",
    price: "2499",
    discount: "20",
    stock: 120,
    sku: "DUMBBELL10KG",
    rating: "4.3",
    brand: "Kore",
    category: "Sports"
  }
]

/** Cached catalog pages of a running server must not outlive data written behind its back. */
const invalidateCatalog = Effect.gen(function* () {
  const store = yield* SharedStore
  yield* Effect.all([store.incr(CATALOG_VERSION_KEYS.categories), store.incr(CATALOG_VERSION_KEYS.listing)])
})

/** The five categories and ten products of the original shop; a second run changes nothing. */
export const seedCatalog = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.withTransaction(
    Effect.gen(function* () {
      for (const c of CATEGORIES)
        yield* sql`INSERT INTO categories (name, description) VALUES (${c.name}, ${c.description})
                   ON CONFLICT ((lower(name))) DO NOTHING`
      for (const p of PRODUCTS)
        yield* sql`
          INSERT INTO products (name, description, price, discount_percentage, category_id, brand,
                                stock_quantity, sku, rating)
          SELECT ${p.name}, ${p.description}, ${p.price}::numeric, ${p.discount}::numeric, c.id, ${p.brand},
                 ${p.stock}, ${p.sku}, ${p.rating}::numeric
          FROM categories c WHERE lower(c.name) = lower(${p.category})
          ON CONFLICT ((lower(sku))) DO NOTHING`
    })
  )
  yield* invalidateCatalog
  yield* Effect.logInfo("catalog sample data seeded")
})

/** A deeper tree for synthetic data: each top category gets subcategories, some of those a third level. */
const SYNTHETIC_TREE: ReadonlyArray<{
  readonly parent: CategoryName
  readonly name: string
  readonly children: ReadonlyArray<string>
}> = [
  { parent: "Electronics", name: "Mobiles", children: ["Smartphones", "Feature Phones", "Mobile Accessories"] },
  { parent: "Electronics", name: "Computers", children: ["Laptops", "Monitors", "Keyboards & Mice"] },
  { parent: "Electronics", name: "Audio", children: ["Headphones", "Speakers", "Earbuds"] },
  { parent: "Electronics", name: "Cameras", children: ["DSLR Cameras", "Action Cameras"] },
  { parent: "Fashion", name: "Men's Clothing", children: ["Men's Shirts", "Men's Jeans", "Men's T-Shirts"] },
  { parent: "Fashion", name: "Women's Clothing", children: ["Dresses", "Women's Tops", "Sarees"] },
  { parent: "Fashion", name: "Footwear", children: ["Running Shoes", "Sneakers", "Sandals"] },
  { parent: "Fashion", name: "Watches", children: [] },
  { parent: "Home & Kitchen", name: "Kitchen Appliances", children: ["Mixer Grinders", "Air Fryers", "Cookers"] },
  { parent: "Home & Kitchen", name: "Furniture", children: ["Sofas", "Beds", "Office Chairs"] },
  { parent: "Home & Kitchen", name: "Home Decor", children: ["Lamps", "Wall Art"] },
  { parent: "Books", name: "Fiction", children: ["Thrillers", "Romance", "Science Fiction"] },
  { parent: "Books", name: "Non-Fiction", children: ["Self-Help", "Biographies", "Business"] },
  { parent: "Books", name: "Children's Books", children: [] },
  { parent: "Sports", name: "Fitness", children: ["Dumbbells", "Yoga", "Treadmills"] },
  { parent: "Sports", name: "Outdoor Sports", children: ["Cricket", "Football", "Cycling"] }
]

const BRANDS: Record<CategoryName, ReadonlyArray<string>> = {
  Electronics: ["Apple", "Samsung", "Sony", "OnePlus", "Xiaomi", "Lenovo", "HP", "Dell", "boAt", "JBL", "Canon"],
  Fashion: ["Levi's", "Nike", "Adidas", "Puma", "Allen Solly", "Van Heusen", "Biba", "Titan", "Bata", "H&M"],
  "Home & Kitchen": ["Philips", "Prestige", "Bajaj", "Havells", "Pigeon", "Godrej", "IKEA", "Wakefit"],
  Books: ["Penguin", "HarperCollins", "Rupa", "Bloomsbury", "Scholastic", "Hachette"],
  Sports: ["Decathlon", "Nivia", "Cosco", "SG", "Yonex", "Boldfit", "Kore", "Hero"]
}

const ADJECTIVES = [
  "Premium",
  "Classic",
  "Ultra",
  "Smart",
  "Pro",
  "Lite",
  "Deluxe",
  "Eco",
  "Compact",
  "Max",
  "Café",
  "Élite"
]
const COLORS = ["Black", "White", "Blue", "Red", "Green", "Silver", "Grey", "Navy", "Beige", "Maroon"]
const DESCRIPTIONS = [
  "Built to last with a one-year warranty and free delivery.",
  "Top rated by customers for quality and value for money.",
  "Lightweight, durable and designed for everyday use.",
  "A bestseller this season, now with an improved design.",
  "Crafted from premium materials with attention to detail."
]

/** Deterministic pseudo-random numbers (mulberry32), so two runs with one seed build the same data. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const BATCH = 5000

const progressBar = (done: number, total: number) => {
  if (!process.stderr.isTTY) return
  const width = 30
  const filled = Math.round((done / total) * width)
  process.stderr.write(
    `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${Math.floor((done / total) * 100)}% ${done}/${total}`
  )
  if (done === total) process.stderr.write("\n")
}

/**
 * Adds `count` synthetic products across a three-level tree under the sample
 * categories: realistic names, brands, prices, stock and ratings, inserted in
 * batches of 5,000 rows through unnest() arrays. Each run adds new products
 * (SKUs carry the run's id).
 */
export const seedSyntheticProducts = (count: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const started = Date.now()
    // Leaf categories to put products in, with the top category that picks the brands.
    const leaves: Array<{ id: number; name: string; top: CategoryName }> = []
    for (const group of SYNTHETIC_TREE) {
      const [mid] = yield* sql<{ id: number }>`
        WITH inserted AS (
          INSERT INTO categories (name, description, parent_id)
          SELECT ${group.name}, ${`${group.name} in ${group.parent}`}, id FROM categories WHERE lower(name) = lower(${group.parent})
          ON CONFLICT ((lower(name))) DO NOTHING RETURNING id
        )
        SELECT id FROM inserted UNION ALL SELECT id FROM categories WHERE lower(name) = lower(${group.name})`
      if (group.children.length === 0) leaves.push({ id: mid!.id, name: group.name, top: group.parent })
      for (const child of group.children) {
        const [leaf] = yield* sql<{ id: number }>`
          WITH inserted AS (
            INSERT INTO categories (name, description, parent_id)
            VALUES (${child}, ${`${child} in ${group.name}`}, ${mid!.id})
            ON CONFLICT ((lower(name))) DO NOTHING RETURNING id
          )
          SELECT id FROM inserted UNION ALL SELECT id FROM categories WHERE lower(name) = lower(${child})`
        leaves.push({ id: leaf!.id, name: child, top: group.parent })
      }
    }

    const run = Date.now().toString(36).toUpperCase()
    const rand = random(Date.now() | 0)
    const pick = <A>(items: ReadonlyArray<A>) => items[Math.floor(rand() * items.length)]!
    const yearMs = 365 * 24 * 3600 * 1000
    progressBar(0, count)
    for (let offset = 0; offset < count; offset += BATCH) {
      const size = Math.min(BATCH, count - offset)
      const cols = {
        name: [] as Array<string>,
        description: [] as Array<string>,
        price: [] as Array<string>,
        discount: [] as Array<string>,
        category: [] as Array<number>,
        brand: [] as Array<string>,
        stock: [] as Array<number>,
        sku: [] as Array<string>,
        rating: [] as Array<string>,
        reviews: [] as Array<number>,
        created: [] as Array<string>
      }
      for (let i = 0; i < size; i++) {
        const leaf = pick(leaves)
        const brand = pick(BRANDS[leaf.top])
        const singular = leaf.name.replace(/(ss|ch|sh)es$/, "$1").replace(/s$/, "")
        cols.name.push(`${brand} ${pick(ADJECTIVES)} ${singular} ${pick(COLORS)} ${100 + Math.floor(rand() * 900)}`)
        cols.description.push(`${pick(DESCRIPTIONS)} ${leaf.name} by ${brand}.`)
        // Log-uniform from ₹99 to ~₹1,99,999, rounded to a retail-looking price.
        cols.price.push((Math.round(99 * Math.pow(2020, rand())) - 0.01).toFixed(2))
        cols.discount.push(pick(["0", "5", "10", "15", "20", "25", "30", "40", "50", "12.5"]))
        cols.category.push(leaf.id)
        cols.brand.push(brand)
        cols.stock.push(rand() < 0.1 ? 0 : Math.floor(rand() * 500))
        cols.sku.push(`SYN-${run}-${offset + i}`)
        cols.rating.push((1 + rand() * 4).toFixed(2))
        cols.reviews.push(Math.floor(rand() * 2000))
        cols.created.push(new Date(started - Math.floor(rand() * yearMs)).toISOString())
      }
      yield* sql`
        INSERT INTO products (name, description, price, discount_percentage, category_id, brand, stock_quantity,
                              sku, rating, review_count, created_at)
        SELECT * FROM unnest(${cols.name}::text[], ${cols.description}::text[], ${cols.price}::numeric[],
                             ${cols.discount}::numeric[], ${cols.category}::int[], ${cols.brand}::text[],
                             ${cols.stock}::int[], ${cols.sku}::text[], ${cols.rating}::numeric[],
                             ${cols.reviews}::int[], ${cols.created}::timestamptz[])`
      progressBar(offset + size, count)
    }
    // Fresh statistics for the planner, and a visibility map so counts can be index-only scans.
    yield* sql.unsafe("VACUUM (ANALYZE) categories")
    yield* sql.unsafe("VACUUM (ANALYZE) products")
    yield* invalidateCatalog
    yield* Effect.logInfo(`${count} synthetic products added in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
