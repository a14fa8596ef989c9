-- The panel's search box on a text field matches anywhere in it (ILIKE '%…%'): on a million
-- travelers that read the whole table for every search, and then counted it again. Trigram
-- indexes answer such a search (three characters or more) from the index. pg_trgm ships with
-- PostgreSQL and is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX travelers_number_trgm_idx ON travelers USING gin (number gin_trgm_ops);
CREATE INDEX work_orders_number_trgm_idx ON work_orders USING gin (number gin_trgm_ops);
