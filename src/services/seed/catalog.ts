import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import type { Fragment } from "effect/sql/Statement"
import { SharedStore } from "../../infra/SharedStore.ts"
import { MIN_VERSION_TTL } from "../ReadCache.ts"
import { makeReadFence } from "../ReadFence.ts"
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
  const versions = [CATALOG_VERSION_KEYS.categories, CATALOG_VERSION_KEYS.listing]
  // Fenced like any catalog write: with a replica, no page is loaded from it before it has the seed.
  yield* (yield* makeReadFence).mark(versions)
  yield* Effect.all(versions.map((v) => store.bump(v, MIN_VERSION_TTL)))
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

/**
 * What synthetic products of one leaf category look like: brands with their
 * product lines, the noun a name ends in, variants, and the phrases their
 * descriptions are made of. Names come out as a shop lists them
 * ("Samsung Galaxy A55 5G Smartphone (Navy, 8GB RAM, 128GB)"), so searches,
 * typos and facets over 100,000 of them behave as over a real catalog.
 */
interface LeafSpec {
  readonly name: string
  readonly brands: Readonly<Record<string, ReadonlyArray<string>>>
  readonly noun: string
  readonly variants: ReadonlyArray<string>
  readonly features: ReadonlyArray<string>
  /** Price range in rupees. */
  readonly price: readonly [number, number]
}

const COLORS = ["Black", "White", "Blue", "Red", "Green", "Silver", "Grey", "Navy", "Beige", "Maroon", "Gold", "Pink"]

const leaf = (
  name: string,
  noun: string,
  price: readonly [number, number],
  brands: Record<string, ReadonlyArray<string>>,
  variants: ReadonlyArray<string>,
  features: ReadonlyArray<string>
): LeafSpec => ({ name, noun, price, brands, variants, features })

