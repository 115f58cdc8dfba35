-- Which fields (bits: 1 name, 2 brand, 4 categories, 8 description) each
-- vocabulary word has appeared in. A search then knows, before reading any
-- product, the highest relevance a product could reach (a word that was never
-- in a brand cannot score as a brand), and a broad search reads only the most
-- popular products until enough of them reach it (src/services/catalog/Search.ts,
-- relevanceBound). Bits are only ever added, like words, so the bound stays an
-- upper bound when products change or go away. 15 (every field) is the safe
-- value for a word whose fields are not known.

ALTER TABLE search_words ADD COLUMN fields smallint NOT NULL DEFAULT 15;

-- Each lexeme of some tsvectors with the bits of the fields it is in (weights A-D as in catalog_search_terms).
CREATE FUNCTION catalog_search_word_fields(terms tsvector[]) RETURNS TABLE (word text, fields smallint)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$
    SELECT word, bit_or(bit)::smallint FROM (
      SELECT unnest(tsvector_to_array(ts_filter(v, '{a}'))) AS word, 1 AS bit FROM unnest(terms) AS v
      UNION ALL SELECT unnest(tsvector_to_array(ts_filter(v, '{b}'))), 2 FROM unnest(terms) AS v
      UNION ALL SELECT unnest(tsvector_to_array(ts_filter(v, '{c}'))), 4 FROM unnest(terms) AS v
      UNION ALL SELECT unnest(tsvector_to_array(ts_filter(v, '{d}'))), 8 FROM unnest(terms) AS v
    ) AS x GROUP BY word
  $$;

-- The same over every product, without first gathering them into one array.
UPDATE search_words s SET fields = f.fields
FROM (
  SELECT word, bit_or(bit)::smallint AS fields FROM (
    SELECT unnest(tsvector_to_array(ts_filter(search_terms, '{a}'))) AS word, 1 AS bit FROM products
    UNION ALL SELECT unnest(tsvector_to_array(ts_filter(search_terms, '{b}'))), 2 FROM products
    UNION ALL SELECT unnest(tsvector_to_array(ts_filter(search_terms, '{c}'))), 4 FROM products
    UNION ALL SELECT unnest(tsvector_to_array(ts_filter(search_terms, '{d}'))), 8 FROM products
  ) AS x GROUP BY word
) AS f
WHERE s.word = f.word;

-- Words of new or changed products into the vocabulary, with their fields.
CREATE FUNCTION search_words_add(terms tsvector[]) RETURNS void
  LANGUAGE sql
  AS $$
    INSERT INTO search_words AS s (word, fields)
    SELECT word, fields FROM catalog_search_word_fields(terms) ORDER BY 1
    ON CONFLICT (word) DO UPDATE SET fields = s.fields | EXCLUDED.fields
      WHERE s.fields & EXCLUDED.fields <> EXCLUDED.fields
  $$;

CREATE OR REPLACE FUNCTION products_search_terms() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
    BEGIN
      NEW.search_terms := catalog_search_terms(NEW.name, NEW.brand, catalog_category_path(NEW.category_id), NEW.description);
      IF TG_OP = 'UPDATE' AND NEW.search_terms IS DISTINCT FROM OLD.search_terms THEN
        PERFORM search_words_add(ARRAY[NEW.search_terms]);
      END IF;
      RETURN NEW;
    END
  $$;

CREATE OR REPLACE FUNCTION products_search_words() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
    BEGIN
      PERFORM search_words_add(ARRAY(SELECT search_terms FROM new_products));
      RETURN NULL;
    END
  $$;

CREATE OR REPLACE FUNCTION categories_search_terms() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
    DECLARE
      terms tsvector[];
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
      SELECT array_agg(search_terms) FROM changed INTO terms;
      PERFORM search_words_add(terms);
      RETURN NULL;
    END
  $$;

-- Prefix lookups in the vocabulary (a search's prefix term, suggestions) as a
-- btree range, also for one or two letters, where trigrams cannot help.
CREATE INDEX search_words_prefix_idx ON search_words (word text_pattern_ops);

-- Relevance ties go by popularity (review_count, rating, then id): this
-- index walks products in exactly that order, so a broad search reads the
-- most popular products first and stops when a page of them reaches the bound.
CREATE INDEX products_active_popularity_idx ON products (review_count DESC, rating DESC, id) WHERE is_active;
