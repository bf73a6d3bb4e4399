package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.StorageException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * {@link ColumnChunk} implementations over bytes read from committed column files: a little-endian heap buffer
 * for fixed-width types, index + bytes for VARCHAR, and a null bitmap (null when the chunk has no NULL).
 * Numeric accessors widen where it is lossless-ish and natural (getDouble of an INT/LONG, getLong of an INT).
 */
final class Chunks {

    private Chunks() {
    }

    abstract static class Base implements ColumnChunk {
        final ColumnType type;
        final int size;
        final long[] nulls;

        Base(ColumnType type, int size, long[] nulls) {
            this.type = type;
            this.size = size;
            this.nulls = nulls;
        }

        @Override
        public ColumnType type() {
            return type;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean isNull(int i) {
            if (i < 0 || i >= size) {
                throw new IndexOutOfBoundsException("row index out of chunk [index=" + i + ", size=" + size + "]");
            }
            return nulls != null && (nulls[i >>> 6] & (1L << i)) != 0;
        }

        @Override
        public boolean getBoolean(int i) {
            throw wrongAccessor("getBoolean");
        }

        @Override
        public long getLong(int i) {
            throw wrongAccessor("getLong");
        }

        @Override
        public double getDouble(int i) {
            throw wrongAccessor("getDouble");
        }

        @Override
        public String getString(int i) {
            return isNull(i) ? null : String.valueOf(getValue(i));
        }

        StorageException wrongAccessor(String accessor) {
            return new StorageException(StorageException.Kind.INVALID,
                    "accessor does not fit column type [accessor=" + accessor + ", type=" + type + "]");
        }
    }

    /** LONG and TIMESTAMP. */
    static final class LongChunk extends Base {
        private final ByteBuffer values;

        LongChunk(ColumnType type, int size, long[] nulls, ByteBuffer values) {
            super(type, size, nulls);
            this.values = values;
        }

        @Override
        public long getLong(int i) {
            return values.getLong(i << 3);
        }

        @Override
        public double getDouble(int i) {
            return values.getLong(i << 3);
        }

        @Override
        public Object getValue(int i) {
            return isNull(i) ? null : (Object) values.getLong(i << 3);
        }
    }

    static final class IntChunk extends Base {
        private final ByteBuffer values;

        IntChunk(int size, long[] nulls, ByteBuffer values) {
            super(ColumnType.INT, size, nulls);
            this.values = values;
        }

        @Override
        public long getLong(int i) {
            return values.getInt(i << 2);
        }

        @Override
        public double getDouble(int i) {
            return values.getInt(i << 2);
        }

        @Override
        public Object getValue(int i) {
            return isNull(i) ? null : (Object) values.getInt(i << 2);
        }
    }

    static final class DoubleChunk extends Base {
        private final ByteBuffer values;

        DoubleChunk(int size, long[] nulls, ByteBuffer values) {
            super(ColumnType.DOUBLE, size, nulls);
            this.values = values;
        }

        @Override
        public double getDouble(int i) {
            return values.getDouble(i << 3);
        }

        @Override
        public Object getValue(int i) {
            return isNull(i) ? null : (Object) values.getDouble(i << 3);
        }
    }

    static final class BooleanChunk extends Base {
        private final ByteBuffer values;

        BooleanChunk(int size, long[] nulls, ByteBuffer values) {
            super(ColumnType.BOOLEAN, size, nulls);
            this.values = values;
        }

        @Override
        public boolean getBoolean(int i) {
            return values.get(i) != 0;
        }

        @Override
        public Object getValue(int i) {
            return isNull(i) ? null : (Object) (values.get(i) != 0);
        }
    }

    /** VARCHAR: {@code ends[i]} is row i's end in {@code bytes}, its start is {@code ends[i-1]} or {@code start}. */
    static final class VarcharChunk extends Base {
        private final long[] ends;
        private final long start;
        private final byte[] bytes;

        VarcharChunk(int size, long[] nulls, long[] ends, long start, byte[] bytes) {
            super(ColumnType.VARCHAR, size, nulls);
            this.ends = ends;
            this.start = start;
            this.bytes = bytes;
        }

        @Override
        public String getString(int i) {
            if (isNull(i)) {
                return null;
            }
            long from = i == 0 ? start : ends[i - 1];
            return new String(bytes, (int) (from - start), (int) (ends[i] - from), StandardCharsets.UTF_8);
        }

        @Override
        public Object getValue(int i) {
            return getString(i);
        }
    }
}
