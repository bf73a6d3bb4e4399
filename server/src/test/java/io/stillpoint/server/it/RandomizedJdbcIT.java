package io.stillpoint.server.it;

import io.stillpoint.server.exec.TableModel;
import io.stillpoint.server.exec.TableModel.Column;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static io.stillpoint.server.exec.TableModel.DAY;

/**
 * The randomized model test through pgjdbc against the real server jar: about 2,000 random statements of every
 * kind that changes a table (INSERT as literals, prepared and batched, in and out of order, on days around BASE and
 * some far away: before the epoch, on it, a leap day; UPDATE of values and of the designated timestamp, within its
 * day, into another existing day or into a new one, plain and prepared; DELETE; DROP PARTITION LIST and WHERE;
 * TRUNCATE; ADD and DROP COLUMN, names reused; RENAME TO and back, sometimes with another table named t created and
 * dropped meanwhile; DROP TABLE and CREATE; SET TTL huge, one that expires partitions, and 0; BEGIN ... COMMIT and
 * ROLLBACK blocks, blocks whose first DELETE/UPDATE commits at once and blocks refused for an UPDATE after their
 * inserts), each applied to the shared {@link TableModel} too. After every commit a server-prepared
 * {@code SELECT * FROM t} on a second connection (re-executed across the ALTERs, which come from the first) must
 * return the model's columns and rows in scan order, and a prepared one-day SELECT that day's rows; now and then
 * count/min/max and {@code tables()} too. Every 500 statements the server is stopped with SIGTERM (every other time
 * with a block of inserts open, which must not survive) and started again on the same root, then compared.
 * Housekeeping runs every 100 ms, so the TTL job (under a huge TTL) and the compaction job run meanwhile and must
 * change nothing visible; runs of 65 small appending commits make the compaction job rewrite a partition, which is
 * awaited and compared.
 *
 * <p>The seed is printed and can be set with {@code -Dstillpoint.random.seed=N} (the count of statements with
 * {@code -Dstillpoint.random.operations=N}). A disagreement fails with the seed, the operation number, the
 * statement and the first differing row; every statement run is written to
 * {@code target/randomized-jdbc-<seed>.sql} to replay.
 */
class RandomizedJdbcIT {

    private static final long SEED = Long.getLong("stillpoint.random.seed", 20261122L);
    private static final int OPERATIONS = Integer.getInteger("stillpoint.random.operations", 2000);
    private static final int RESTART_EVERY = 500;

