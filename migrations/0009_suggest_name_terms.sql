-- Suggestions look for the words typed in product names only. Their GIN
-- lookup on products.search_terms gathered every product with the words
-- anywhere (descriptions included: 50,000 of the 100k catalog for "one") and
-- only then dropped those without them in the name. This index holds just the
-- name part (weight A) of search_terms, so the lookup gathers only names;
-- ts_filter is cheap when a row is checked again.
CREATE INDEX products_name_terms_idx ON products USING gin (ts_filter(search_terms, '{a}')) WHERE is_active;
