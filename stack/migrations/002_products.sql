-- The catalog; `shopd migrate` upserts it from stack/catalog.json.
-- price_cents is the list price; shopd quotes the upstream (pricingd) price.
CREATE TABLE products (
  sku         text PRIMARY KEY CHECK (sku <> ''),
  name        text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