    /** Long past, so that the TTL reference (the smaller of the newest row and now) is the newest row. */
    private static final long BASE = LocalDateTime.of(2024, 11, 1, 0, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    /**
     * Days far from BASE that inserts and UPDATEs sometimes use: the day before the epoch (negative timestamps), the
     * epoch's day, a leap day.
     */
    private static final List<Long> FAR_DAYS = List.of(-DAY, 0L,
            LocalDateTime.of(2000, 2, 29, 0, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L);
    private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
    private static final List<Column> CREATED = List.of(new Column("ts", "TIMESTAMP"), new Column("k", "INT"),
            new Column("v", "LONG"), new Column("s", "VARCHAR"), new Column("d", "DOUBLE"));
    private static final List<String> ADDED_TYPES = List.of("INT", "LONG", "DOUBLE", "VARCHAR", "BOOLEAN");
    private static final List<String> HUGE_TTLS = List.of("100 YEARS", "1200 MONTHS", "36500 DAYS",
            "1000000 HOURS");

    @TempDir
    Path tmp;

    private Random random;
    private TableModel model;
    private ServerProcess server;
    /** Runs every change. */
    private Connection writer;
    /** Holds the server-prepared SELECTs that compare, so the ALTERs reach them from another session. */
    private Connection reader;
    private PreparedStatement selectAll;
    private PreparedStatement selectDay;
    private PreparedStatement selectStats;
    private PreparedStatement selectDayStats;
    private String ttl;
    private int op;
    private String statement = "CREATE TABLE";
    private int columnsAdded;
    private final List<String> droppedNames = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    /** Where the time went, for the closing line: comparing, restarting, waiting for the TTL job. */
    private long compareNanos;
    private long restartNanos;
    private long ttlWaitNanos;
    private long compactionWaitNanos;
    private int mostRows;
    /** From the server logs: partitions compacted and TTL drops by the housekeeping jobs. */
    private int compactions;
    private int ttlDrops;
    /** From the server logs: executions of the prepared SELECTs refused after an ALTER, which pgjdbc re-prepared. */
    private int replans;

    /** The seeded source of every choice the test makes, with {@code pick} for a random element of a list. */
    private static final class Random extends java.util.Random {
        Random(long seed) {
            super(seed);
        }

        <T> T pick(List<T> from) {
            return from.get(nextInt(from.size()));
        }
    }

    @Test
    void randomStatementsFromJdbcMatchTheModel() throws Exception {
        System.out.println("RandomizedJdbcIT seed=" + SEED + " operations=" + OPERATIONS
                + " (set -Dstillpoint.random.seed / -Dstillpoint.random.operations)");
        long started = System.nanoTime();
        random = new Random(SEED);
        Path root = tmp.resolve("root");
        server = ServerProcess.start(root, "--housekeeping-interval", "100ms");
        try {
            connect();
            createTable(CREATED);
            for (op = 0; op < OPERATIONS; op++) {
                if (op > 0 && op % RESTART_EVERY == 0) {
                    restart(root);
                }
                step();
            }
            op = -1;
            restart(root);
        } catch (AssertionError | Exception e) {
            Path replay = Path.of("target", "randomized-jdbc-" + SEED + ".sql");
            Files.createDirectories(replay.getParent());
            Files.write(replay, log, StandardCharsets.UTF_8);
            String serverLog = server.log();
            throw new AssertionError("seed=" + SEED + ", op=" + op + ", statement: " + statement + " -- "
                    + e.getMessage() + " (statements so far in " + replay.toAbsolutePath() + ")\nserver log (end):\n"
                    + serverLog.substring(Math.max(0, serverLog.length() - 4000)), e);
        } finally {
            closeConnections();
            server.close();
        }
        harvestLog();
        System.out.println("RandomizedJdbcIT seed=" + SEED + " passed in " + (System.nanoTime() - started) / 1_000_000
                + " ms (comparing " + compareNanos / 1_000_000 + " ms, restarts " + restartNanos / 1_000_000
                + " ms, waiting for the ttl job " + ttlWaitNanos / 1_000_000 + " ms, for compaction "
                + compactionWaitNanos / 1_000_000 + " ms; at most " + mostRows
                + " rows; housekeeping compacted " + compactions + " partitions, ttl job drops " + ttlDrops
                + ", prepared SELECTs re-prepared after 0A000 " + replans + "): "
                + counts);
        for (String kind : List.of("insert literals", "insert prepared", "insert batch", "update values",
                "update values prepared", "update ts within day", "update ts to existing day", "update ts to new day",
                "update ts prepared", "delete", "delete prepared", "drop partition list", "drop partition where",
                "truncate", "add column", "drop column", "rename and back", "drop and create table", "set ttl huge",
                "set ttl expiring", "set ttl 0", "commit block", "rollback block", "refused update after inserts",
                "delete at once in block", "update at once in block", "append run", "restart", "restart in open block",
                "another t while renamed")) {
            if (counts.getOrDefault(kind, 0) == 0) {
                throw new AssertionError("the run never did: " + kind + " [seed=" + SEED + ", counts=" + counts + "]");
            }
        }
    }

    // ---- the operations ----

    private void step() throws SQLException, InterruptedException {
        if (op % RESTART_EVERY == RESTART_EVERY / 2) {
            appendRun();
            return;
        }
        int r = random.nextInt(100);
        if (r < 10) {
            insertLiterals();
        } else if (r < 20) {
            insertPrepared();
        } else if (r < 30) {
            insertBatch();
        } else if (r < 40) {
            updateValues();
        } else if (r < 54) {
            updateTimestamp();
        } else if (r < 64) {
            delete();
        } else if (r < 68) {
            dropPartitionList();
        } else if (r < 71) {
            dropPartitionWhere();
        } else if (r < 72) {
            truncate();
        } else if (r < 76) {
            addColumn();
        } else if (r < 79) {
            dropColumn();
        } else if (r < 81) {
            renameAndBack();
        } else if (r < 82) {
            dropAndCreate();
        } else if (r < 86) {
            setTtl();
        } else {
            block();
        }
    }

    /**
     * 65 one-row commits appended in timestamp order to day +8 (beyond the days the other statements use), then a
     * row on day +9: day +8 is then a partition fed by many small commits that is no longer the newest, which the
     * compaction job rewrites (at least 64 appending commits, by its default policy). Waits for the job's log line
     * (the next statements would likely rewrite day +8 first), then the table must be unchanged.
     */
    private void appendRun() throws SQLException, InterruptedException {
        long day = BASE + 8 * DAY;
        String compacted = "compacted partition [table=t, partition=" + TableModel.partitionName(day) + ",";
        long compactedBefore = server.log().lines().filter(l -> l.contains(compacted)).count();
        long next = day;
        for (Object[] row : model.rows()) {
            if (TableModel.dayStart((Long) row[0]) == day) {
                next = Math.max(next, (Long) row[0] + 1_000_000L);
            }
        }
        for (int i = 0; i <= 65; i++) {
            long ts = i < 65 ? next + i * 1_000_000L : day + DAY;
            List<Column> cols = insertColumns();
            Sql sql = new Sql(true, "INSERT INTO t" + columnList(cols) + " VALUES ");
            Object[] row = values(sql, cols);
            row[0] = ts;
            sql.values.set(cols.indexOf(model.columns().get(0)), ts);
            assertCount(1, update(sql));
            model.insert(List.<Object[]>of(row));
            compare();
        }
        long started = System.nanoTime();
        while (server.log().lines().filter(l -> l.contains(compacted)).count() == compactedBefore) {
            if (System.nanoTime() - started > 15_000_000_000L) {
                throw new AssertionError("the compaction job did not compact " + TableModel.partitionName(day)
                        + " within 15 s after 65 appending commits");
            }
            Thread.sleep(20);
        }
        compactionWaitNanos += System.nanoTime() - started;
        compare();
        count("append run");
    }

    private void insertLiterals() throws SQLException {
        List<Column> cols = insertColumns();
        int n = 1 + random.nextInt(4);
        List<Object[]> rows = new ArrayList<>();
        Sql sql = new Sql(false, "INSERT INTO t" + columnList(cols) + " VALUES ");
        for (int i = 0; i < n; i++) {
            rows.add(values(sql.add(i == 0 ? "" : ", "), cols));
        }
        assertCount(n, update(sql));
        model.insert(rows);
        count("insert literals");
        compare();
    }

    private void insertPrepared() throws SQLException {
        List<Column> cols = insertColumns();
        Sql sql = new Sql(true, "INSERT INTO t" + columnList(cols) + " VALUES ");
        Object[] row = values(sql, cols);
        assertCount(1, update(sql));
        model.insert(List.<Object[]>of(row));
        count("insert prepared");
        compare();
    }

    /** One executeBatch of rows in random order over the days: one commit. */
    private void insertBatch() throws SQLException {
        List<Column> cols = insertColumns();
        int n = random.nextInt(15) == 0 ? 100 + random.nextInt(200) : 2 + random.nextInt(20);
        List<Object[]> rows = new ArrayList<>();
        List<Sql> statements = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Sql sql = new Sql(true, "INSERT INTO t" + columnList(cols) + " VALUES ");
            rows.add(values(sql, cols));
            statements.add(sql);
        }
        batch(statements);
        model.insert(rows);
        count("insert batch");
        compare();
    }

    private void updateValues() throws SQLException {
        boolean prepared = random.nextBoolean();
        Sql sql = new Sql(prepared, "UPDATE t SET ");
        List<Column> targets = new ArrayList<>(model.columns().subList(1, model.columns().size()));
        Collections.shuffle(targets, random);
        List<Consumer<Object[]>> changes = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(Math.min(2, targets.size())); i++) {
            changes.add(assignment(sql.add(i == 0 ? "" : ", "), targets.get(i)));
        }
        Predicate<Object[]> where = where(sql);
        TableModel.Updated expected = model.update(where, row -> changes.forEach(c -> c.accept(row)));
        assertCount(expected.rows(), update(sql));
        count(prepared ? "update values prepared" : "update values");
        compare();
    }

