-- The status history accepts only the statuses orders have (0003 left it unchecked).
ALTER TABLE order_status_history
  ADD CONSTRAINT order_status_history_status_check
    CHECK (status IN ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled')),
  ADD CONSTRAINT order_status_history_payment_status_check
    CHECK (payment_status IN ('pending', 'completed', 'failed', 'refunded'));

-- Checkout's stock update can be a HOT update (no index entries written) only
-- if the values of every indexed column, predicates included, stay the same.
-- products_in_stock_idx had stock_quantity in its predicate, so every order
-- wrote a new entry into all of the products indexes. Its predicate now reads
-- in_stock, which changes only when a product sells out or is restocked; so
-- does the facet index of 0006, which carried stock_quantity for the in-stock count.
ALTER TABLE products ADD COLUMN in_stock boolean GENERATED ALWAYS AS (stock_quantity > 0) STORED;
DROP INDEX products_in_stock_idx;
CREATE INDEX products_in_stock_idx ON products (created_at, id) WHERE is_active AND in_stock;
DROP INDEX products_active_facets_idx;
CREATE INDEX products_active_facets_idx ON products (category_id, final_price)
  INCLUDE (brand, rating, in_stock) WHERE is_active;

-- HOT also needs room on the row's own page: leave a tenth of each page free.
ALTER TABLE products SET (fillfactor = 90);
