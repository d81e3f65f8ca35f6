-- Orders; a row is committed only after its receipt file is on disk.
CREATE TABLE orders (
  id          bigserial PRIMARY KEY,
  sku         text NOT NULL REFERENCES products (sku),
  quantity    integer NOT NULL CHECK (quantity > 0),
  -- The price quoted when ordering, so skewed upstream prices can be traced.
  unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- GET /orders lists the latest 100 orders by created_at.
CREATE INDEX orders_created_at_idx ON orders (created_at DESC, id DESC);