    /**
     * {@code UPDATE t SET ts = x[, c = ...] WHERE ...}: x is in the one day the WHERE selects (rows move within
     * their day), the timestamp of an existing row (ties), or any second of days -2 to +7 (existing or new days).
     */
    private void updateTimestamp() throws SQLException {
        boolean prepared = random.nextInt(3) == 0;
        Sql sql = new Sql(prepared, "UPDATE t SET ts = ");
        int form = random.nextInt(3);
        long day = BASE + (random.nextInt(10) - 2) * DAY;
        long newTs = switch (form) {
            case 0 -> day + randomTimeOfDay();
            case 1 -> model.size() > 0 ? (Long) random.pick(model.rows())[0] : day + randomTimeOfDay();
            default -> (random.nextInt(8) == 0 ? random.pick(FAR_DAYS) : BASE + (random.nextInt(10) - 2) * DAY)
                    + randomTimeOfDay();
        };
        sql.constant(newTs, "TIMESTAMP");
        List<Consumer<Object[]>> changes = new ArrayList<>();
        changes.add(row -> row[0] = newTs);
        if (model.columns().size() > 1 && random.nextBoolean()) {
            changes.add(assignment(sql.add(", "), random.pick(model.columns().subList(1, model.columns().size()))));
        }
        Predicate<Object[]> where;
        if (form == 0) {
            sql.add(" WHERE ");
            Predicate<Object[]> inDay = range(sql, day, day + DAY);
            if (random.nextBoolean() && model.columns().size() > 1) {
                Predicate<Object[]> value = valueCondition(sql.add(" AND "));
                where = row -> inDay.test(row) && value.test(row);
            } else {
                where = inDay;
            }
        } else {
            where = where(sql);
        }
        boolean targetExisted = model.hasPartition(TableModel.dayStart(newTs));
        TableModel.Updated expected = model.update(where, row -> changes.forEach(c -> c.accept(row)));
        assertCount(expected.rows(), update(sql));
        if (prepared) {
            count("update ts prepared");
        }
        count(expected.rows() == 0 ? "update ts no rows" : expected.moved() == 0 ? "update ts within day"
                : targetExisted ? "update ts to existing day" : "update ts to new day");
        compare();
    }

    private void delete() throws SQLException {
        boolean prepared = random.nextInt(3) == 0;
        Sql sql = new Sql(prepared, "DELETE FROM t");
        Predicate<Object[]> where = where(sql);
        long expected = model.delete(where);
        assertCount(expected, update(sql));
        count(prepared ? "delete prepared" : "delete");
        compare();
    }

    private void dropPartitionList() throws SQLException {
        TreeSet<Long> existing = model.partitions();
        if (existing.isEmpty() || random.nextInt(6) == 0) {
            long day = BASE + (random.nextInt(10) - 2) * DAY;
            if (!existing.contains(day)) {
                expectError("42704", new Sql(false, "ALTER TABLE t DROP PARTITION LIST '"
                        + TableModel.partitionName(day) + "'"));
                count("drop partition list missing");
                compare();
                return;
            }
        }
        List<Long> days = new ArrayList<>(existing);
        Collections.shuffle(days, random);
        days = days.subList(0, Math.min(days.size(), 1 + random.nextInt(2)));
        StringBuilder names = new StringBuilder();
        for (long day : days) {
            names.append(names.length() == 0 ? "'" : ", '").append(TableModel.partitionName(day)).append("'");
        }
        update(new Sql(false, "ALTER TABLE t DROP PARTITION LIST " + names));
        model.dropPartitions(days);
        count("drop partition list");
        compare();
    }

    private void dropPartitionWhere() throws SQLException {
        long from = BASE + (random.nextInt(10) - 2) * DAY + randomTimeOfDay();
        Sql sql = new Sql(false, "ALTER TABLE t DROP PARTITION WHERE ");
        Predicate<Long> matches;
        if (random.nextBoolean()) {
            sql.add("ts < ").constant(from, "TIMESTAMP");
            matches = ts -> ts < from;
        } else {
            long to = from + random.nextInt(3) * DAY + randomTimeOfDay();
            sql.add("ts >= ").constant(from, "TIMESTAMP").add(" AND ts <= ").constant(to, "TIMESTAMP");
            matches = ts -> ts >= from && ts <= to;
        }
        update(sql);
        model.dropPartitionsWhere(matches);
        count("drop partition where");
        compare();
    }

    private void truncate() throws SQLException {
        update(new Sql(false, random.nextBoolean() ? "TRUNCATE TABLE t" : "TRUNCATE t"));
        model.truncate();
        count("truncate");
        compare();
    }

    /** A new column, or one of a dropped name (which must come back empty), of a random type; older rows NULL. */
    private void addColumn() throws SQLException {
        if (model.columns().size() >= 9) {
            dropColumn();
            return;
        }
        droppedNames.removeIf(n -> model.index(n) >= 0);
        String name = !droppedNames.isEmpty() && random.nextInt(3) == 0
                ? droppedNames.remove(random.nextInt(droppedNames.size())) : "c" + ++columnsAdded;
        Column column = new Column(name, random.pick(ADDED_TYPES));
        update(new Sql(false, "ALTER TABLE t ADD COLUMN " + name + " " + column.type()));
        model.addColumn(column);
        count("add column");
        compare();
    }

    private void dropColumn() throws SQLException {
        if (model.columns().size() <= 2) {
            addColumn();
            return;
        }
        String name = random.pick(model.columns().subList(1, model.columns().size())).name();
        update(new Sql(false, "ALTER TABLE t DROP COLUMN " + name));
        model.dropColumn(name);
        droppedNames.add(name);
        count("drop column");
        compare();
    }

