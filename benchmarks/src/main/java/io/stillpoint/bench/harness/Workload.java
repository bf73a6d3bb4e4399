package io.stillpoint.bench.harness;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Calendar;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TimeZone;

/**
 * One run of the side-by-side workload against one PostgreSQL-wire server, over a single JDBC connection with
 * autocommit on. The phases, in order:
 * <ol>
 *   <li>drop and create table {@code t (ts TIMESTAMP, id BIGINT, v DOUBLE PRECISION)};</li>
 *   <li>unless {@code warmupRows} is 0: the same insert of {@code warmupRows} rows into a scratch table {@code w}
 *       of the same shape, untimed, then {@code w} dropped. A fresh client JVM spends the first seconds compiling
 *       pgjdbc and this harness while it runs (on two cores that CPU is taken from the server under test too);
 *       the warm-up pays that before the clock starts, the same for every server;</li>
 *   <li>insert {@code rows} rows with one prepared INSERT and {@code executeBatch} every {@code batch} rows; with
 *       autocommit on each batch is one implicit transaction, so one commit (and one fsync) per batch. Row
 *       {@code i} is (2026-11-01T00:00:00Z + i seconds, i, i * 0.5);</li>
 *   <li>optionally (PostgreSQL only) a primary key on id, timed separately;</li>
 *   <li>{@code SELECT count(*), sum(v) FROM t}, {@code queryRepeats} times, checked exactly, median time;</li>
 *   <li>point lookups {@code SELECT ts, id, v FROM t WHERE id = ?} with ids drawn from a seeded generator, each
 *       checked to return exactly the one right row, until the count or the time budget is reached;</li>
 *   <li>unless {@code copyRows} is 0: {@code COPY c FROM STDIN (FORMAT csv)} of {@code copyRows} rows of the same
 *       shape into a fresh table {@code c} through pgjdbc's CopyManager (the CSV is generated before the clock
 *       starts, so only the load is timed; checked with count/sum), then {@code COPY t TO STDOUT (FORMAT csv)}
 *       of the inserted table into a counting sink (checked by its line count);</li>
 *   <li>unless {@code rewriteDays} is 0: {@code UPDATE t SET v = v + 1} of one whole day, then {@code DELETE} of
 *       one whole day, each {@code rewriteDays} times on different days, checked by update counts and an exact
 *       count/sum of the table afterwards;</li>
 *   <li>with {@code --checkpoint} (Stillpoint): insert throughput into a fresh table {@code k} without and with an
 *       active {@code CHECKPOINT CREATE} in the same run, then CHECKPOINT CREATE / RELEASE latency.</li>
 * </ol>
 * Any wrong answer aborts the run with an {@link IllegalStateException}: a fast wrong server is not measured.
 */
final class Workload {

