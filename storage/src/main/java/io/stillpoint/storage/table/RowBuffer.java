package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;

import java.util.Arrays;

/**
 * Rows of one transaction, buffered column-wise in growable primitive arrays until commit: INT, LONG,
 * TIMESTAMP and BOOLEAN in {@code long[]}, DOUBLE in {@code double[]}, VARCHAR as String references, and a
 * null bitmap per column. Adding a row allocates nothing once the arrays have grown.
 */
final class RowBuffer {

    /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: partition names and keys stay well-formed inside. */
    static final long MIN_PARTITIONED_TS = -62_135_596_800_000_000L;
    static final long MAX_PARTITIONED_TS = 253_402_300_799_999_999L;

    final TableSchema schema;
    final ColumnType[] types;
    final long[][] longs;
    final double[][] doubles;
    final String[][] strings;
    final long[][] nullBits;
    final int[] nullCounts;
    private int size;
    private int capacity;

    RowBuffer(TableSchema schema) {
        this.schema = schema;
        int n = schema.columnCount();
        types = new ColumnType[n];
        longs = new long[n][];
        doubles = new double[n][];
        strings = new String[n][];
        nullBits = new long[n][];
        nullCounts = new int[n];
        capacity = 64;
        for (int c = 0; c < n; c++) {
            types[c] = schema.columns().get(c).type();
            switch (types[c]) {
                case DOUBLE:
                    doubles[c] = new double[capacity];
                    break;
                case VARCHAR:
                    strings[c] = new String[capacity];
                    break;
                default:
                    longs[c] = new long[capacity];
            }
            nullBits[c] = new long[capacity / 64];
        }
    }

    int size() {
        return size;
    }

    boolean isNull(int column, int row) {
        return (nullBits[column][row >>> 6] & (1L << row)) != 0;
    }

    /** Row {@code row}, boxed as {@link #add} takes it (for an out-of-order merge). */
    Object[] row(int row) {
        Object[] r = new Object[types.length];
        for (int c = 0; c < types.length; c++) {
            if (isNull(c, row)) {
                continue;
            }
            switch (types[c]) {
                case BOOLEAN:
                    r[c] = longs[c][row] != 0;
                    break;
                case INT:
                    r[c] = (int) longs[c][row];
                    break;
                case DOUBLE:
                    r[c] = doubles[c][row];
                    break;
                case VARCHAR:
                    r[c] = strings[c][row];
                    break;
                default:
                    r[c] = longs[c][row];
            }
        }
        return r;
    }

    void clear() {
        for (int c = 0; c < types.length; c++) {
            if (nullCounts[c] > 0) {
                Arrays.fill(nullBits[c], 0, (size + 63) >>> 6, 0L);
                nullCounts[c] = 0;
            }
            if (strings[c] != null) {
                Arrays.fill(strings[c], 0, size, null);
            }
        }
        size = 0;
    }

    /** Validates and appends one row; on a bad value nothing is appended. */
    void add(Object[] values) {
        if (values == null || values.length != types.length) {
            throw StorageErrors.invalid("wrong number of values [table=" + schema.name() + ", expected="
                    + types.length + ", found=" + (values == null ? 0 : values.length) + "]");
        }
        int ts = schema.timestampIndex();
        if (ts >= 0 && values[ts] == null) {
            throw StorageErrors.invalid("designated timestamp must not be null [table=" + schema.name()
                    + ", column=" + schema.columns().get(ts).name() + "]");
        }
        if (ts >= 0 && schema.partitionBy() != io.stillpoint.storage.PartitionBy.NONE
                && values[ts] instanceof Number n
                && (n.longValue() < MIN_PARTITIONED_TS || n.longValue() > MAX_PARTITIONED_TS)) {
            throw StorageErrors.invalid("designated timestamp out of range for a partitioned table [table="
                    + schema.name() + ", value=" + n + ", min=0001-01-01T00:00:00Z, max=9999-12-31T23:59:59.999999Z]");
        }
        // Validate every value before storing any, so a rejected row leaves no trace.
        for (int c = 0; c < types.length; c++) {
            Object v = values[c];
            if (v != null && !accepts(types[c], v)) {
                ColumnSpec spec = schema.columns().get(c);
                throw StorageErrors.invalid("value does not fit column type [table=" + schema.name() + ", column="
                        + spec.name() + ", type=" + spec.type() + ", value=" + v + ", class="
                        + v.getClass().getSimpleName() + "]");
            }
        }
        if (size == capacity) {
            grow();
        }
        int row = size;
        for (int c = 0; c < types.length; c++) {
            Object v = values[c];
            if (v == null) {
                nullBits[c][row >>> 6] |= 1L << row;
                nullCounts[c]++;
                switch (types[c]) {
                    case DOUBLE:
                        doubles[c][row] = 0;
                        break;
                    case VARCHAR:
                        strings[c][row] = null;
                        break;
                    default:
                        longs[c][row] = 0;
                }
                continue;
            }
            switch (types[c]) {
                case BOOLEAN:
                    longs[c][row] = ((Boolean) v) ? 1 : 0;
                    break;
                case DOUBLE:
                    doubles[c][row] = ((Number) v).doubleValue();
                    break;
                case VARCHAR:
                    strings[c][row] = v.toString();
                    break;
                default:
                    longs[c][row] = ((Number) v).longValue();
            }
        }
        size++;
    }

    private static boolean accepts(ColumnType type, Object v) {
        switch (type) {
            case BOOLEAN:
                return v instanceof Boolean;
            case INT:
                if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
                    return true;
                }
                return v instanceof Long && (Long) v == (int) (long) (Long) v;
            case LONG:
            case TIMESTAMP:
                return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
            case DOUBLE:
                return v instanceof Double || v instanceof Float || v instanceof Long || v instanceof Integer
                        || v instanceof Short || v instanceof Byte;
            case VARCHAR:
                return v instanceof String;
            default:
                throw new StorageException(StorageException.Kind.UNSUPPORTED, "unknown column type [type=" + type + "]");
        }
    }

    private void grow() {
        int next = capacity * 2;
        for (int c = 0; c < types.length; c++) {
            if (longs[c] != null) {
                longs[c] = Arrays.copyOf(longs[c], next);
            }
            if (doubles[c] != null) {
                doubles[c] = Arrays.copyOf(doubles[c], next);
            }
            if (strings[c] != null) {
                strings[c] = Arrays.copyOf(strings[c], next);
            }
            nullBits[c] = Arrays.copyOf(nullBits[c], next / 64);
        }
        capacity = next;
    }
}
