-- Search: every word of a product's name, brand, category path and description
-- as one weighted tsvector (A name, B brand, C categories, D description),
-- and the catalog's vocabulary with a trigram index, from which the service
-- expands a shopper's words into the lexemes they match inside longer words
-- ("phone" -> smartphone, headphones) or with a small typo ("dumbell").
-- pg_trgm and unaccent are trusted extensions: the database owner may create them.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The words of a text as search sees them: unaccented, lower case, apostrophes
-- dropped (Levi's -> levis), split on everything else that is not a letter or
-- a digit. Queries go through the same function, so both sides agree.
CREATE FUNCTION catalog_search_tokens(value text) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$
    SELECT coalesce(array_agg(t ORDER BY n), '{}')
    FROM regexp_split_to_table(
      lower(regexp_replace(catalog_unaccent(value), '[''`\u2018\u2019]', '', 'g')),
      '([^a-z0-9\u0080-\uffff]|[\u00a0\u00ab\u00b7\u00bb\u2013\u2014\u201c\u201d\u2022\u2026])+'
    ) WITH ORDINALITY AS s(t, n)
    WHERE t <> '' AND length(t) <= 60
  $$;

-- One field's tokens as tsvector lexemes with positions and a weight; with
-- `pairs`, also each two adjacent tokens joined, so codes typed without their
-- spaces or hyphens match (iphone15, wh1000xm5, airfryer). Built from a
-- tsvector literal, not the text parser, so lexemes are exactly the tokens.
CREATE FUNCTION catalog_search_field(tokens text[], weight text, pairs boolean) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$
    SELECT coalesce(string_agg('''' || t || ''':' || n || weight, ' '), '')::tsvector
    FROM (
      SELECT t, n FROM unnest(tokens[1:400]) WITH ORDINALITY AS u(t, n)
      UNION ALL
      SELECT tokens[i] || tokens[i + 1], i
      FROM generate_series(1, least(coalesce(array_length(tokens, 1), 0), 400) - 1) AS i
      WHERE pairs
    ) AS x
  $$;

CREATE FUNCTION catalog_search_terms(name text, brand text, categories text, description text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT catalog_search_field(catalog_search_tokens(coalesce(name, '')), 'A', true)
        || catalog_search_field(catalog_search_tokens(coalesce(brand, '')), 'B', true)
        || catalog_search_field(catalog_search_tokens(coalesce(categories, '')), 'C', true)
        || catalog_search_field(catalog_search_tokens(coalesce(description, '')), 'D', false)
  $$;

-- The names of a category and its ancestors ("Headphones Audio Electronics"),
-- so a search for a parent category's name finds its products too.
CREATE FUNCTION catalog_category_path(category integer) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    WITH RECURSIVE up(id, name, parent_id, depth) AS (
      SELECT id, name, parent_id, 0 FROM categories WHERE id = category
      UNION
      SELECT c.id, c.name, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
      WHERE up.depth < 20
    )
    SELECT string_agg(name, ' ' ORDER BY depth) FROM up
  $$;

-- The 0002 search column did not know categories, prefixes inside words or
-- codes; search_terms replaces it.
DROP INDEX products_search_idx;
ALTER TABLE products DROP COLUMN search_vector;
ALTER TABLE products ADD COLUMN search_terms tsvector NOT NULL DEFAULT ''::tsvector;
UPDATE products SET search_terms = catalog_search_terms(name, brand, catalog_category_path(category_id), description);
CREATE INDEX products_search_terms_idx ON products USING gin (search_terms) WHERE is_active;

-- Every lexeme that ever appeared in a product (words of deleted products may
-- stay: they only widen a lookup that then matches no product).
CREATE TABLE search_words (word text PRIMARY KEY);
INSERT INTO search_words (word) SELECT DISTINCT lexeme FROM products, unnest(search_terms) ORDER BY 1;
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);

CREATE FUNCTION products_search_terms() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
    BEGIN
      NEW.search_terms := catalog_search_terms(NEW.name, NEW.brand, catalog_category_path(NEW.category_id), NEW.description);
      IF TG_OP = 'UPDATE' AND NEW.search_terms IS DISTINCT FROM OLD.search_terms THEN
        INSERT INTO search_words (word) SELECT lexeme FROM unnest(NEW.search_terms) ORDER BY 1 ON CONFLICT DO NOTHING;
      END IF;
      RETURN NEW;
    END
  $$;

CREATE TRIGGER products_search_terms BEFORE INSERT OR UPDATE OF name, brand, description, category_id ON products
  FOR EACH ROW EXECUTE FUNCTION products_search_terms();

-- Inserts (a bulk seed is one statement per batch) add their words once per statement.
CREATE FUNCTION products_search_words() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
    BEGIN
      INSERT INTO search_words (word)
      SELECT DISTINCT lexeme FROM new_products, unnest(new_products.search_terms) ORDER BY 1
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END
  $$;

CREATE TRIGGER products_search_words AFTER INSERT ON products
  REFERENCING NEW TABLE AS new_products FOR EACH STATEMENT EXECUTE FUNCTION products_search_words();

-- A renamed or moved category changes the category words of every product below it.
CREATE FUNCTION categories_search_terms() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
    BEGIN
      WITH RECURSIVE tree(id) AS (
        SELECT NEW.id
        UNION
        SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id
      ),
      changed AS (
        UPDATE products p
        SET search_terms = catalog_search_terms(p.name, p.brand, catalog_category_path(p.category_id), p.description)
        WHERE p.category_id IN (SELECT id FROM tree)
        RETURNING p.search_terms
      )
      INSERT INTO search_words (word)
      SELECT DISTINCT lexeme FROM changed, unnest(changed.search_terms) ORDER BY 1
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END
  $$;

CREATE TRIGGER categories_search_terms AFTER UPDATE OF name, parent_id ON categories
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.parent_id IS DISTINCT FROM NEW.parent_id)
  EXECUTE FUNCTION categories_search_terms();

-- Lexemes close to a word by trigram similarity: the candidates for typo
-- matching and "did you mean" (the service then checks the edit distance).
CREATE FUNCTION search_words_similar(query text, threshold real, max_rows integer) RETURNS TABLE (word text, score real)
  LANGUAGE plpgsql STABLE
  AS $$
    BEGIN
      PERFORM set_config('pg_trgm.similarity_threshold', threshold::text, true);
      RETURN QUERY
        SELECT w.word, similarity(w.word, query) FROM search_words w
        WHERE w.word % query AND length(w.word) BETWEEN length(query) - 3 AND length(query) + 3
        ORDER BY 2 DESC, 1 LIMIT max_rows;
    END
  $$;

-- Suggestions: brands by name. The listing's brand index is on lower(brand)
-- with more columns after it; this one is only the brand.
CREATE INDEX products_active_brand_name_idx ON products (lower(brand)) WHERE is_active AND brand IS NOT NULL;

-- Facet counts over a whole category, or the whole catalog, read this index
-- alone (index-only) instead of every product row; it also serves what 0005's
-- (category_id, final_price) index served, which it replaces.
CREATE INDEX products_active_facets_idx ON products (category_id, final_price)
  INCLUDE (brand, rating, stock_quantity) WHERE is_active;
DROP INDEX products_active_category_final_price_idx;
