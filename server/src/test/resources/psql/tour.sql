\set VERBOSITY verbose
\pset null '(null)'
CREATE TABLE trades (ts TIMESTAMP, symbol VARCHAR, price DOUBLE, qty LONG, buy BOOLEAN, venue INT) TIMESTAMP(ts) PARTITION BY DAY;
CREATE TABLE IF NOT EXISTS trades (ts TIMESTAMP);
INSERT INTO trades VALUES
    ('2026-11-21T09:30:00.000001', 'ACME', 101.5, 100, true, 1),
    ('2026-11-21 09:30:05', 'INIT', 12.25, 40, false, 2),
    ('2026-11-21T23:59:59.999999', 'ACME', 100.0, 7, false, NULL),
    ('2026-11-22T10:00:00Z', 'ACME', 102.0, NULL, true, 1),
    ('2026-11-23T00:00:00', 'ZED', -3.5, 0, NULL, 3);
INSERT INTO trades (ts, symbol) VALUES ('2026-11-24T12:00:00', 'NOPRICE');
SELECT * FROM trades;
SELECT symbol AS s, price * qty AS notional, qty + 1, price / 2, qty % 3, -price FROM trades ORDER BY ts DESC;
SELECT symbol, ts FROM trades WHERE price > 50 AND NOT buy OR symbol = 'ZED' ORDER BY ts;
SELECT symbol FROM trades WHERE price >= 12.25 AND price <= 100 ORDER BY symbol, ts;
SELECT symbol, qty FROM trades WHERE qty <> 100 ORDER BY qty DESC, symbol ASC;
SELECT symbol, qty FROM trades WHERE qty < 40 ORDER BY qty NULLS FIRST;
SELECT symbol FROM trades WHERE qty IS NULL;
SELECT symbol FROM trades WHERE buy IS NOT NULL ORDER BY ts;
SELECT symbol, ts FROM trades WHERE ts BETWEEN '2026-11-21' AND '2026-11-22' ORDER BY ts;
SELECT symbol FROM trades WHERE symbol IN ('INIT', 'ZED', 'NONE') ORDER BY symbol;
SELECT symbol FROM trades WHERE venue NOT IN (1, 2) ORDER BY symbol;
SELECT ts, symbol FROM trades ORDER BY ts LIMIT 2 OFFSET 1;
SELECT count(*), count(qty), sum(qty), min(price), max(price), avg(qty), min(ts), max(ts) FROM trades;
SELECT symbol, count(*) AS n, sum(qty) AS total, max(price) FROM trades GROUP BY symbol ORDER BY symbol;
SELECT symbol, count(*) FROM trades GROUP BY symbol HAVING count(*) > 1;
SELECT 1, 2 + 3 * 4, 7 / 2, 7.0 / 2, 'a' || 'b', 10 % 4;
SELECT current_database();
SELECT * FROM tables();
SHOW TABLES;
BEGIN;
INSERT INTO trades VALUES ('2026-11-25T00:00:00', 'GHOST', 1, 1, true, 1);
ROLLBACK;
SELECT count(*) FROM trades WHERE symbol = 'GHOST';
SELECT * FROM nosuchtable;
SELECT nosuchcolumn FROM trades;
SELEC 1;
INSERT INTO trades VALUES ('2026-11-25T00:00:00', 'BAD', 'not a number', 1, true, 1);
INSERT INTO trades VALUES ('2026-11-25T00:00:00', 'BAD', 1.0, 1, 'maybe', 1);
INSERT INTO trades VALUES (true, 'BAD', 1.0, 1, true, 1);
INSERT INTO trades (symbol) VALUES ('NO TIMESTAMP');
CREATE TABLE trades (ts TIMESTAMP);
SELECT 1 / 0;
SELECT nosuchfunction(1);
SELECT count(*) FROM trades;
DROP TABLE trades;
DROP TABLE IF EXISTS trades;
DROP TABLE trades;
CREATE TABLE readings (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY;
INSERT INTO readings VALUES ('2026-11-21T10:00:00', 1.5), ('2026-11-22T10:00:00', 2.5);
SELECT * FROM checkpoint_status();
CHECKPOINT CREATE;
SELECT in_progress, started_at IS NOT NULL AS started, expires_at > started_at AS leased, tables, last_release_reason FROM checkpoint_status();
SELECT count(*) > 0 AS has_files FROM checkpoint_files() WHERE committed_length > 0;
SELECT job, paused FROM housekeeping_status();
INSERT INTO readings VALUES ('2026-11-23T10:00:00', 3.5);
CHECKPOINT RELEASE;
SELECT * FROM checkpoint_status;
CHECKPOINT RELEASE;
CHECKPOINT;
CHECKPOINT DROP;
CHECKPOINT CREATE LEASE 'soon';
CHECKPOINT CREATE LEASE '0 minutes';
checkpoint create lease '1 hour 30 minutes';
SELECT in_progress FROM checkpoint_status();
SNAPSHOT COMPLETE;
SELECT count(*) FROM readings;
DROP TABLE readings;
CREATE TABLE ticks (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY;
INSERT INTO ticks VALUES ('2026-01-31T10:00:00', 1.5), ('2026-02-01T12:30:00', 2.5);
SELECT interval '1 day 2 hours' AS a, interval '-1 day +2 hours 3 minutes' AS b, interval '14 months' AS c, interval '0.5 seconds' AS d, '90 minutes'::interval AS e;
SELECT ts, ts + interval '1 month' AS next_month, ts - TIMESTAMP '2026-01-01' AS since_new_year FROM ticks;
UPDATE ticks SET ts = ts + interval '1 day' WHERE ts < '2026-02-01';
SELECT max(ts) - min(ts) AS spread, count(*) FROM ticks WHERE ts > TIMESTAMP '2026-02-10' - interval '10 days';
SELECT interval 'soon';
DROP TABLE ticks;