/** A three-level tree under the sample categories; each leaf holds the products. */
const SYNTHETIC_TREE: ReadonlyArray<{
  readonly parent: CategoryName
  readonly name: string
  readonly children: ReadonlyArray<LeafSpec>
}> = [
  {
    parent: "Electronics",
    name: "Mobiles",
    children: [
      leaf(
        "Smartphones",
        "5G Smartphone",
        [7999, 159900],
        {
          Apple: ["iPhone 15", "iPhone 15 Plus", "iPhone 14", "iPhone 13"],
          Samsung: ["Galaxy S24", "Galaxy S23 FE", "Galaxy A55", "Galaxy M34", "Galaxy Z Flip5"],
          OnePlus: ["Nord CE4", "12R", "Nord 3", "11"],
          Xiaomi: ["Redmi Note 13", "Redmi 13C", "Xiaomi 14"],
          Vivo: ["V30", "Y28", "T3"],
          Realme: ["Narzo 70", "12 Pro", "C67"]
        },
        ["4GB RAM, 64GB", "6GB RAM, 128GB", "8GB RAM, 128GB", "8GB RAM, 256GB", "12GB RAM, 512GB"],
        ["AMOLED display", "50MP triple camera", "5000mAh battery", "fast charging", "dual SIM", "Android smartphone"]
      ),
      leaf(
        "Feature Phones",
        "Keypad Phone",
        [899, 3999],
        { Nokia: ["105", "110 4G", "2660 Flip"], Lava: ["A1", "Hero 600"], Jio: ["JioPhone Prima", "Bharat V2"] },
        ["Single SIM", "Dual SIM"],
        ["long battery life", "FM radio", "torch", "big keypad", "basic mobile phone for calls"]
      ),
      leaf(
        "Mobile Accessories",
        "Accessory",
        [199, 4999],
        {
          Spigen: ["Tough Armor Case", "Liquid Air Cover", "Screen Protector"],
          Anker: ["PowerCore 10000 Power Bank", "Nano Charger 20W", "USB-C Cable"],
          Portronics: ["Car Charger", "Phone Holder", "Power Bank 20000mAh"]
        },
        ["for iPhone", "for Samsung Galaxy", "Universal"],
        ["tempered glass", "fast charging", "shockproof case", "braided cable", "mobile accessory"]
      )
    ]
  },
  {
    parent: "Electronics",
    name: "Computers",
    children: [
      leaf(
        "Laptops",
        "Laptop",
        [24990, 249900],
        {
          Apple: ["MacBook Air M2", "MacBook Air M3", "MacBook Pro 14"],
          Lenovo: ["IdeaPad Slim 3", "ThinkPad E14", "Legion 5", "Yoga Slim 7"],
          HP: ["Pavilion 15", "Victus 15", "EliteBook 840", "15s"],
          Dell: ["Inspiron 3520", "Vostro 3420", "XPS 13", "G15"],
          ASUS: ["VivoBook 15", "TUF Gaming F15", "ROG Strix G16", "Zenbook 14"],
          Acer: ["Aspire 7", "Nitro V", "Swift Go 14"]
        },
        [
          "Intel Core i5, 16GB, 512GB SSD",
          "Intel Core i7, 16GB, 1TB SSD",
          "AMD Ryzen 5, 8GB, 512GB SSD",
          "Ryzen 7, 16GB, 1TB SSD"
        ],
        ["full HD display", "backlit keyboard", "Windows 11", "thin and light", "gaming laptop", "notebook computer"]
      ),
      leaf(
        "Monitors",
        "Monitor",
        [6999, 89999],
        {
          Samsung: ["Odyssey G5", "Essential S3"],
          LG: ["UltraGear 27GN", "UltraWide 29WP"],
          Dell: ["S2421H", "P2723QE"],
          BenQ: ["GW2480", "EW3270U"]
        },
        ["24 inch, Full HD", "27 inch, QHD", "32 inch, 4K UHD"],
        ["IPS panel", "144Hz refresh rate", "eye care", "HDMI and DisplayPort", "computer display screen"]
      ),
      leaf(
        "Keyboards & Mice",
        "Keyboard",
        [299, 14999],
        {
          Logitech: ["MX Keys", "K380", "MX Master 3S Mouse", "G502 Mouse"],
          Zebronics: ["Transformer Combo", "Zeb-K35"],
          HP: ["K500F", "Wireless Mouse 200"]
        },
        ["Wireless", "Wired USB", "Bluetooth"],
        ["mechanical keys", "ergonomic design", "silent clicks", "rechargeable", "mouse and keyboard combo"]
      )
    ]
  },
  {
    parent: "Electronics",
    name: "Audio",
    children: [
      leaf(
        "Headphones",
        "Headphones",
        [799, 34990],
        {
          Sony: ["WH-1000XM5", "WH-1000XM4", "WH-CH720N", "WH-CH520"],
          JBL: ["Tune 760NC", "Tune 510BT", "Live 660NC"],
          boAt: ["Rockerz 450", "Rockerz 550", "Nirvana 751ANC"],
          Bose: ["QuietComfort 45", "QuietComfort Ultra"],
          Sennheiser: ["Momentum 4", "HD 450BT"]
        },
        ["Wireless Over-Ear", "Bluetooth On-Ear", "Wired Over-Ear"],
        ["active noise cancelling", "30 hours battery", "deep bass", "built-in mic", "foldable headset"]
      ),
      leaf(
        "Speakers",
        "Bluetooth Speaker",
        [999, 39999],
        {
          JBL: ["Flip 6", "Charge 5", "Go 3", "PartyBox 110"],
          boAt: ["Stone 350", "Stone 1200"],
          Sony: ["SRS-XB13", "ULT Field 1"],
          Marshall: ["Emberton II", "Stanmore III"]
        },
        ["Portable", "Waterproof", "Party"],
        ["IP67 waterproof", "powerful sound", "12 hours playtime", "stereo pairing", "wireless speaker"]
      ),
      leaf(
        "Earbuds",
        "True Wireless Earbuds",
        [899, 24900],
        {
          Apple: ["AirPods Pro (2nd Gen)", "AirPods (3rd Gen)"],
          Samsung: ["Galaxy Buds2 Pro", "Galaxy Buds FE"],
          boAt: ["Airdopes 141", "Airdopes 311 Pro"],
          OnePlus: ["Buds 3", "Nord Buds 2r"],
          Noise: ["Buds VS104", "Air Buds Pro 3"]
        },
        ["In-Ear", "Bluetooth 5.3"],
        ["ENC mics", "low latency gaming mode", "40 hours playback", "touch controls", "TWS earphones"]
      )
    ]
  },
  {
    parent: "Electronics",
    name: "Cameras",
    children: [
      leaf(
        "DSLR Cameras",
        "DSLR Camera",
        [34990, 249990],
        {
          Canon: ["EOS 1500D", "EOS 200D II", "EOS R50", "EOS R10"],
          Nikon: ["D7500", "Z50", "Z30"],
          Sony: ["Alpha ZV-E10", "Alpha 7 IV"],
          Fujifilm: ["X-T30 II", "X-S20"]
        },
        ["with 18-55mm Lens", "Body Only", "with Twin Lens Kit"],
        ["24.1MP sensor", "4K video", "Wi-Fi and Bluetooth", "mirrorless", "interchangeable lens camera"]
      ),
      leaf(
        "Action Cameras",
        "Action Camera",
        [4999, 54990],
        {
          GoPro: ["HERO12 Black", "HERO11 Black Mini"],
          DJI: ["Osmo Action 4", "Osmo Pocket 3"],
          Insta360: ["X3", "Ace Pro"]
        },
        ["Standard Kit", "Adventure Bundle"],
        ["waterproof to 10m", "5.3K video", "image stabilisation", "helmet mount", "vlogging camera"]
      )
    ]
  },
  {
    parent: "Fashion",
    name: "Men's Clothing",
    children: [
      leaf(
        "Men's Shirts",
        "Men's Shirt",
        [499, 3999],
        {
          "Allen Solly": ["Slim Fit Formal", "Regular Fit Casual"],
          "Van Heusen": ["Formal Cotton", "Linen Blend"],
          "Peter England": ["Checked Casual", "Solid Formal"],
          "U.S. Polo Assn.": ["Oxford", "Printed Casual"]
        },
        ["Size S", "Size M", "Size L", "Size XL", "Size XXL"],
        ["100% cotton", "full sleeves", "button-down collar", "wrinkle free", "office wear shirt"]
      ),
      leaf(
        "Men's Jeans",
        "Men's Jeans",
        [799, 4999],
        {
          "Levi's": ["511 Slim", "501 Original", "512 Slim Taper"],
          "Pepe Jeans": ["Vapour Slim", "Track Regular"],
          Wrangler: ["Texas Straight", "Rodeo Skinny"],
          Spykar: ["Super Slim", "Mid Rise"]
        },
        ["Waist 30", "Waist 32", "Waist 34", "Waist 36"],
        ["stretchable denim", "mid rise", "five pockets", "dark wash", "denim jeans for men"]
      ),
      leaf(
        "Men's T-Shirts",
        "Men's T-Shirt",
        [299, 2499],
        {
          Nike: ["Dri-FIT Training", "Sportswear Club"],
          Puma: ["Essentials Logo", "Graphic Crew"],
          Adidas: ["Essentials 3-Stripes", "Own the Run"],
          "H&M": ["Regular Fit Crew", "Oversized"]
        },
        ["Size S", "Size M", "Size L", "Size XL"],
        ["round neck", "half sleeves", "breathable cotton", "printed tee", "polo tshirt"]
      )
    ]
  },
  {
    parent: "Fashion",
    name: "Women's Clothing",
    children: [
      leaf(
        "Dresses",
        "Dress",
        [599, 5999],
        {
          Biba: ["Anarkali Maxi", "A-Line Midi"],
          Zara: ["Floral Wrap", "Satin Slip"],
          "H&M": ["Shirt Dress", "Bodycon Mini"],
          W: ["Flared Kurta Dress", "Printed Maxi"]
        },
        ["Size XS", "Size S", "Size M", "Size L"],
        ["floral print", "rayon fabric", "party wear", "sleeveless", "women's dress"]
      ),
      leaf(
        "Women's Tops",
        "Women's Top",
        [299, 2999],
        {
          "Vero Moda": ["Ribbed Crop", "Peplum"],
          Only: ["Puff Sleeve", "Tie-Up"],
          "H&M": ["Basic Tank", "Blouse"],
          Biba: ["Kurti Top", "Tunic"]
        },
        ["Size XS", "Size S", "Size M", "Size L"],
        ["casual wear", "soft fabric", "regular fit", "square neck", "ladies top"]
      ),
      leaf(
        "Sarees",
        "Saree",
        [499, 14999],
        {
          Biba: ["Silk Blend", "Printed Georgette"],
          "Kanjivaram Silks": ["Pure Kanjivaram", "Zari Border"],
          Satrani: ["Chiffon", "Banarasi"]
        },
        ["with Blouse Piece", "without Blouse"],
        ["traditional ethnic wear", "woven zari border", "festive saree", "lightweight drape", "silk sari"]
      )
    ]
  },
  {
    parent: "Fashion",
    name: "Footwear",
    children: [
      leaf(
        "Running Shoes",
        "Running Shoes",
        [999, 14999],
        {
          Nike: ["Air Zoom Pegasus 40", "Revolution 7", "Air Max SC"],
          Adidas: ["Ultraboost Light", "Duramo SL", "Galaxy 6"],
          Puma: ["Velocity Nitro 3", "Softride Pro"],
          ASICS: ["Gel-Kayano 30", "Novablast 4"],
          Skechers: ["GOrun Consistent", "Max Cushioning"]
        },
        ["UK 6", "UK 7", "UK 8", "UK 9", "UK 10"],
        ["cushioned midsole", "breathable mesh upper", "lightweight", "sports shoes for jogging", "rubber outsole"]
      ),
      leaf(
        "Sneakers",
        "Sneakers",
        [999, 12999],
        {
          Nike: ["Air Force 1", "Court Vision Low", "Dunk Low"],
          Adidas: ["Superstar", "Stan Smith", "Grand Court"],
          Puma: ["Smash v2", "Carina"],
          "Red Tape": ["Casual Sneaker", "Chunky Sneaker"]
        },
        ["UK 6", "UK 7", "UK 8", "UK 9", "UK 10"],
        ["leather upper", "casual shoes", "lace-up", "cushioned insole", "white sneakers"]
      ),
      leaf(
        "Sandals",
        "Sandals",
        [299, 3999],
        {
          Bata: ["Comfit", "Floatz"],
          Crocs: ["Classic Clog", "LiteRide"],
          Woodland: ["Leather Sandal", "Floaters"],
          Sparx: ["SS-453", "Flip Flops"]
        },
        ["UK 6", "UK 7", "UK 8", "UK 9"],
        ["slip-on", "waterproof", "cushioned footbed", "slippers and floaters", "open toe"]
      )
    ]
  },
  {
    parent: "Fashion",
    name: "Watches",
    children: [
      leaf(
        "Watches",
        "Watch",
        [999, 49999],
        {
          Titan: ["Neo Analog", "Raga", "Edge"],
          Fastrack: ["Reflex Smartwatch", "Vyb Analog"],
          Casio: ["G-Shock GA-2100", "Vintage A168", "Edifice"],
          Fossil: ["Gen 6 Smartwatch", "Grant Chronograph"],
          Noise: ["ColorFit Pro 5", "Twist Go"]
        },
        ["for Men", "for Women", "Unisex"],
        ["analog dial", "stainless steel strap", "water resistant", "smartwatch with heart rate", "wrist watch"]
      )
    ]
  },
  {
    parent: "Home & Kitchen",
    name: "Kitchen Appliances",
    children: [
      leaf(
        "Mixer Grinders",
        "Mixer Grinder",
        [1999, 12999],
        {
          Prestige: ["Iris 750W", "Orion 500W"],
          Bajaj: ["Rex 500W", "GX-1 500W"],
          Philips: ["HL7756 750W", "HL7707 1000W"],
          Preethi: ["Zodiac 750W", "Blue Leaf Diamond"]
        },
        ["3 Jars", "4 Jars", "2 Jars"],
        ["stainless steel jars", "powerful motor", "juicer attachment", "overload protection", "kitchen mixie"]
      ),
      leaf(
        "Air Fryers",
        "Air Fryer",
        [2999, 19999],
        {
          Philips: ["HD9252 Essential", "HD9270 XL"],
          "Instant Pot": ["Vortex Plus", "Vortex Slim"],
          Havells: ["Prolife Digi", "Air Oven"],
          Inalsa: ["Nutri Fry", "Tasty Fry"]
        },
        ["4.1 Litre", "6.2 Litre", "2.5 Litre"],
        ["Rapid Air technology", "uses little oil", "digital touch panel", "8 presets", "healthy frying"]
      ),
      leaf(
        "Cookers",
        "Pressure Cooker",
        [799, 9999],
        {
          Prestige: ["Popular Plus", "Svachh"],
          Hawkins: ["Classic", "Contura"],
          Pigeon: ["Favourite", "Special"],
          "Instant Pot": ["Duo 7-in-1", "Duo Nova"]
        },
        ["3 Litre", "5 Litre", "6 Litre"],
        ["aluminium body", "induction base", "inner lid", "electric pressure cooker and rice cooker", "safety valve"]
      )
    ]
  },
  {
    parent: "Home & Kitchen",
    name: "Furniture",
    children: [
      leaf(
        "Sofas",
        "Sofa",
        [9999, 89999],
        {
          Wakefit: ["Aspen", "Snooze"],
          IKEA: ["KLIPPAN", "EKTORP", "FRIHETEN"],
          "Urban Ladder": ["Camden", "Lyon"],
          Godrej: ["Interio Orca"]
        },
        ["3 Seater", "2 Seater", "L-Shaped", "Sofa Cum Bed"],
        ["fabric upholstery", "solid wood frame", "high density foam", "living room couch", "easy assembly"]
      ),
      leaf(
        "Beds",
        "Bed",
        [7999, 69999],
        {
          Wakefit: ["Taurus", "Orion"],
          IKEA: ["MALM", "HEMNES"],
          "Urban Ladder": ["Boston", "Arthur"],
          Godrej: ["Interio Slumber"]
        },
        ["Queen Size", "King Size", "Single"],
        ["engineered wood", "hydraulic storage", "sheesham wood", "headboard", "bedroom furniture"]
      ),
      leaf(
        "Office Chairs",
        "Office Chair",
        [2999, 39999],
        {
          "Green Soul": ["Vision", "Jupiter"],
          Featherlite: ["Optima", "Astute"],
          Wakefit: ["Ergo", "Apex"],
          IKEA: ["MARKUS", "FLINTAN"]
        },
        ["High Back", "Mid Back"],
        ["ergonomic mesh back", "adjustable armrests", "lumbar support", "study and computer chair", "360 swivel"]
      )
    ]
  },
  {
    parent: "Home & Kitchen",
    name: "Home Decor",
    children: [
      leaf(
        "Lamps",
        "Lamp",
        [399, 7999],
        {
          Philips: ["Hue Go", "Smart Wi-Fi"],
          Wipro: ["Garnet Table", "Smart LED"],
          IKEA: ["TERTIAL", "HEKTAR"],
          Syska: ["Desk LED", "Floor"]
        },
        ["Table Lamp", "Floor Lamp", "Study Lamp"],
        ["warm white LED", "dimmable", "bedside light", "adjustable arm", "home lighting"]
      ),
      leaf(
        "Wall Art",
        "Wall Painting",
        [299, 9999],
        {
          "Art Street": ["Abstract Framed", "Botanical Set"],
          Eurasia: ["Buddha Canvas", "Modern Art"],
          IKEA: ["BJÖRKSTA", "PJÄTTERYD"]
        },
        ["Set of 3", "Single Frame", "Large Canvas"],
        ["ready to hang", "wooden frame", "living room wall decor", "canvas print", "poster"]
      )
    ]
  },
  {
    parent: "Books",
    name: "Fiction",
    children: [
      leaf(
        "Thrillers",
        "Thriller Novel",
        [199, 999],
        {
          Penguin: ["The Silent Patient", "Gone Girl", "The Girl on the Train"],
          HarperCollins: ["And Then There Were None", "The Da Vinci Code"],
          Hachette: ["The Reversal", "Killing Floor"]
        },
        ["Paperback", "Hardcover", "Kindle Edition"],
        ["gripping mystery", "crime fiction", "bestselling suspense", "page-turner", "detective story"]
      ),
      leaf(
        "Romance",
        "Romance Novel",
        [149, 799],
        {
          Penguin: ["It Ends with Us", "Pride and Prejudice"],
          HarperCollins: ["The Notebook", "Me Before You"],
          Rupa: ["2 States", "Half Girlfriend"]
        },
        ["Paperback", "Hardcover"],
        ["love story", "heartwarming", "romantic fiction", "bestseller", "novel"]
      ),
      leaf(
        "Science Fiction",
        "Sci-Fi Novel",
        [199, 1299],
        {
          Penguin: ["Dune", "Foundation", "Neuromancer"],
          Hachette: ["The Three-Body Problem", "Project Hail Mary"],
          Bloomsbury: ["The Martian", "Ender's Game"]
        },
        ["Paperback", "Hardcover"],
        ["space opera", "science fiction classic", "futuristic", "award winning", "novel"]
      )
    ]
  },
  {
    parent: "Books",
    name: "Non-Fiction",
    children: [
      leaf(
        "Self-Help",
        "Self-Help Book",
        [199, 799],
        {
          Penguin: ["Atomic Habits", "The Power of Now"],
          Jaico: ["The Psychology of Money", "Ikigai"],
          HarperCollins: ["The Alchemist", "Think Like a Monk"]
        },
        ["Paperback", "Hardcover"],
        ["habits and productivity", "personal growth", "mindset", "motivational", "bestseller"]
      ),
      leaf(
        "Biographies",
        "Biography",
        [249, 1499],
        {
          Penguin: ["Steve Jobs", "Wings of Fire"],
          "Simon & Schuster": ["Elon Musk", "Becoming"],
          Rupa: ["Playing It My Way", "The Test of My Life"]
        },
        ["Paperback", "Hardcover"],
        ["life story", "memoir", "autobiography", "inspiring", "true story"]
      ),
      leaf(
        "Business",
        "Business Book",
        [249, 1299],
        {
          Penguin: ["Zero to One", "The Lean Startup"],
          HarperCollins: ["Good to Great", "Rich Dad Poor Dad"],
          Hachette: ["Shoe Dog", "The Intelligent Investor"]
        },
        ["Paperback", "Hardcover"],
        ["entrepreneurship", "investing", "management", "startup lessons", "finance"]
      )
    ]
  },
  {
    parent: "Books",
    name: "Children's Books",
    children: [
      leaf(
        "Children's Books",
        "Children's Book",
        [99, 699],
        {
          Scholastic: ["Harry Potter", "Diary of a Wimpy Kid", "Geronimo Stilton"],
          Penguin: ["Matilda", "The Gruffalo"],
          "Amar Chitra Katha": ["Panchatantra", "Tenali Raman"]
        },
        ["Paperback", "Board Book", "Hardcover"],
        ["illustrated stories", "for ages 6-12", "picture book", "bedtime stories", "kids reading"]
      )
    ]
  },
  {
    parent: "Sports",
    name: "Fitness",
    children: [
      leaf(
        "Dumbbells",
        "Dumbbell Set",
        [499, 9999],
        {
          Kore: ["PVC Adjustable", "Chrome Hex"],
          Boldfit: ["Neoprene", "Rubber Coated"],
          Decathlon: ["Domyos Hex", "Domyos Kit"],
          Cockatoo: ["Vinyl", "Home Gym"]
        },
        ["2kg Pair", "5kg Pair", "10kg", "20kg"],
        ["home gym", "weight training", "anti-slip grip", "strength workout", "dumbbells with rod"]
      ),
      leaf(
        "Yoga",
        "Yoga Mat",
        [299, 2999],
        {
          Boldfit: ["Premium 6mm", "TPE"],
          Decathlon: ["Kimjaly Comfort", "Kimjaly Grip"],
          Lifelong: ["EVA", "Anti-Skid"],
          Strauss: ["Yoga Block", "Yoga Strap"]
        },
        ["4mm", "6mm", "8mm"],
        ["non-slip", "carrying strap", "exercise mat", "extra thick", "pilates and meditation"]
      ),
      leaf(
        "Treadmills",
        "Treadmill",
        [14999, 149999],
        {
          PowerMax: ["TDM-98", "TD-M1"],
          Fitkit: ["FT200", "FT098"],
          Cockatoo: ["CTM-05", "CTM-103"],
          Decathlon: ["Domyos Run 500"]
        },
        ["2 HP", "3 HP", "4 HP"],
        ["motorised treadmill", "auto incline", "foldable", "heart rate sensor", "running machine for home"]
      )
    ]
  },
  {
    parent: "Sports",
    name: "Outdoor Sports",
    children: [
      leaf(
        "Cricket",
        "Cricket Bat",
        [499, 24999],
        {
          SG: ["Sierra 150", "KLR Ultimate", "Test Ball"],
          SS: ["Ton Reserve", "Master 5000"],
          MRF: ["Genius Grand", "Chase Master"],
          Kookaburra: ["Kahuna", "Ghost"]
        },
        ["English Willow", "Kashmir Willow", "Size 6", "Full Size"],
        ["cricket kit", "hard tennis ball", "lightweight bat", "batting gloves", "match grade"]
      ),
      leaf(
        "Football",
        "Football",
        [399, 4999],
        {
          Nivia: ["Storm", "Simbolo", "Carbonite"],
          Adidas: ["Al Rihla", "Tiro League"],
          Nike: ["Strike", "Premier League Pitch"],
          Cosco: ["Dribble", "Tiger"]
        },
        ["Size 5", "Size 4", "Size 3"],
        ["FIFA quality", "machine stitched", "durable PU", "training ball", "soccer"]
      ),
      leaf(
        "Cycling",
        "Bicycle",
        [4999, 49999],
        {
          Hero: ["Sprint Next", "Octane", "Lectro e-Cycle"],
          Btwin: ["Rockrider ST100", "Riverside 120"],
          Firefox: ["Bad Attitude", "Roadrunner"],
          Hercules: ["Roadeo A50", "Top Gear"]
        },
        ["26 inch", "27.5 inch", "29 inch", "Kids 20 inch"],
        ["21 gears", "disc brakes", "mountain bike", "front suspension", "cycle for adults"]
      )
    ]
  }
]

