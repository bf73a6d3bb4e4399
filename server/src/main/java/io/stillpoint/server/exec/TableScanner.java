package io.stillpoint.server.exec;

import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.TableSnapshot;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Reads a table snapshot partition by partition in chunks of {@link #CHUNK_ROWS} rows. Range filters on
 * numeric and timestamp columns run as primitive loops over the chunk and produce a selection vector; other
 * columns are read only for chunks with at least one selected row. Partitions whose time range cannot meet
 * the designated timestamp's bounds are skipped without reading. Owns the snapshot: {@link #close()} releases it.
 */
final class TableScanner implements AutoCloseable {

    static final int CHUNK_ROWS = 32_768;
    /** Up to this many selected rows in a batch, other columns are read row by row rather than chunk by chunk. */
    static final int SPARSE_ROWS = 16;

    /**
     * {@code lo <= value <= hi} on one column, for rows whose value is not NULL. Integer-like columns (INT,
     * LONG, TIMESTAMP) use the long bounds, DOUBLE columns the double bounds; a VARCHAR column is compared for
     * equality with {@link #text}.
     */
    static final class RangeFilter {
        final int column;
        final boolean doubles;
        long lo = Long.MIN_VALUE;
        long hi = Long.MAX_VALUE;
        double dlo = Double.NEGATIVE_INFINITY;
        double dhi = Double.POSITIVE_INFINITY;
        /** For a VARCHAR equality: the value (null: the constant was NULL, nothing matches). */
        final boolean isText;
        String text;

        RangeFilter(int column, boolean doubles) {
            this.column = column;
            this.doubles = doubles;
            this.isText = false;
        }

        private RangeFilter(int column, String text) {
            this.column = column;
            this.doubles = false;
            this.isText = true;
            this.text = text;
        }

        static RangeFilter textEquals(int column, String value) {
            return new RangeFilter(column, value);
        }

        boolean empty() {
            if (isText) {
                return text == null;
            }
            return doubles ? !(dlo <= dhi) : lo > hi;
        }

        /** Selects the rows of {@code in} (all rows when null) that pass; returns how many went to {@code out}. */
        int apply(ColumnChunk c, int count, int[] in, int nIn, int[] out) {
            // One small method per case so that each loop is compiled on its own with a clean type profile.
            if (isText) {
                return textEquals(c, count, in, nIn, text, out);
            }
            if (doubles) {
                return in == null ? doublesAll(c, count, dlo, dhi, out) : doublesSelected(c, in, nIn, dlo, dhi, out);
            }
            if (in == null) {
                return lo == hi ? longsEqualAll(c, count, lo, out) : longsAll(c, count, lo, hi, out);
            }
            return longsSelected(c, in, nIn, lo, hi, out);
        }

        private static int textEquals(ColumnChunk c, int count, int[] in, int nIn, String v, int[] out) {
            int n = 0;
            int end = in == null ? count : nIn;
            for (int k = 0; k < end; k++) {
                int i = in == null ? k : in[k];
                if (v.equals(c.getString(i))) {
                    out[n++] = i;
                }
            }
            return n;
        }

        private static int longsEqualAll(ColumnChunk c, int count, long v, int[] out) {
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (c.getLong(i) == v && !c.isNull(i)) {
                    out[n++] = i;
                }
            }
            return n;
        }

        private static int longsAll(ColumnChunk c, int count, long a, long b, int[] out) {
            int n = 0;
            for (int i = 0; i < count; i++) {
                long x = c.getLong(i);
                if (x >= a && x <= b && !c.isNull(i)) {
                    out[n++] = i;
                }
            }
            return n;
        }

        private static int longsSelected(ColumnChunk c, int[] in, int nIn, long a, long b, int[] out) {
            int n = 0;
            for (int k = 0; k < nIn; k++) {
                int i = in[k];
                long x = c.getLong(i);
                if (x >= a && x <= b && !c.isNull(i)) {
                    out[n++] = i;
                }
            }
            return n;
        }

        private static int doublesAll(ColumnChunk c, int count, double a, double b, int[] out) {
            int n = 0;
            for (int i = 0; i < count; i++) {
                double x = c.getDouble(i);
                if (x >= a && x <= b && !c.isNull(i)) {
                    out[n++] = i;
                }
            }
            return n;
        }

        private static int doublesSelected(ColumnChunk c, int[] in, int nIn, double a, double b, int[] out) {
            int n = 0;
            for (int k = 0; k < nIn; k++) {
                int i = in[k];
                double x = c.getDouble(i);
                if (x >= a && x <= b && !c.isNull(i)) {
                    out[n++] = i;
                }
            }
            return n;
        }
    }

    /** A run of rows of one partition and the selected row indexes within it. */
    final class Batch {
        PartitionSnapshot partition;
        long firstRow;
        int count;
        /** Selected indexes in [0, count), or null when every row is selected. */
        int[] sel;
        int n;
        private final ColumnChunk[] chunks;

        Batch(int columnCount) {
            chunks = new ColumnChunk[columnCount];
        }

        ColumnChunk column(int c) {
            ColumnChunk chunk = chunks[c];
            if (chunk == null) {
                chunk = partition.read(c, firstRow, count);
                chunks[c] = chunk;
            }
            return chunk;
        }

        /**
         * One value of a selected row. When few rows of the batch are selected (a point lookup), columns not
         * loaded yet are read for that row alone instead of for the whole chunk.
         */
        Object value(int c, int i) {
            ColumnChunk chunk = chunks[c];
            if (chunk == null) {
                if (sel != null && n <= SPARSE_ROWS) {
                    return partition.read(c, firstRow + i, 1).getValue(0);
                }
                chunk = column(c);
            }
            return chunk.getValue(i);
        }

        int row(int k) {
            return sel == null ? k : sel[k];
        }

        private void reset(PartitionSnapshot p, long first, int rows) {
            partition = p;
            firstRow = first;
            count = rows;
            java.util.Arrays.fill(chunks, null);
        }
    }

    private final TableSnapshot snapshot;
    private final StatementGuard guard;
    private final List<PartitionSnapshot> partitions;
    private final RangeFilter[] filters;
    /** The filters the current partition needs: a designated-timestamp range that covers it entirely is dropped. */
    private RangeFilter[] activeFilters;
    private final int tsColumn;
    private final Batch batch;
    private final int[] selA = new int[CHUNK_ROWS];
    private final int[] selB = new int[CHUNK_ROWS];
    private final boolean nothing;
    /** Bounds of the designated timestamp from the filters, for partition pruning. */
    private final long tsLo;
    private final long tsHi;
    private final boolean tsBounded;
    private int partitionIndex = -1;
    private PartitionSnapshot partition;
    private long partitionRows;
    private long nextRow;
    private boolean closed;

    // row-at-a-time iteration state
    private boolean batchValid;
    private int batchPos;
    private final int[] rowColumns;
    private final int[] restColumns;
    private int currentRow;

    /**
     * @param filters     range filters, all of which a row must pass (may be empty)
     * @param rowColumns  the columns {@link #nextRow} fills: those a residual predicate needs
     * @param restColumns the columns {@link #completeRow} adds for rows the residual predicate accepted
     */
    TableScanner(TableSnapshot snapshot, RangeFilter[] filters, int[] rowColumns, int[] restColumns) {
        this(snapshot, filters, rowColumns, restColumns, null);
    }

    /** As above, polling {@code guard} (may be null) once per chunk so a cancel or timeout stops the scan. */
    TableScanner(TableSnapshot snapshot, RangeFilter[] filters, int[] rowColumns, int[] restColumns,
                 StatementGuard guard) {
        this.guard = guard;
        this.snapshot = snapshot;
        this.partitions = snapshot.partitions();
        this.filters = filters;
        this.rowColumns = rowColumns;
        this.restColumns = restColumns;
        this.tsColumn = snapshot.schema().timestampIndex();
        this.batch = new Batch(snapshot.schema().columnCount());
        this.activeFilters = filters;
        boolean none = false;
        long lo = Long.MIN_VALUE;
        long hi = Long.MAX_VALUE;
        boolean bounded = false;
        for (RangeFilter f : filters) {
            none |= f.empty();
            if (f.column == tsColumn && !f.doubles && !f.isText) {
                lo = Math.max(lo, f.lo);
                hi = Math.min(hi, f.hi);
                bounded = true;
            }
        }
        this.nothing = none;
        this.tsLo = lo;
        this.tsHi = hi;
        this.tsBounded = bounded;
    }

    /** The next batch with at least one selected row, or null at the end. The batch is reused. */
    Batch nextBatch() {
        if (nothing) {
            return null;
        }
        while (true) {
            if (guard != null) {
                guard.check();
            }
            while (partition == null || nextRow >= partitionRows) {
                if (!advancePartition()) {
                    return null;
                }
            }
            int count = (int) Math.min(CHUNK_ROWS, partitionRows - nextRow);
            batch.reset(partition, nextRow, count);
            nextRow += count;
            int[] in = null;
            int n = count;
            int[] out = selA;
            for (RangeFilter f : activeFilters) {
                n = f.apply(batch.column(f.column), count, in, n, out);
                in = out;
                out = out == selA ? selB : selA;
                if (n == 0) {
                    break;
                }
            }
            if (n > 0) {
                batch.sel = in;
                batch.n = n;
                return batch;
            }
        }
    }

    private boolean advancePartition() {
        while (++partitionIndex < partitions.size()) {
            PartitionSnapshot p = partitions.get(partitionIndex);
            if (p.rowCount() == 0 || pruned(p)) {
                continue;
            }
            partition = p;
            partitionRows = p.rowCount();
            nextRow = 0;
            activeFilters = filtersFor(p);
            return true;
        }
        partition = null;
        return false;
    }

    private RangeFilter[] filtersFor(PartitionSnapshot p) {
        if (!tsBounded) {
            return filters;
        }
        long min = p.minTimestamp();
        long max = p.maxTimestamp();
        if (min == Long.MIN_VALUE || max == Long.MAX_VALUE) {
            return filters; // unknown bounds
        }
        int keep = 0;
        RangeFilter[] out = new RangeFilter[filters.length];
        for (RangeFilter f : filters) {
            boolean covers = f.column == tsColumn && !f.doubles && !f.isText && f.lo <= min && max <= f.hi;
            if (!covers) {
                out[keep++] = f;
            }
        }
        return keep == filters.length ? filters : java.util.Arrays.copyOf(out, keep);
    }

    /**
     * Whether the designated timestamp's filter bounds exclude every row of a partition: by the partition's
     * recorded min/max timestamps, and by the time range its name stands for.
     */
    private boolean pruned(PartitionSnapshot p) {
        if (!tsBounded) {
            return false;
        }
        if (p.maxTimestamp() < tsLo || p.minTimestamp() > tsHi) {
            return true;
        }
        long[] range = partitionRange(p.name());
        return range != null && (range[1] <= tsLo || range[0] > tsHi);
    }

    /**
     * The [start, end) range in microseconds of a partition name: {@code 2026} (YEAR), {@code 2026-11} (MONTH),
     * {@code 2026-11-21} (DAY), {@code 2026-11-21T14} (HOUR); anything after a '.' (a version suffix) is
     * ignored. Null if the name is none of these (e.g. {@code default}): such a partition is never skipped.
     */
    static long[] partitionRange(String name) {
        int dot = name.indexOf('.');
        String s = dot >= 0 ? name.substring(0, dot) : name;
        try {
            LocalDateTime start;
            LocalDateTime end;
            if (s.matches("\\d{4}")) {
                start = LocalDateTime.of(Integer.parseInt(s), 1, 1, 0, 0);
                end = start.plusYears(1);
            } else if (s.matches("\\d{4}-\\d{2}")) {
                start = LocalDateTime.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(5, 7)), 1, 0, 0);
                end = start.plusMonths(1);
            } else if (s.matches("\\d{4}-\\d{2}-\\d{2}")) {
                start = LocalDateTime.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(5, 7)),
                        Integer.parseInt(s.substring(8, 10)), 0, 0);
                end = start.plusDays(1);
            } else if (s.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}")) {
                start = LocalDateTime.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(5, 7)),
                        Integer.parseInt(s.substring(8, 10)), Integer.parseInt(s.substring(11, 13)), 0);
                end = start.plusHours(1);
            } else {
                return null;
            }
            return new long[] {start.toEpochSecond(ZoneOffset.UTC) * Values.MICROS_PER_SECOND,
                    end.toEpochSecond(ZoneOffset.UTC) * Values.MICROS_PER_SECOND};
        } catch (java.time.DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * Fills {@code row} (indexed by column) with the next selected row's values of the row columns.
     * Returns false at the end.
     */
    boolean nextRow(Object[] row) {
        while (!batchValid || batchPos >= batch.n) {
            if (nextBatch() == null) {
                batchValid = false;
                return false;
            }
            batchValid = true;
            batchPos = 0;
        }
        int i = batch.row(batchPos++);
        currentRow = i;
        for (int c : rowColumns) {
            row[c] = batch.value(c, i);
        }
        return true;
    }

    /** Adds the remaining columns of the row {@link #nextRow} returned last. */
    void completeRow(Object[] row) {
        int i = currentRow;
        for (int c : restColumns) {
            row[c] = batch.value(c, i);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            snapshot.close();
        }
    }
}
