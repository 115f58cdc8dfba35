-- 0008's popularity index is not what bounded relevance pages read (they
-- gather a search's matches through the GIN index and sort those), and a
-- generic plan could walk it to its end looking for a rare word's matches.
DROP INDEX IF EXISTS products_active_popularity_idx;
