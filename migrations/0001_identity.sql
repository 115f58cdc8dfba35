-- Identity: users, their refresh-token families and their addresses.

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Stored as the user typed it; uniqueness and log-in compare lower(email).
  email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  username text NOT NULL CHECK (username ~ '^[A-Za-z0-9_.-]{3,80}$'),
  password_hash text NOT NULL CHECK (char_length(password_hash) BETWEEN 1 AND 512),
  first_name text CHECK (char_length(first_name) <= 100),
  last_name text CHECK (char_length(last_name) <= 100),
  phone text CHECK (phone ~ '^[+]?[0-9]{10,15}$'),
  is_active boolean NOT NULL DEFAULT true,
  is_admin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE UNIQUE INDEX users_username_key ON users (lower(username));

-- One row per refresh token ever issued. A family is the chain of tokens born
-- from one log-in; rotation marks the presented row rotated and adds its child.
-- Presenting a rotated row again means the token was copied: the family is revoked.
CREATE TABLE refresh_tokens (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id uuid NOT NULL,
  -- SHA-256 of the token (hex): a leaked table cannot be replayed.
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  parent_id bigint REFERENCES refresh_tokens (id) ON DELETE SET NULL,
  rotated_at timestamptz,
  revoked_at timestamptz,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE INDEX refresh_tokens_parent_idx ON refresh_tokens (parent_id);

-- The periodic clean-up deletes by expiry.
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

CREATE TABLE addresses (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  address_type text NOT NULL DEFAULT 'home' CHECK (char_length(address_type) BETWEEN 1 AND 20),
  street text NOT NULL CHECK (char_length(street) BETWEEN 1 AND 255),
  city text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 100),
  state text NOT NULL CHECK (char_length(state) BETWEEN 1 AND 100),
  pincode text NOT NULL CHECK (pincode ~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$'),
  country text NOT NULL DEFAULT 'India' CHECK (char_length(country) BETWEEN 1 AND 100),
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT addresses_india_pincode_check CHECK (lower(country) <> 'india' OR pincode ~ '^[0-9]{6}$')
);

-- At most one default per user; the services keep it at exactly one.
CREATE UNIQUE INDEX addresses_one_default_per_user ON addresses (user_id) WHERE is_default;

CREATE INDEX addresses_user_idx ON addresses (user_id, created_at DESC);
