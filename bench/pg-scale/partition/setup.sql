-- bench/pg-scale/partition.sh: members copied into a table partitioned by HASH (insurer_number) with the same
-- indexes as onshi's members table (the card index and the My Number index), in the database given.
DROP TABLE IF EXISTS members_p;
CREATE TABLE members_p (LIKE members) PARTITION BY HASH (insurer_number);
SELECT format('CREATE TABLE members_p%s PARTITION OF members_p FOR VALUES WITH (MODULUS %s, REMAINDER %s)', i, :parts, i)
  FROM generate_series(0, :parts - 1) i \gexec
INSERT INTO members_p SELECT * FROM members;
CREATE INDEX ON members_p (insurer_number, number_key, birth_date);
CREATE INDEX ON members_p (my_number) WHERE my_number IS NOT NULL;
ANALYZE members_p;