/** Deterministic pseudo-random numbers (mulberry32), so two runs with one seed build the same data. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const DESCRIPTIONS = [
  "Built to last with a one-year warranty and free delivery.",
  "Top rated by customers for quality and value for money.",
  "Lightweight, durable and designed for everyday use.",
  "A bestseller this season, now with an improved design.",
  "Crafted from premium materials with attention to detail."
]

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
 * batches of 5,000 rows through unnest() arrays. One `seed` gives the same
 * products every time (the search-quality tests rely on it); each run adds new
 * rows (SKUs carry the run's id).
 */
export const seedSyntheticProducts = (count: number, seed = 42) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const started = Date.now()
    const leaves: Array<{ id: number; spec: LeafSpec; colored: boolean }> = []
    const upsertCategory = (name: string, description: string, parent: Fragment) =>
      Effect.map(
        sql<{ id: number }>`
          WITH inserted AS (
            INSERT INTO categories (name, description, parent_id)
            SELECT ${name}, ${description}, (${parent})
            ON CONFLICT ((lower(name))) DO NOTHING RETURNING id
          )
          SELECT id FROM inserted UNION ALL SELECT id FROM categories WHERE lower(name) = lower(${name})`,
        (rows) => rows[0]!.id
      )
    for (const group of SYNTHETIC_TREE) {
      const mid = yield* upsertCategory(
        group.name,
        `${group.name} in ${group.parent}`,
        sql`SELECT id FROM categories WHERE lower(name) = lower(${group.parent})`
      )
      for (const spec of group.children) {
        // A group with one leaf of its own name ("Watches") keeps its products in the group itself.
        const id =
          spec.name === group.name
            ? mid
            : yield* upsertCategory(spec.name, `${spec.name} in ${group.name}`, sql`${mid}`)
        leaves.push({ id, spec, colored: group.parent !== "Books" })
      }
    }

    const run = Date.now().toString(36).toUpperCase()
    const rand = random(seed)
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
        const { id, spec, colored } = pick(leaves)
        const brand = pick(Object.keys(spec.brands))
        const line = pick(spec.brands[brand]!)
        const color = pick(COLORS)
        const variant = pick(spec.variants)
        cols.name.push(`${brand} ${line} ${spec.noun} (${colored ? `${color}, ` : ""}${variant})`)
        // Three different features, in a random order.
        const features = [...spec.features].sort(() => rand() - 0.5).slice(0, 3)
        cols.description.push(
          `${brand} ${line} ${spec.noun.toLowerCase()}${colored ? ` in ${color.toLowerCase()}` : ""} with ${features[0]}, ${features[1]} and ${features[2]}. ${pick(DESCRIPTIONS)}`
        )
        // Log-uniform within the leaf's range, rounded to a retail-looking price.
        const [low, high] = spec.price
        cols.price.push((Math.round((low * Math.pow(high / low, rand())) / 10) * 10 - 1).toFixed(2))
        cols.discount.push(pick(["0", "5", "10", "15", "20", "25", "30", "40", "50", "12.5"]))
        cols.category.push(id)
        cols.brand.push(brand)
        cols.stock.push(rand() < 0.1 ? 0 : Math.floor(rand() * 500))
        cols.sku.push(`SYN-${run}-${offset + i}`)
        // Most products are rated 3.5-4.6, a few poorly; popular ones have many reviews.
        cols.rating.push(Math.min(5, Math.max(1, 4.1 + (rand() + rand() + rand() - 1.5) * 1.2)).toFixed(2))
        cols.reviews.push(Math.floor(Math.pow(rand(), 3) * 5000))
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
    yield* sql.unsafe("VACUUM (ANALYZE) search_words")
    yield* invalidateCatalog
    yield* Effect.logInfo(`${count} synthetic products added in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
