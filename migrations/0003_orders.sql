-- Cart and orders: one cart line per user and product, orders with price and
-- address snapshots, a status history, and idempotency keys stored in the
-- order's own transaction.

CREATE TABLE cart_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  product_id integer NOT NULL REFERENCES products (id),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT cart_items_user_product_key UNIQUE (user_id, product_id)
);

CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_number text NOT NULL UNIQUE CHECK (order_number ~ '^ORD-[0-9]{14}-[0-9A-F]{8}$'),
  user_id bigint NOT NULL REFERENCES users (id),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled')),
  payment_status text NOT NULL DEFAULT 'pending'
    CHECK (payment_status IN ('pending', 'completed', 'failed', 'refunded')),
  payment_method text NOT NULL CHECK (payment_method IN ('COD', 'CARD', 'UPI', 'NETBANKING', 'WALLET')),
  total_amount numeric(12, 2) NOT NULL CHECK (total_amount >= 0),
  shipping_address text NOT NULL CHECK (char_length(shipping_address) <= 1000),
  tracking_number text CHECK (char_length(tracking_number) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A user's history and the admin list (with or without a status filter), newest first.
CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_created_idx ON orders (created_at DESC, id DESC);
CREATE INDEX orders_status_created_idx ON orders (status, created_at DESC, id DESC);

CREATE TABLE order_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id integer NOT NULL REFERENCES products (id),
  quantity integer NOT NULL CHECK (quantity > 0),
  -- The unit final_price when the order was placed: later price edits do not change it.
  price numeric(12, 2) NOT NULL CHECK (price >= 0),
  subtotal numeric(12, 2) NOT NULL CHECK (subtotal >= 0)
);

CREATE INDEX order_items_order_idx ON order_items (order_id);
-- Verified-purchase checks look up a user's orders by product.
CREATE INDEX order_items_product_idx ON order_items (product_id, order_id);

CREATE TABLE order_status_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  status text NOT NULL,
  payment_status text NOT NULL,
  note text CHECK (char_length(note) <= 500),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, id);

-- The first response to a POST /api/orders carrying an Idempotency-Key, per
-- user. Written in the same transaction as the order, so an order never exists
-- without its key (and the reverse).
CREATE TABLE idempotency_keys (
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
  request_hash text NOT NULL,
  status_code integer NOT NULL,
  response_body text NOT NULL,
  order_id bigint REFERENCES orders (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, key)
);

CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
