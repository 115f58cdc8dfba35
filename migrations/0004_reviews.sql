-- Reviews: one per user and product. products.rating and products.review_count
-- are recomputed from this table in the same transaction as every review
-- change, under the product's row lock, so they always equal what it says.

CREATE TABLE reviews (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id integer NOT NULL REFERENCES products (id),
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  title text CHECK (char_length(title) <= 200),
  comment text CHECK (char_length(comment) <= 5000),
  -- Whether the author had a delivered order containing the product when the review was last written.
  verified_purchase boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- One review per user and product: a second one is a 409.
  CONSTRAINT reviews_product_user_key UNIQUE (product_id, user_id)
);

-- Every list of GET /api/products/{id}/reviews reads a range of one of these in
-- either direction: newest first (the default) or by rating, each with and
-- without ?verified=, the tie-break on id included so paging is stable.
CREATE INDEX reviews_product_created_idx ON reviews (product_id, created_at DESC, id DESC);
CREATE INDEX reviews_product_rating_idx ON reviews (product_id, rating, id);
CREATE INDEX reviews_product_verified_created_idx ON reviews (product_id, verified_purchase, created_at DESC, id DESC);
CREATE INDEX reviews_product_verified_rating_idx ON reviews (product_id, verified_purchase, rating, id);
-- Deleting a user cascades to their reviews.
CREATE INDEX reviews_user_id_idx ON reviews (user_id);