    static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    private static final long DAY_ROWS = 86_400; // one row per second
    private static final java.time.format.DateTimeFormatter SQL_TIMESTAMP =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    private final HarnessOptions options;
    private final Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));

    Workload(HarnessOptions options) {
        this.options = options;
    }

    /** Runs every phase once on a fresh connection and returns the metrics of this run. */
    Map<Metric, Double> run() throws SQLException {
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        try (Connection connection = DriverManager.getConnection(options.url(), options.user(), options.password())) {
            connection.setAutoCommit(true);
            createTable(connection);
            if (options.warmupRows() > 0) {
                warmUp(connection);
            }
            insert(connection, metrics);
            if (options.pgIndex()) {
                addPrimaryKey(connection, metrics);
            }
            countAndSum(connection, metrics);
            if (options.lookups() > 0) {
                lookups(connection, metrics);
            }
            if (options.copyRows() > 0) {
                copyIn(connection, metrics);
                copyOut(connection, metrics);
            }
            if (options.rewriteDays() > 0) {
                updateAndDeleteDays(connection, metrics);
            }
            if (options.checkpoint()) {
                insertWithAndWithoutCheckpoint(connection, metrics);
                checkpointLatency(connection, metrics);
            }
        }
        return metrics;
    }

    private void createTable(Connection connection) throws SQLException {
        createTable(connection, "t");
    }

    private void createTable(Connection connection, String name) throws SQLException {
        String create = "CREATE TABLE " + name + " (ts TIMESTAMP, id BIGINT, v DOUBLE PRECISION)";
        if (options.dialect() == HarnessOptions.Dialect.STILLPOINT) {
            create += " TIMESTAMP(ts) PARTITION BY DAY";
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + name);
            statement.execute(create);
        }
    }

    /** The insert phase into a scratch table {@code w}, untimed in the metrics (printed), then w dropped. */
    private void warmUp(Connection connection) throws SQLException {
        createTable(connection, "w");
        long elapsed = insertRows(connection, "w", 0, options.warmupRows(), null);
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE w");
        }
        System.out.printf("warm-up done [label=%s, rows=%d, rows_per_s=%.0f]%n", options.label(),
                options.warmupRows(), options.warmupRows() / (elapsed / 1e9));
    }

    private void insert(Connection connection, Map<Metric, Double> metrics) throws SQLException {
        long rows = options.rows();
        long[] batchNanos = new long[(int) ((rows + options.batch() - 1) / options.batch())];
        long elapsed = insertRows(connection, "t", 0, rows, batchNanos);
        long[] p = Stats.p50p99(batchNanos, batchNanos.length);
        metrics.put(Metric.INSERT_S, elapsed / 1e9);
        metrics.put(Metric.INSERT_ROWS_PER_S, rows / (elapsed / 1e9));
        metrics.put(Metric.INSERT_BATCH_P50_MS, p[0] / 1e6);
        metrics.put(Metric.INSERT_BATCH_P99_MS, p[1] / 1e6);
    }

    /**
     * Inserts rows {@code [first, first + count)} (row i = (START + i s, i, i * 0.5)) into {@code table} with one
     * prepared INSERT, {@code executeBatch} every {@code --batch} rows; fills {@code batchNanos} (one entry per
     * batch, if not null) and returns the elapsed nanoseconds.
     */
    private long insertRows(Connection connection, String table, long first, long count, long[] batchNanos)
            throws SQLException {
        int batch = options.batch();
        long startMillis = START.toEpochMilli();
        int batchCount = 0;
        long begin = System.nanoTime();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
                + " (ts, id, v) VALUES (?, ?, ?)")) {
            long batchBegin = System.nanoTime();
            int pending = 0;
            long end = first + count;
            for (long i = first; i < end; i++) {
                insert.setTimestamp(1, new Timestamp(startMillis + i * 1000L), utc);
                insert.setLong(2, i);
                insert.setDouble(3, i * 0.5);
                insert.addBatch();
                if (++pending == batch || i == end - 1) {
                    checkUpdateCounts(insert.executeBatch(), pending, i);
                    long now = System.nanoTime();
                    if (batchNanos != null) {
                        batchNanos[batchCount++] = now - batchBegin;
                    }
                    batchBegin = now;
                    pending = 0;
                }
            }
        }
        return System.nanoTime() - begin;
    }

    private static void checkUpdateCounts(int[] counts, int expectedRows, long lastRow) {
        if (counts.length != expectedRows) {
            throw new IllegalStateException("batch returned a wrong number of update counts [expected="
                    + expectedRows + ", actual=" + counts.length + ", lastRow=" + lastRow + "]");
        }
        for (int count : counts) {
            // SUCCESS_NO_INFO (-2) is allowed by JDBC; anything else but 1 means a row went missing or doubled.
            if (count != 1 && count != Statement.SUCCESS_NO_INFO) {
                throw new IllegalStateException("insert reported a wrong update count [count=" + count
                        + ", lastRow=" + lastRow + "]");
            }
        }
    }

    private void addPrimaryKey(Connection connection, Map<Metric, Double> metrics) throws SQLException {
        long begin = System.nanoTime();
        try (Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE t ADD PRIMARY KEY (id)");
        }
        metrics.put(Metric.INDEX_BUILD_MS, (System.nanoTime() - begin) / 1e6);
    }

    private void countAndSum(Connection connection, Map<Metric, Double> metrics) throws SQLException {
        long rows = options.rows();
        // Sum of i * 0.5 for i in [0, rows): every partial sum is a multiple of 0.5 below 2^53, so it is exact
        // in a double whatever order the server adds in.
        double expectedSum = 0.5 * ((double) rows * (rows - 1) / 2.0);
        double[] millis = new double[options.queryRepeats()];
        try (PreparedStatement query = connection.prepareStatement("SELECT count(*), sum(v) FROM t")) {
            for (int r = 0; r < millis.length; r++) {
                long begin = System.nanoTime();
                long count;
                double sum;
                try (ResultSet rs = query.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("count/sum returned no row");
                    }
                    count = rs.getLong(1);
                    sum = rs.getDouble(2);
                    if (rs.next()) {
                        throw new IllegalStateException("count/sum returned more than one row");
                    }
                }
                millis[r] = (System.nanoTime() - begin) / 1e6;
                if (count != rows || sum != expectedSum) {
                    throw new IllegalStateException("count/sum is wrong [count=" + count + ", expectedCount=" + rows
                            + ", sum=" + sum + ", expectedSum=" + expectedSum + "]");
                }
            }
        }
        metrics.put(Metric.COUNT_SUM_MS, Stats.median(millis));
    }

    private void lookups(Connection connection, Map<Metric, Double> metrics) throws SQLException {
        SplittableRandom random = new SplittableRandom(options.seed());
        long[] nanos = new long[options.lookups()];
        int done = 0;
        long budget = options.lookupSeconds() * 1_000_000_000L;
        long begin = System.nanoTime();
        try (PreparedStatement query = connection.prepareStatement("SELECT ts, id, v FROM t WHERE id = ?")) {
            while (done < nanos.length && System.nanoTime() - begin < budget) {
                long id = random.nextLong(options.rows());
                long start = System.nanoTime();
                query.setLong(1, id);
                try (ResultSet rs = query.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("lookup found no row [id=" + id + "]");
                    }
                    checkRow(id, rs.getTimestamp(1, utc), rs.getLong(2), rs.getDouble(3));
                    if (rs.next()) {
                        throw new IllegalStateException("lookup found more than one row [id=" + id + "]");
                    }
                }
                nanos[done++] = System.nanoTime() - start;
            }
        }
        long elapsed = System.nanoTime() - begin;
        if (done < nanos.length) {
            System.err.printf("warning: lookup budget reached [label=%s, done=%d, asked=%d, seconds=%d]%n",
                    options.label(), done, nanos.length, options.lookupSeconds());
        }
        long[] p = Stats.p50p99(nanos, done);
        metrics.put(Metric.LOOKUPS, (double) done);
        metrics.put(Metric.LOOKUP_TOTAL_S, elapsed / 1e9);
        // The comparable throughput figure when a time budget cut one server's phase short.
        metrics.put(Metric.LOOKUPS_PER_S, done / (elapsed / 1e9));
        metrics.put(Metric.LOOKUP_P50_US, p[0] / 1e3);
        metrics.put(Metric.LOOKUP_P99_US, p[1] / 1e3);
    }

    private static void checkRow(long id, Timestamp ts, long actualId, double v) {
        Instant expectedTs = START.plusSeconds(id);
        if (actualId != id || v != id * 0.5 || ts == null || !ts.toInstant().equals(expectedTs)) {
            throw new IllegalStateException("lookup returned a wrong row [id=" + id + ", actualId=" + actualId
                    + ", ts=" + (ts == null ? null : ts.toInstant()) + ", expectedTs=" + expectedTs
                    + ", v=" + v + ", expectedV=" + id * 0.5 + "]");
        }
    }

    private void copyIn(Connection connection, Map<Metric, Double> metrics) throws SQLException {
        long rows = options.copyRows();
        String create = "CREATE TABLE c (ts TIMESTAMP, id BIGINT, v DOUBLE PRECISION)";
        if (options.dialect() == HarnessOptions.Dialect.STILLPOINT) {
            create += " TIMESTAMP(ts) PARTITION BY DAY";
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS c");
            statement.execute(create);
        }
        byte[] csv = csvRows(rows);
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        long begin = System.nanoTime();
        long loaded;
        try {
            loaded = copy.copyIn("COPY c FROM STDIN (FORMAT csv)", new ByteArrayInputStream(csv), 1 << 16);
        } catch (IOException e) {
            throw new SQLException("copy in failed", e);
        }
        long elapsed = System.nanoTime() - begin;
        if (loaded != rows) {
            throw new IllegalStateException("COPY FROM reported a wrong row count [expected=" + rows
                    + ", actual=" + loaded + "]");
        }
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*), sum(id) FROM c")) {
            rs.next();
            if (rs.getLong(1) != rows || rs.getLong(2) != rows * (rows - 1) / 2) {
                throw new IllegalStateException("COPY FROM loaded wrong rows [count=" + rs.getLong(1) + "]");
            }
        }
        metrics.put(Metric.COPY_IN_ROWS_PER_S, rows / (elapsed / 1e9));
    }

    /** Rows i in [0, rows) as CSV lines {@code yyyy-mm-dd hh:mm:ss,i,i*0.5}, the same values as the insert phase. */
    private static byte[] csvRows(long rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, rows * 40));
        StringBuilder line = new StringBuilder(64);
        java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(java.time.ZoneOffset.UTC);
        for (long i = 0; i < rows; i++) {
            line.setLength(0);
            line.append(format.format(START.plusSeconds(i))).append(',').append(i).append(',').append(i * 0.5)
                    .append('\n');
            byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
            out.write(bytes, 0, bytes.length);
        }
        return out.toByteArray();
    }

    private void copyOut(Connection connection, Map<Metric, Double> metrics) throws SQLException {
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        LineCounter sink = new LineCounter();
        long begin = System.nanoTime();
        long copied;
        try {
            copied = copy.copyOut("COPY t TO STDOUT (FORMAT csv)", sink);
        } catch (IOException e) {
            throw new SQLException("copy out failed", e);
        }
        long elapsed = System.nanoTime() - begin;
        if (copied != options.rows() || sink.lines != options.rows()) {
            throw new IllegalStateException("COPY TO returned a wrong row count [expected=" + options.rows()
                    + ", reported=" + copied + ", lines=" + sink.lines + "]");
        }
        metrics.put(Metric.COPY_OUT_ROWS_PER_S, options.rows() / (elapsed / 1e9));
    }

    /**
     * {@code UPDATE t SET v = v + 1} of one whole day (86,400 rows), {@code --rewrite-days} times on different
     * days from the first, then {@code DELETE} of one whole day as many times from the last full day backwards;
     * each statement's update count is checked, then count and sum of the whole table (the exact expected sum is
     * computed row by row). Medians of the per-statement times.
     */
    private void updateAndDeleteDays(Connection connection, Map<Metric, Double> metrics) throws SQLException {
        long rows = options.rows();
        int fullDays = (int) (rows / DAY_ROWS);
        int n = Math.min(options.rewriteDays(), fullDays);
        if (n == 0) {
            System.err.printf("warning: no whole day to update or delete [label=%s, rows=%d]%n", options.label(), rows);
            return;
        }
        java.util.Set<Long> updated = new java.util.HashSet<>();
        java.util.Set<Long> deleted = new java.util.HashSet<>();
        double[] updateMillis = new double[n];
        double[] deleteMillis = new double[n];
        try (Statement statement = connection.createStatement()) {
            for (int k = 0; k < n; k++) {
                long day = k;
                updateMillis[k] = timedRewrite(statement, "UPDATE t SET v = v + 1" + dayWhere(day), DAY_ROWS);
                updated.add(day);
            }
            for (int k = 0; k < n; k++) {
                long day = fullDays - 1 - k;
                deleteMillis[k] = timedRewrite(statement, "DELETE FROM t" + dayWhere(day), DAY_ROWS);
                deleted.add(day);
            }
            long expectedCount = 0;
            double expectedSum = 0;
            for (long i = 0; i < rows; i++) {
                long day = i / DAY_ROWS;
                if (!deleted.contains(day)) {
                    expectedCount++;
                    expectedSum += i * 0.5 + (updated.contains(day) ? 1 : 0); // exact: multiples of 0.5 < 2^53
                }
            }
            try (ResultSet rs = statement.executeQuery("SELECT count(*), sum(v) FROM t")) {
                rs.next();
                if (rs.getLong(1) != expectedCount || rs.getDouble(2) != expectedSum) {
                    throw new IllegalStateException("table is wrong after UPDATE/DELETE [count=" + rs.getLong(1)
                            + ", expectedCount=" + expectedCount + ", sum=" + rs.getDouble(2) + ", expectedSum="
                            + expectedSum + "]");
                }
            }
        }
        metrics.put(Metric.UPDATE_DAY_MS, Stats.median(updateMillis));
        metrics.put(Metric.DELETE_DAY_MS, Stats.median(deleteMillis));
    }

    private static String dayWhere(long day) {
        Instant from = START.plusSeconds(day * DAY_ROWS);
        return " WHERE ts >= '" + SQL_TIMESTAMP.format(from) + "' AND ts < '"
                + SQL_TIMESTAMP.format(from.plusSeconds(DAY_ROWS)) + "'";
    }

    private static double timedRewrite(Statement statement, String sql, long expectedRows) throws SQLException {
        long begin = System.nanoTime();
        int count = statement.executeUpdate(sql);
        double millis = (System.nanoTime() - begin) / 1e6;
        if (count != expectedRows) {
            throw new IllegalStateException("wrong update count [sql=" + sql + ", count=" + count + ", expected="
                    + expectedRows + "]");
        }
        return millis;
    }

    /**
     * Insert throughput with and without an active checkpoint, in the same run: after an unmeasured warm-up
     * segment, {@code --checkpoint-segments} segments of {@code --checkpoint-rows} rows into a fresh table
     * {@code k} (continuing timestamps, so every commit appends), without / with / with / without a checkpoint and
     * again (ABBA ABBA ..., so a linear drift of the machine's load over the
     * phase cancels out). CHECKPOINT CREATE before and RELEASE after a "with" segment are outside its clock.
     */
    private void insertWithAndWithoutCheckpoint(Connection connection, Map<Metric, Double> metrics)
            throws SQLException {
        createTable(connection, "k");
        long n = options.checkpointRows();
        boolean[] active = new boolean[options.checkpointSegments()];
        for (int i = 0; i < active.length; i++) {
            active[i] = i % 4 == 1 || i % 4 == 2; // ABBA ABBA ...
        }
        double off = 0;
        double on = 0;
        try (Statement statement = connection.createStatement()) {
            // An unmeasured warm-up segment first: the segment right after the previous phases would otherwise
            // also pay for their after-effects (the purge of what UPDATE/DELETE superseded, JIT of new paths).
            insertRows(connection, "k", 0, n, null);
            for (int segment = 0; segment < active.length; segment++) {
                if (active[segment]) {
                    statement.execute("CHECKPOINT CREATE");
                }
                long elapsed = insertRows(connection, "k", (segment + 1) * n, n, null);
                System.out.printf("checkpoint insert segment [label=%s, segment=%d, checkpoint=%s, rows_per_s=%.0f]%n",
                        options.label(), segment + 1, active[segment] ? "active" : "none", n / (elapsed / 1e9));
                if (active[segment]) {
                    statement.execute("CHECKPOINT RELEASE");
                    on += elapsed;
                } else {
                    off += elapsed;
                }
            }
            try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM k")) {
                rs.next();
                if (rs.getLong(1) != (active.length + 1) * n) {
                    throw new IllegalStateException("checkpoint insert phase lost rows [count=" + rs.getLong(1)
                            + ", expected=" + (active.length + 1) * n + "]");
                }
            }
        }
        double offRate = active.length / 2 * n / (off / 1e9);
        double onRate = active.length / 2 * n / (on / 1e9);
        metrics.put(Metric.CKPT_OFF_INSERT_ROWS_PER_S, offRate);
        metrics.put(Metric.CKPT_ON_INSERT_ROWS_PER_S, onRate);
        metrics.put(Metric.CKPT_ON_OFF_INSERT_RATIO, onRate / offRate);
    }

    /** {@code --checkpoint-cycles} pairs of CHECKPOINT CREATE and CHECKPOINT RELEASE over JDBC, each timed. */
    private void checkpointLatency(Connection connection, Map<Metric, Double> metrics) throws SQLException {
        int cycles = options.checkpointCycles();
        long[] create = new long[cycles];
        long[] release = new long[cycles];
        try (Statement statement = connection.createStatement()) {
            for (int i = 0; i < cycles; i++) {
                long begin = System.nanoTime();
                statement.execute("CHECKPOINT CREATE");
                long created = System.nanoTime();
                try (ResultSet rs = statement.executeQuery("SELECT in_progress FROM checkpoint_status()")) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        throw new IllegalStateException("CHECKPOINT CREATE left no active checkpoint [cycle=" + i + "]");
                    }
                }
                long releaseBegin = System.nanoTime();
                statement.execute("CHECKPOINT RELEASE");
                long released = System.nanoTime();
                create[i] = created - begin;
                release[i] = released - releaseBegin;
            }
        }
        long[] c = Stats.p50p99(create, cycles);
        long[] r = Stats.p50p99(release, cycles);
        metrics.put(Metric.CHECKPOINT_CREATE_P50_MS, c[0] / 1e6);
        metrics.put(Metric.CHECKPOINT_CREATE_P99_MS, c[1] / 1e6);
        metrics.put(Metric.CHECKPOINT_RELEASE_P50_MS, r[0] / 1e6);
        metrics.put(Metric.CHECKPOINT_RELEASE_P99_MS, r[1] / 1e6);
    }

    /** Counts newline bytes and keeps nothing, so the client's cost of COPY TO stays small. */
    private static final class LineCounter extends OutputStream {
        long lines;

        @Override
        public void write(int b) {
            if (b == '\n') {
                lines++;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    lines++;
                }
            }
        }
    }
}
