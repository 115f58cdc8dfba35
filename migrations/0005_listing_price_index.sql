-- Listings filtered by a category subtree and a price range (the commonest
-- browse) count their matches from this index alone instead of visiting every
-- product of the subtree.
CREATE INDEX products_active_category_final_price_idx ON products (category_id, final_price) WHERE is_active;
