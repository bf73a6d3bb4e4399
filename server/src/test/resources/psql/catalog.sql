CREATE TABLE trades (ts TIMESTAMP, sym VARCHAR, price DOUBLE PRECISION, qty BIGINT, ok BOOLEAN, n INT) TIMESTAMP(ts) PARTITION BY DAY;
CREATE TABLE syms (sym VARCHAR, name TEXT);
INSERT INTO syms VALUES ('a', 'Alpha');
\dt
\d trades
\d syms
\d nosuch
\l
\dn
\dt+ trades
\d+ syms
\dt pg_catalog.pg_na*
SELECT table_name, column_name, ordinal_position, is_nullable, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position;
SELECT s.name, t.qty FROM syms s LEFT JOIN trades t ON t.sym = s.sym;
DROP TABLE syms;
\dt