    /** RENAME TO another name: the prepared SELECT of t fails (42P01), the table is there under the new name. */
    private void renameAndBack() throws SQLException {
        update(new Sql(false, "ALTER TABLE t RENAME TO t_renamed"));
        expectUndefinedTable();
        assertRows("renamed", model.expected(), "SELECT * FROM t_renamed", false);
        if (random.nextBoolean()) {
            List<Column> cols = insertColumns();
            Sql sql = new Sql(random.nextBoolean(), "INSERT INTO t_renamed" + columnList(cols) + " VALUES ");
            Object[] row = values(sql, cols);
            assertCount(1, update(sql));
            model.insert(List.<Object[]>of(row));
            assertRows("renamed", model.expected(), "SELECT * FROM t_renamed", false);
        }
        if (random.nextInt(3) == 0) {
            anotherTableNamedT();
        }
        update(new Sql(false, "ALTER TABLE t_renamed RENAME TO t"));
        count("rename and back");
        compare();
    }

    /**
     * While t is renamed: a new table named t (other columns, rows on the same days) is created, written, read,
     * stands in the way of the rename back (42P07), and is dropped, and the renamed table stays as it was: the
     * engine must keep the two apart (its files, its purge) although they had the same name.
     */
    private void anotherTableNamedT() throws SQLException {
        update(new Sql(false, "CREATE TABLE t (ts TIMESTAMP, x INT) TIMESTAMP(ts) PARTITION BY DAY"));
        List<List<Object>> rows = new ArrayList<>();
        Sql insert = new Sql(random.nextBoolean(), "INSERT INTO t VALUES ");
        for (int i = 0; i < 3; i++) {
            long ts = insertTimestamp();
            insert.add(i == 0 ? "(" : ", (").constant(ts, "TIMESTAMP").add(", ").constant(i, "INT").add(")");
            rows.add(Arrays.asList(ts, i));
        }
        assertCount(3, update(insert));
        rows.sort(java.util.Comparator.comparingLong(r -> (Long) r.get(0)));
        try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM t")) {
            Read read = read(rs);
            if (!read.names().equals(List.of("ts", "x")) || TableModel.firstDifference(rows, read.rows()) != null) {
                throw new AssertionError("the new table t reads " + read + " but was given " + rows);
            }
        }
        expectError("42P07", new Sql(false, "ALTER TABLE t_renamed RENAME TO t"));
        update(new Sql(false, random.nextBoolean() ? "DROP TABLE t" : "TRUNCATE TABLE t"));
        if (statement.startsWith("TRUNCATE")) {
            update(new Sql(false, "DROP TABLE t"));
        }
        assertRows("renamed, after another t came and went", model.expected(), "SELECT * FROM t_renamed", false);
        count("another t while renamed");
    }

    /** DROP TABLE, then CREATE with the first columns or with another set: the model starts empty. */
    private void dropAndCreate() throws SQLException {
        update(new Sql(false, "DROP TABLE t"));
        expectUndefinedTable();
        List<Column> columns = new ArrayList<>(CREATED);
        if (random.nextBoolean()) {
            columns.remove(1 + random.nextInt(columns.size() - 1));
            columns.add(new Column("c" + ++columnsAdded, random.pick(ADDED_TYPES)));
        }
        createTable(columns);
        count("drop and create table");
        compare();
    }

    /**
     * SET TTL: a huge one (the TTL job, running every 100 ms, must drop nothing), 0 (none), or one that expires the
     * partitions more than 1 to 4 days older than the newest row: the job drops them within seconds, then TTL 0.
     */
    private void setTtl() throws SQLException, InterruptedException {
        int form = random.nextInt(4);
        if (ttl != null && form < 2) {
            update(new Sql(false, "ALTER TABLE t SET TTL 0" + (random.nextBoolean() ? "" : " DAYS")));
            ttl = null;
            count("set ttl 0");
        } else if (form < 3 || model.size() == 0) {
            String huge = random.pick(HUGE_TTLS);
            update(new Sql(false, "ALTER TABLE t SET TTL " + huge));
            ttl = huge;
            count("set ttl huge");
        } else {
            int days = 1 + random.nextInt(4);
            long newest = (Long) model.rows().get(model.size() - 1)[0];
            long reference = Math.min(newest, System.currentTimeMillis() * 1000);
            long cutoff = reference - days * DAY;
            update(new Sql(false, "ALTER TABLE t SET TTL " + days + " DAYS"));
            model.dropPartitions(model.partitions().stream().filter(d -> d + DAY <= cutoff).toList());
            awaitModel("the ttl job drops the partitions ending at or before "
                    + TableModel.text(cutoff) + " [ttl=" + days + " DAYS]");
            update(new Sql(false, "ALTER TABLE t SET TTL 0"));
            ttl = null;
            count("set ttl expiring");
        }
        assertTtl();
        compare();
    }

    /**
     * A transaction of inserts (literal, prepared and batched), as BEGIN ... COMMIT/ROLLBACK in one simple query or
     * with pgjdbc's autocommit off: the reader sees nothing before the COMMIT, and nothing ever after a ROLLBACK.
     * With autocommit off, the block sometimes starts with a DELETE or UPDATE, which commits at once (the block has
     * not written yet), and sometimes ends with an UPDATE after its inserts, which the server refuses (0A000): the
     * block fails and none of its inserts are committed.
     */
    private void block() throws SQLException {
        boolean commit = random.nextInt(3) > 0;
        boolean refusedUpdate = false;
        List<Object[]> rows = new ArrayList<>();
        if (random.nextBoolean()) {
            StringBuilder text = new StringBuilder("BEGIN");
            for (int i = 0; i < 1 + random.nextInt(3); i++) {
                List<Column> cols = insertColumns();
                Sql sql = new Sql(false, "INSERT INTO t" + columnList(cols) + " VALUES ");
                rows.add(values(sql, cols));
                text.append("; ").append(sql.text);
            }
            text.append(commit ? "; COMMIT" : "; ROLLBACK");
            update(new Sql(false, text.toString()));
        } else {
            writer.setAutoCommit(false);
            record("BEGIN");
            if (random.nextInt(4) == 0) {
                boolean delete = random.nextBoolean();
                Sql sql = new Sql(random.nextBoolean(), delete ? "DELETE FROM t" : "UPDATE t SET ");
                long expected;
                if (delete) {
                    expected = model.delete(where(sql));
                } else {
                    Consumer<Object[]> change = model.columns().size() > 1
                            ? assignment(sql, random.pick(model.columns().subList(1, model.columns().size())))
                            : row -> { };
                    expected = model.update(where(sql), change).rows();
                }
                assertCount(expected, update(sql));
                count(delete ? "delete at once in block" : "update at once in block");
                compare(); // committed at once: the reader sees it already
            }
            for (int i = 0; i < 1 + random.nextInt(3); i++) {
                List<Column> cols = insertColumns();
                if (random.nextInt(3) == 0) {
                    List<Sql> statements = new ArrayList<>();
                    for (int j = 0; j < 2 + random.nextInt(4); j++) {
                        Sql sql = new Sql(true, "INSERT INTO t" + columnList(cols) + " VALUES ");
                        rows.add(values(sql, cols));
                        statements.add(sql);
                    }
                    batch(statements);
                } else {
                    Sql sql = new Sql(random.nextBoolean(), "INSERT INTO t" + columnList(cols) + " VALUES ");
                    rows.add(values(sql, cols));
                    assertCount(1, update(sql));
                }
            }
            compare(); // still uncommitted: the reader sees the old state
            if (random.nextInt(5) == 0) {
                Sql sql = new Sql(random.nextBoolean(), "UPDATE t SET ts = ts");
                where(sql);
                expectError("0A000", sql);
                refusedUpdate = true;
                commit = false;
            }
            record(commit ? "COMMIT" : "ROLLBACK");
            if (commit) {
                writer.commit();
            } else {
                writer.rollback();
            }
            writer.setAutoCommit(true);
        }
        if (commit) {
            model.insert(rows);
        }
        count(refusedUpdate ? "refused update after inserts" : commit ? "commit block" : "rollback block");
        compare();
    }

    // ---- statement pieces: each writes its SQL and returns what it does to a model row ----

    /** A WHERE clause (or none): a value condition, a timestamp range, both, or two value conditions with OR. */
    private Predicate<Object[]> where(Sql sql) {
        int form = random.nextInt(10);
        if (form == 0) {
            return row -> true;
        }
        sql.add(" WHERE ");
        boolean values = model.columns().size() > 1;
        if (form < 4 && values) {
            return valueCondition(sql);
        }
        if (form < 5 && values) {
            Predicate<Object[]> a = valueCondition(sql.add("("));
            Predicate<Object[]> b = valueCondition(sql.add(" OR "));
            sql.add(")");
            return row -> a.test(row) || b.test(row);
        }
        long from = BASE + (random.nextInt(10) - 2) * DAY + (random.nextBoolean() ? 0 : randomTimeOfDay());
        long to = random.nextBoolean() ? from + DAY : from + random.nextInt(3) * DAY + randomTimeOfDay();
        Predicate<Object[]> inRange = range(sql, from, to);
        if (form < 8 && values) {
            Predicate<Object[]> value = valueCondition(sql.add(" AND "));
            return row -> inRange.test(row) && value.test(row);
        }
        return inRange;
    }

    /** {@code ts >= from AND ts < to}. */
    private Predicate<Object[]> range(Sql sql, long from, long to) {
        sql.add("ts >= ").constant(from, "TIMESTAMP").add(" AND ts < ").constant(to, "TIMESTAMP");
        return row -> (Long) row[0] >= from && (Long) row[0] < to;
    }

    /** A comparison of a random non-timestamp column with a constant, or IS [NOT] NULL. */
    private Predicate<Object[]> valueCondition(Sql sql) {
        Column c = random.pick(model.columns().subList(1, model.columns().size()));
        int i = model.index(c.name());
        int form = random.nextInt(10);
        if (form == 0) {
            sql.add(c.name() + " IS NULL");
            return row -> row[i] == null;
        }
        if (form == 1) {
            sql.add(c.name() + " IS NOT NULL");
            return row -> row[i] != null;
        }
        Object v = value(c.type());
        if (!(v instanceof Number n)) {
            boolean equal = form < 8;
            sql.add(c.name() + (equal ? " = " : " <> ")).constant(v, c.type());
            return row -> row[i] != null && v.equals(row[i]) == equal;
        }
        String[] ops = {"<=", ">=", "=", "<>", "<", ">"};
        String operator = ops[form % ops.length];
        sql.add(c.name() + " " + operator + " ").constant(v, c.type());
        double x = n.doubleValue();
        return row -> {
            if (row[i] == null) {
                return false;
            }
            int cmp = Double.compare(((Number) row[i]).doubleValue(), x);
            return switch (operator) {
                case "<=" -> cmp <= 0;
                case ">=" -> cmp >= 0;
                case "=" -> cmp == 0;
                case "<>" -> cmp != 0;
                case "<" -> cmp < 0;
                default -> cmp > 0;
            };
        };
    }

    /** {@code c = c + delta} for numbers (NULL stays NULL), {@code c = constant} otherwise, sometimes {@code c = NULL}. */
    private Consumer<Object[]> assignment(Sql sql, Column c) {
        int i = model.index(c.name());
        if (random.nextInt(10) == 0) {
            sql.add(c.name() + " = NULL");
            return row -> row[i] = null;
        }
        switch (c.type()) {
            case "INT" -> {
                int delta = random.nextInt(50);
                sql.add(c.name() + " = " + c.name() + " + ").constant(delta, "INT");
                return row -> row[i] = row[i] == null ? null : (Integer) row[i] + delta;
            }
            case "LONG" -> {
                long delta = random.nextInt(1000);
                sql.add(c.name() + " = " + c.name() + " + ").constant(delta, "LONG");
                return row -> row[i] = row[i] == null ? null : (Long) row[i] + delta;
            }
            case "DOUBLE" -> {
                double delta = random.nextInt(20) / 4.0;
                sql.add(c.name() + " = " + c.name() + " + ").constant(delta, "DOUBLE");
                return row -> row[i] = row[i] == null ? null : (Double) row[i] + delta;
            }
            default -> {
                Object v = c.type().equals("VARCHAR") ? "u" + random.nextInt(3) : value(c.type());
                sql.add(c.name() + " = ").constant(v, c.type());
                return row -> row[i] = v;
            }
        }
    }

    /** The columns an INSERT names: all in table order (then without a list), or the timestamp and some others. */
    private List<Column> insertColumns() {
        List<Column> all = model.columns();
        if (random.nextBoolean()) {
            return all;
        }
        List<Column> some = new ArrayList<>();
        for (Column c : all) {
            if (c.type().equals("TIMESTAMP") || random.nextBoolean()) {
                some.add(c);
            }
        }
        Collections.shuffle(some, random);
        return some;
    }

    private String columnList(List<Column> cols) {
        if (cols.equals(model.columns()) && random.nextBoolean()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        for (Column c : cols) {
            sb.append(sb.length() == 2 ? "" : ", ").append(c.name());
        }
        return sb.append(")").toString();
    }

    /** Writes {@code (v1, v2, ...)} for these columns and returns the full model row (NULL where not named). */
    private Object[] values(Sql sql, List<Column> cols) {
        Object[] row = new Object[model.columns().size()];
        sql.add("(");
        for (int j = 0; j < cols.size(); j++) {
            Column c = cols.get(j);
            Object v = c.type().equals("TIMESTAMP") ? insertTimestamp()
                    : random.nextInt(8) == 0 ? null : value(c.type());
            row[model.index(c.name())] = v;
            sql.add(j == 0 ? "" : ", ").constant(v, c.type());
        }
        sql.add(")");
        return row;
    }

    /** Mostly the five days from BASE (out of order), sometimes a tie with an existing row or another day. */
    private long insertTimestamp() {
        int form = random.nextInt(10);
        if (form == 0 && model.size() > 0) {
            return (Long) random.pick(model.rows())[0];
        }
        if (form == 1 && random.nextInt(4) == 0) {
            return random.pick(FAR_DAYS) + randomTimeOfDay();
        }
        int days = form == 1 ? random.nextInt(10) - 2 : random.nextInt(5);
        return BASE + days * DAY + randomTimeOfDay();
    }

    /** A second of the day, a quarter of the time with microseconds. */
    private long randomTimeOfDay() {
        return random.nextInt(86_400) * 1_000_000L + (random.nextInt(4) == 0 ? random.nextInt(1_000_000) : 0);
    }

    /** A random non-NULL value of a type, from a small range so that conditions match and values collide. */
    private Object value(String type) {
        return switch (type) {
            case "INT" -> random.nextInt(20);
            case "LONG" -> (long) random.nextInt(1000);
            case "DOUBLE" -> random.nextInt(400) / 4.0;
            case "BOOLEAN" -> random.nextBoolean();
            case "VARCHAR" -> switch (random.nextInt(16)) {
                case 0 -> "it's " + random.nextInt(3);
                case 1 -> "ünïcødé ✓ " + random.nextInt(3);
                case 2 -> "long " + "x".repeat(200 + random.nextInt(300));
                case 3 -> "";
                default -> "s" + random.nextInt(5);
            };
            default -> throw new IllegalArgumentException("no values of this type [type=" + type + "]");
        };
    }

    // ---- running statements ----

    /**
     * A statement under construction: its text and, when it runs as a prepared statement, its parameters; plain
     * statements get the constants as literals.
     */
    private static final class Sql {
        final StringBuilder text;
        final boolean prepared;
        final List<Object> values = new ArrayList<>();
        final List<String> types = new ArrayList<>();

        Sql(boolean prepared, String start) {
            this.prepared = prepared;
            this.text = new StringBuilder(start);
        }

        Sql add(String s) {
            text.append(s);
            return this;
        }

        Sql constant(Object v, String type) {
            if (prepared) {
                text.append('?');
                values.add(v);
                types.add(type);
            } else {
                text.append(TableModel.literal(v, type));
            }
            return this;
        }

        @Override
        public String toString() {
            if (!prepared) {
                return text.toString();
            }
            List<String> shown = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                shown.add(TableModel.literal(values.get(i), types.get(i)) + "::" + types.get(i));
            }
            return text + " -- prepared, parameters " + shown;
        }

        void bind(PreparedStatement ps) throws SQLException {
            for (int i = 0; i < values.size(); i++) {
                Object v = values.get(i);
                String type = types.get(i);
                int p = i + 1;
                if (v == null) {
                    ps.setNull(p, sqlType(type));
                    continue;
                }
                switch (type) {
                    case "TIMESTAMP" -> {
                        long micros = (Long) v;
                        // Both ways pgjdbc sends a timestamp: setObject(LocalDateTime), setTimestamp with a calendar.
                        if (Math.floorMod(micros, 2L) == 0) {
                            ps.setObject(p, LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                                    (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC));
                        } else {
                            Timestamp t = new Timestamp(Math.floorDiv(micros, 1_000_000L) * 1000);
                            t.setNanos((int) Math.floorMod(micros, 1_000_000L) * 1000);
                            ps.setTimestamp(p, t, (Calendar) UTC.clone());
                        }
                    }
                    case "INT" -> ps.setInt(p, (Integer) v);
                    case "LONG" -> ps.setLong(p, (Long) v);
                    case "DOUBLE" -> ps.setDouble(p, (Double) v);
                    case "BOOLEAN" -> ps.setBoolean(p, (Boolean) v);
                    default -> ps.setString(p, (String) v);
                }
            }
        }

        private static int sqlType(String type) {
            return switch (type) {
                case "TIMESTAMP" -> Types.TIMESTAMP;
                case "INT" -> Types.INTEGER;
                case "LONG" -> Types.BIGINT;
                case "DOUBLE" -> Types.DOUBLE;
                case "BOOLEAN" -> Types.BOOLEAN;
                default -> Types.VARCHAR;
            };
        }
    }

    private void record(String sql) {
        statement = sql;
        log.add("-- op " + op + "\n" + sql + ";");
    }

    /** Runs one statement from the writer; returns its update count. */
    private long update(Sql sql) throws SQLException {
        record(sql.toString());
        if (!sql.prepared) {
            try (Statement s = writer.createStatement()) {
                s.execute(sql.text.toString());
                return Math.max(s.getUpdateCount(), 0);
            }
        }
        try (PreparedStatement ps = writer.prepareStatement(sql.text.toString())) {
            sql.bind(ps);
            return ps.executeUpdate();
        }
    }

    /** One executeBatch of prepared statements of the same text. */
    private void batch(List<Sql> statements) throws SQLException {
        StringBuilder shown = new StringBuilder("-- batch of " + statements.size());
        for (Sql sql : statements) {
            shown.append('\n').append(sql);
        }
        record(shown.toString());
        try (PreparedStatement ps = writer.prepareStatement(statements.get(0).text.toString())) {
            for (Sql sql : statements) {
                sql.bind(ps);
                ps.addBatch();
            }
            int[] results = ps.executeBatch();
            for (int c : results) {
                assertCount(1, c);
            }
        }
    }

    private void expectError(String state, Sql sql) {
        record(sql.toString());
        try {
            update(sql);
        } catch (SQLException e) {
            if (!state.equals(e.getSQLState())) {
                throw new AssertionError("expected SQLSTATE " + state + " but got " + e.getSQLState() + ": "
                        + e.getMessage(), e);
            }
            return;
        }
        throw new AssertionError("expected SQLSTATE " + state + " but the statement succeeded");
    }

    private void expectUndefinedTable() {
        try (ResultSet rs = selectAll.executeQuery()) {
            throw new AssertionError("the prepared SELECT still reads a table named t");
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw new AssertionError("expected 42P01 from the prepared SELECT but got " + e.getSQLState() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private void assertCount(long expected, long actual) {
        if (expected != actual) {
            throw new AssertionError("update count " + actual + " but the model says " + expected);
        }
    }

    private void createTable(List<Column> columns) throws SQLException {
        StringBuilder sb = new StringBuilder("CREATE TABLE t (");
        for (Column c : columns) {
            sb.append(c == columns.get(0) ? "" : ", ").append(c.name()).append(' ').append(c.type());
        }
        update(new Sql(false, sb + ") TIMESTAMP(ts) PARTITION BY DAY"));
        model = new TableModel(columns);
        ttl = null;
    }

    private void count(String kind) {
        counts.merge(kind, 1, Integer::sum);
    }

    // ---- comparing ----

    /**
     * The whole table from the reader's server-prepared SELECT * (now and then as a plain query, in text), and one
     * day of it from the prepared range SELECT, against the model.
     */
    private void compare() throws SQLException {
        long started = System.nanoTime();
        List<List<Object>> expected = model.expected();
        mostRows = Math.max(mostRows, expected.size());
        if (random.nextInt(8) == 0) {
            assertRows("plain SELECT *", expected, "SELECT * FROM t", false);
        } else {
            assertRows("prepared SELECT *", expected, null, true);
        }
        long day = BASE + (random.nextInt(10) - 2) * DAY;
        List<List<Object>> oneDay = new ArrayList<>();
        for (List<Object> row : expected) {
            if ((Long) row.get(0) >= day && (Long) row.get(0) < day + DAY) {
                oneDay.add(row);
            }
        }
        selectDay.setObject(1, LocalDateTime.ofEpochSecond(day / 1_000_000L, 0, ZoneOffset.UTC));
        selectDay.setObject(2, LocalDateTime.ofEpochSecond((day + DAY) / 1_000_000L, 0, ZoneOffset.UTC));
        try (ResultSet rs = selectDay.executeQuery()) {
            check("prepared SELECT of " + TableModel.partitionName(day), oneDay, read(rs));
        }
        if (random.nextInt(4) == 0) {
            compareSummaries(expected, oneDay, day);
        }
        compareNanos += System.nanoTime() - started;
    }

    /**
     * What an engine may answer from partition metadata instead of the rows: count, min and max of the timestamp
     * over the table and over one day (prepared), and the row and partition counts of {@code tables()}.
     */
    private void compareSummaries(List<List<Object>> all, List<List<Object>> oneDay, long day) throws SQLException {
        try (ResultSet rs = selectStats.executeQuery()) {
            checkRows("count, min(ts), max(ts)", summary(all), read(rs).rows());
        }
        selectDayStats.setObject(1, LocalDateTime.ofEpochSecond(day / 1_000_000L, 0, ZoneOffset.UTC));
        selectDayStats.setObject(2, LocalDateTime.ofEpochSecond((day + DAY) / 1_000_000L, 0, ZoneOffset.UTC));
        try (ResultSet rs = selectDayStats.executeQuery()) {
            checkRows("count, min(ts), max(ts) of " + TableModel.partitionName(day), summary(oneDay),
                    read(rs).rows());
        }
        try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT row_count, partition_count FROM tables() WHERE table_name = 't'")) {
            List<List<Object>> expected = List.of(Arrays.asList((long) all.size(), model.partitions().size()));
            List<List<Object>> actual = read(rs).rows();
            // partition_count may be an INT or a LONG: compare numbers
            if (actual.size() != 1 || ((Number) actual.get(0).get(0)).longValue() != all.size()
                    || ((Number) actual.get(0).get(1)).longValue() != model.partitions().size()) {
                throw new AssertionError("tables() shows [row_count, partition_count] " + actual + " but the model has "
                        + expected + " (partitions " + model.partitions().stream().map(TableModel::partitionName)
                        .toList() + ")");
            }
        }
    }

    /** {@code [count, min(ts), max(ts)]} of rows in scan order (min and max NULL without rows). */
    private static List<List<Object>> summary(List<List<Object>> rows) {
        Object min = rows.stream().map(r -> (Long) r.get(0)).min(Long::compare).orElse(null);
        Object max = rows.stream().map(r -> (Long) r.get(0)).max(Long::compare).orElse(null);
        return List.of(Arrays.asList((long) rows.size(), min, max));
    }

    private void assertRows(String what, List<List<Object>> expected, String plainSql, boolean prepared)
            throws SQLException {
        if (prepared) {
            try (ResultSet rs = selectAll.executeQuery()) {
                check(what, expected, read(rs));
            }
        } else {
            try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery(plainSql)) {
                check(what, expected, read(rs));
            }
        }
    }

    /** Waits up to 15 s for the table to match the model (for changes the housekeeping jobs make). */
    private void awaitModel(String what) throws SQLException, InterruptedException {
        long started = System.nanoTime();
        long deadline = started + 15_000_000_000L;
        while (true) {
            List<List<Object>> actual;
            try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM t")) {
                actual = read(rs).rows;
            }
            if (TableModel.firstDifference(model.expected(), actual) == null) {
                ttlWaitNanos += System.nanoTime() - started;
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 15 s waiting: " + what + ": "
                        + TableModel.firstDifference(model.expected(), actual));
            }
            Thread.sleep(50);
        }
    }

    private void assertTtl() throws SQLException {
        try (Statement s = reader.createStatement();
             ResultSet rs = s.executeQuery("SELECT ttl FROM tables() WHERE table_name = 't'")) {
            if (!rs.next()) {
                throw new AssertionError("tables() has no row for t");
            }
            String shown = rs.getString(1);
            if (!java.util.Objects.equals(ttl, shown)) {
                throw new AssertionError("tables() shows ttl " + shown + " but the last SET TTL was " + ttl);
            }
        }
    }

    /** A result: its column names and rows, values in the model's representation. */
    private record Read(List<String> names, List<List<Object>> rows) {
    }

    private static Read read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            names.add(md.getColumnName(i));
        }
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
            Object[] row = new Object[n];
            for (int i = 1; i <= n; i++) {
                row[i - 1] = switch (md.getColumnType(i)) {
                    case Types.TIMESTAMP -> {
                        Timestamp t = rs.getTimestamp(i, (Calendar) UTC.clone());
                        yield t == null ? null
                                : Math.floorDiv(t.getTime(), 1000L) * 1_000_000L + t.getNanos() / 1000;
                    }
                    case Types.INTEGER -> nullable(rs, rs.getInt(i));
                    case Types.BIGINT -> nullable(rs, rs.getLong(i));
                    case Types.DOUBLE -> nullable(rs, rs.getDouble(i));
                    case Types.BOOLEAN, Types.BIT -> nullable(rs, rs.getBoolean(i));
                    case Types.VARCHAR -> rs.getString(i);
                    default -> throw new AssertionError("unexpected column type " + md.getColumnTypeName(i)
                            + " [column=" + md.getColumnName(i) + "]");
                };
            }
            rows.add(Arrays.asList(row));
        }
        return new Read(names, rows);
    }

    private static Object nullable(ResultSet rs, Object value) throws SQLException {
        return rs.wasNull() ? null : value;
    }

    private static void checkRows(String what, List<List<Object>> expected, List<List<Object>> actual) {
        String difference = TableModel.firstDifference(expected, actual);
        if (difference != null) {
            throw new AssertionError(what + " disagrees with the model: " + difference);
        }
    }

    private void check(String what, List<List<Object>> expected, Read actual) {
        List<String> names = model.columns().stream().map(Column::name).toList();
        if (!names.equals(actual.names())) {
            throw new AssertionError(what + ": columns " + actual.names() + " but the model has " + names);
        }
        checkRows(what, expected, actual.rows());
    }

    // ---- the server ----

    private void connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("prepareThreshold", "1"); // named server-side statements from the first execution
        writer = server.connect(ServerProcess.ADMIN, ServerProcess.PASSWORD, props);
        reader = server.connect(ServerProcess.ADMIN, ServerProcess.PASSWORD, props);
        selectAll = reader.prepareStatement("SELECT * FROM t");
        selectDay = reader.prepareStatement("SELECT * FROM t WHERE ts >= ? AND ts < ?");
        selectStats = reader.prepareStatement("SELECT count(*), min(ts), max(ts) FROM t");
        selectDayStats = reader.prepareStatement("SELECT count(*), min(ts), max(ts) FROM t WHERE ts >= ? AND ts < ?");
    }

    private void closeConnections() throws SQLException {
        for (AutoCloseable c : new AutoCloseable[] {selectAll, selectDay, selectStats, selectDayStats, reader, writer}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the server may be gone already; nothing to release then
            }
        }
    }

    /** Counts what the housekeeping jobs of the server that just stopped said they did. */
    private void harvestLog() {
        for (String line : server.log().split("\n")) {
            compactions += line.contains("compacted partition") ? 1 : 0;
            ttlDrops += line.contains("ttl dropped expired partitions") ? 1 : 0;
            replans += line.contains("cached plan must not change result type") ? 1 : 0;
        }
    }

    /**
     * SIGTERM (exit code 0), a new server on the same root, new connections; then the table must match. Every
     * other time the writer is in the middle of a block of inserts when the server stops: they must not survive.
     */
    private void restart(Path root) throws SQLException, InterruptedException {
        long started = System.nanoTime();
        if (counts.getOrDefault("restart", 0) % 2 == 0) {
            writer.setAutoCommit(false);
            record("BEGIN");
            List<Column> cols = insertColumns();
            Sql sql = new Sql(random.nextBoolean(), "INSERT INTO t" + columnList(cols) + " VALUES ");
            values(sql, cols);
            assertCount(1, update(sql));
            count("restart in open block");
        } else {
            closeConnections();
        }
        record("-- restart");
        int exit = server.stop();
        harvestLog();
        closeConnections();
        if (exit != 0) {
            throw new AssertionError("server exited with " + exit + " after SIGTERM:\n" + server.log());
        }
        try {
            server = ServerProcess.start(root, "--housekeeping-interval", "100ms");
        } catch (java.io.IOException e) {
            throw new AssertionError("restart failed", e);
        }
        connect();
        restartNanos += System.nanoTime() - started;
        count("restart");
        assertRows("after restart", model.expected(), "SELECT * FROM t", false);
        compare();
        assertTtl();
    }
}
