import { Effect, Schema } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import {
  Category,
  CategoryDetail,
  type CategoryNode,
  CategoryNode as CategoryNodeSchema,
  type CreateCategory,
  type UpdateCategory
} from "../../domain/catalog.ts"
import { Conflict, NotFound, ValidationError } from "../../domain/errors.ts"
import { ReadSql } from "../../infra/ReadReplica.ts"
import type { ReadCache } from "../ReadCache.ts"
import { CATALOG_VERSION_KEYS, catalogInvalidation, catalogKeys } from "./CatalogCache.ts"
import { sentFields, updateSet } from "../sqlFragments.ts"
import { dieOnSqlError, refuseUniqueViolation } from "../sqlErrors.ts"

const CATEGORY_COLUMNS = "id, name, description, parent_id, is_active"

const buildTree = (all: ReadonlyArray<Category>): Array<CategoryNode> => {
  const nodes = new Map(all.map((c) => [c.id, { ...c, children: [] as Array<CategoryNode> }]))
  const roots: Array<CategoryNode> = []
  for (const node of nodes.values()) {
    const parent = node.parent_id === null ? undefined : nodes.get(node.parent_id)
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}

/** The category tree: cached reads, and writes that keep it a tree. */
export const makeCategories = (cache: ReadCache) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Reads outside the writes' transactions: the replica's client when there is one.
    const read = yield* ReadSql
    const { categoriesChanged } = catalogInvalidation(cache)
    const decodeCategories = Schema.decodeUnknownEffect(Schema.Array(Category))
    // SqlError stays in the error channel: writes turn a unique violation into a 409, reads die on it.
    const categoryRows = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError>) =>
      Effect.flatMap(statement, (rows) => Effect.orDie(decodeCategories(rows)))
    const categoryColumns = sql.literal(CATEGORY_COLUMNS)

    const activeCategories = dieOnSqlError(
      categoryRows(read`SELECT ${categoryColumns} FROM categories WHERE is_active ORDER BY id`)
    )

    const listCategories = Effect.fn("Catalog.listCategories")(function* (tree: boolean) {
      return yield* tree
        ? cache.get({
            cache: "categories",
            key: catalogKeys.categoryTree,
            versions: [CATALOG_VERSION_KEYS.categories],
            schema: Schema.Array(CategoryNodeSchema),
            load: Effect.map(activeCategories, buildTree)
          })
        : cache.get({
            cache: "categories",
            key: catalogKeys.categoryList,
            versions: [CATALOG_VERSION_KEYS.categories],
            schema: Schema.Array(Category),
            load: activeCategories
          })
    })

    const loadCategoryDetail = (id: number) =>
      Effect.gen(function* () {
        const [category] = yield* categoryRows(
          read`SELECT ${categoryColumns} FROM categories WHERE id = ${id} AND is_active`
        )
        if (category === undefined) return yield* new NotFound({ error: "Category not found" })
        const children = yield* categoryRows(
          read`SELECT ${categoryColumns} FROM categories WHERE parent_id = ${id} AND is_active ORDER BY id`
        )
        // UNION (not UNION ALL) stops on a cycle, should one ever exist.
        const path = yield* dieOnSqlError(read<{ id: number; name: string }>`
          WITH RECURSIVE up(id, name, parent_id, depth) AS (
            SELECT id, name, parent_id, 0 FROM categories WHERE id = ${category.parent_id}
            UNION
            SELECT c.id, c.name, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
            WHERE up.depth < 100
          )
          SELECT id, name FROM up ORDER BY depth DESC`)
        return { ...category, children, path: path.map(({ id, name }) => ({ id, name })) } satisfies CategoryDetail
      }).pipe(dieOnSqlError)

    const getCategory = Effect.fn("Catalog.getCategory")(function* (id: number) {
      return yield* cache.get({
        cache: "categories",
        key: catalogKeys.category(id),
        versions: [CATALOG_VERSION_KEYS.categories],
        schema: CategoryDetail,
        load: loadCategoryDetail(id)
      })
    })

    /** The category and all its descendants; empty when it does not exist or is inactive. */
    const withDescendants = (id: number) =>
      dieOnSqlError(read<{ id: number }>`
        WITH RECURSIVE tree(id) AS (
          SELECT id FROM categories WHERE id = ${id} AND is_active
          UNION
          SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id
        )
        SELECT id FROM tree`).pipe(Effect.map((rows) => rows.map((r) => r.id)))

    const nameTaken = () => new Conflict({ error: "A category with this name already exists" })
    const unknownParent = () => ValidationError.field("parent_id", "Parent category not found")

    /** The parent must exist and be active; FOR SHARE holds off its deactivation until we commit. */
    const lockParent = (parentId: number) =>
      Effect.gen(function* () {
        const rows = yield* sql`SELECT id FROM categories WHERE id = ${parentId} AND is_active FOR SHARE`
        if (rows.length === 0) return yield* unknownParent()
      })

    /** 409 while the category still has active children or active products. */
    const ensureEmpty = (id: number) =>
      Effect.gen(function* () {
        const [row] = yield* sql<{ children: boolean; products: boolean }>`
          SELECT EXISTS (SELECT 1 FROM categories WHERE parent_id = ${id} AND is_active) AS children,
                 EXISTS (SELECT 1 FROM products WHERE category_id = ${id} AND is_active) AS products`
        if (row?.children)
          return yield* new Conflict({
            error: "Category still has active subcategories; move or deactivate them first"
          })
        if (row?.products)
          return yield* new Conflict({ error: "Category still has active products; move or delete them first" })
      })

    const createCategory = Effect.fn("Catalog.createCategory")(function* (input: CreateCategory) {
      const created = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            if (input.parent_id != null) yield* lockParent(input.parent_id)
            const [row] = yield* categoryRows(sql`
            INSERT INTO categories (name, description, parent_id)
            VALUES (${input.name}, ${input.description ?? null}, ${input.parent_id ?? null})
            RETURNING ${categoryColumns}`)
            return row!
          })
        )
        .pipe(refuseUniqueViolation(nameTaken))
      yield* categoriesChanged
      return created
    })

    const updateCategory = Effect.fn("Catalog.updateCategory")(function* (id: number, input: UpdateCategory) {
      const updated = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            // Two concurrent re-parentings could each pass the cycle check and close a loop together;
            // a rename or (de)activation cannot, and row locks order it against everything else.
            if (input.parent_id != null) yield* sql`LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE`
            const [current] = yield* categoryRows(
              sql`SELECT ${categoryColumns} FROM categories WHERE id = ${id} FOR UPDATE`
            )
            if (current === undefined) return yield* new NotFound({ error: "Category not found" })
            if (input.parent_id != null) {
              if (input.parent_id === id)
                return yield* ValidationError.field("parent_id", "A category cannot be its own parent")
              yield* lockParent(input.parent_id)
              const cycle = yield* sql`
              WITH RECURSIVE up(id, parent_id) AS (
                SELECT id, parent_id FROM categories WHERE id = ${input.parent_id}
                UNION
                SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id
              )
              SELECT 1 FROM up WHERE id = ${id}`
              if (cycle.length > 0)
                return yield* ValidationError.field("parent_id", "This parent would make the category its own ancestor")
            }
            if (input.is_active === false && current.is_active) yield* ensureEmpty(id)
            const changes = sentFields(input, ["name", "description", "parent_id", "is_active"])
            const [row] = yield* categoryRows(
              sql`UPDATE categories SET ${updateSet(sql, changes)} WHERE id = ${id} RETURNING ${categoryColumns}`
            )
            return row!
          })
        )
        .pipe(refuseUniqueViolation(nameTaken))
      yield* categoriesChanged
      return updated
    })

    const deactivateCategory = Effect.fn("Catalog.deactivateCategory")(function* (id: number) {
      yield* sql
        .withTransaction(
          Effect.gen(function* () {
            const rows = yield* sql`SELECT id FROM categories WHERE id = ${id} AND is_active FOR UPDATE`
            if (rows.length === 0) return yield* new NotFound({ error: "Category not found" })
            yield* ensureEmpty(id)
            yield* sql`UPDATE categories SET is_active = false, updated_at = now() WHERE id = ${id}`
          })
        )
        .pipe(dieOnSqlError)
      yield* categoriesChanged
    })

    return { listCategories, getCategory, createCategory, updateCategory, deactivateCategory, withDescendants }
  })
