package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.fs.FileSystemFacade;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads one committed partition version with positional reads, never past the sizes its {@link PartitionState}
 * records. Each {@link #read} returns a chunk backed by its own buffer, valid after later reads.
 */
final class CommittedPartitionSnapshot implements PartitionSnapshot {

    private final Table table;
    private final PartitionState state;
    private final CommittedTableSnapshot owner;
    private final String name;
    private final Path dir;
    private final long[][] nullRows;

    CommittedPartitionSnapshot(Table table, PartitionState state, CommittedTableSnapshot owner) {
        this.table = table;
        this.state = state;
        this.owner = owner;
        this.name = table.partitionName(state);
        this.dir = table.partitionDir(state);
        this.nullRows = new long[table.schema.columnCount()][];
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long rowCount() {
        return state.rowCount;
    }

    @Override
    public long minTimestamp() {
        return table.schema.timestampIndex() < 0 ? Long.MIN_VALUE : state.minTimestamp;
    }

    @Override
    public long maxTimestamp() {
        return table.schema.timestampIndex() < 0 ? Long.MAX_VALUE : state.maxTimestamp;
    }

    @Override
    public ColumnChunk read(int columnIndex, long firstRow, int count) {
        if (owner.isClosed()) {
            throw new StorageException(StorageException.Kind.INVALID, "snapshot is closed [table="
                    + table.schema.name() + "]");
        }
        if (columnIndex < 0 || columnIndex >= table.schema.columnCount() || firstRow < 0 || count < 0
                || firstRow + count > state.rowCount) {
            throw new StorageException(StorageException.Kind.INVALID, "read out of range [table="
                    + table.schema.name() + ", partition=" + name + ", column=" + columnIndex + ", firstRow="
                    + firstRow + ", count=" + count + ", rows=" + state.rowCount + "]");
        }
        ColumnType type = table.schema.columns().get(columnIndex).type();
        Path path = dir.resolve(ColumnFiles.dataName(columnIndex));
        try {
            long[] nulls = nullMask(columnIndex, type, firstRow, count);
            Table.OpenFile data = table.fileForRead(path, ColumnFiles.MAGIC_DATA, type, state.dataSizes[columnIndex]);
            if (type == ColumnType.VARCHAR) {
                return readVarchar(columnIndex, data.file, path, firstRow, count, nulls);
            }
            int width = ColumnFiles.width(type);
            if ((long) count * width > Integer.MAX_VALUE - 64) {
                throw new StorageException(StorageException.Kind.INVALID, "chunk too large [rows=" + count + "]");
            }
            long at = ColumnFiles.HEADER_SIZE + firstRow * width;
            ByteBuffer buf = data.view(state.dataSizes[columnIndex], at, count * width);
            if (buf == null) {
                buf = ByteBuffer.allocate(count * width).order(ByteOrder.LITTLE_ENDIAN);
                ColumnFiles.readFully(data.file, path, buf, at);
            }
            switch (type) {
                case BOOLEAN:
                    return new Chunks.BooleanChunk(count, nulls, buf);
                case INT:
                    return new Chunks.IntChunk(count, nulls, buf);
                case DOUBLE:
                    return new Chunks.DoubleChunk(count, nulls, buf);
                default:
                    return new Chunks.LongChunk(type, count, nulls, buf);
            }
        } catch (IOException e) {
            throw StorageErrors.io("read failed", path, e);
        }
    }

    private ColumnChunk readVarchar(int c, FileSystemFacade.WritableFile data, Path dataPath, long firstRow, int count,
                                    long[] nulls) throws IOException {
        Path indexPath = dir.resolve(ColumnFiles.indexName(c));
        FileSystemFacade.WritableFile index = table.fileForRead(indexPath, ColumnFiles.MAGIC_INDEX, ColumnType.VARCHAR,
                state.indexSizes[c]).file;
        int extra = firstRow > 0 ? 1 : 0;
        ByteBuffer idx = ByteBuffer.allocate((count + extra) * 8).order(ByteOrder.LITTLE_ENDIAN);
        ColumnFiles.readFully(index, indexPath, idx, ColumnFiles.HEADER_SIZE + (firstRow - extra) * 8);
        long start = extra == 1 ? idx.getLong(0) : 0;
        long[] ends = new long[count];
        long previous = start;
        long bodySize = state.dataSizes[c] - ColumnFiles.HEADER_SIZE;
        for (int i = 0; i < count; i++) {
            long end = idx.getLong((i + extra) * 8);
            if (end < previous || end > bodySize) {
                throw StorageErrors.corrupt("varchar index entry out of range", indexPath,
                        ColumnFiles.HEADER_SIZE + (firstRow + i) * 8, previous + ".." + bodySize, end);
            }
            ends[i] = end;
            previous = end;
        }
        long length = count == 0 ? 0 : ends[count - 1] - start;
        if (length > Integer.MAX_VALUE - 64) {
            throw new StorageException(StorageException.Kind.INVALID, "varchar chunk too large [bytes=" + length + "]");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) length);
        ColumnFiles.readFully(data, dataPath, bytes, ColumnFiles.HEADER_SIZE + start);
        return new Chunks.VarcharChunk(count, nulls, ends, start, bytes.array());
    }

    /** The chunk's null bitmap from the column's null list (loaded once per snapshot), or null if none. */
    private long[] nullMask(int c, ColumnType type, long firstRow, int count) throws IOException {
        long size = state.nullSizes[c];
        if (size == 0) {
            return null;
        }
        long[] rows = nullRows[c];
        if (rows == null) {
            Path path = dir.resolve(ColumnFiles.nullsName(c));
            FileSystemFacade.WritableFile file = table.fileForRead(path, ColumnFiles.MAGIC_NULLS, type, size).file;
            int n = (int) ((size - ColumnFiles.HEADER_SIZE) / 8);
            ByteBuffer buf = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
            ColumnFiles.readFully(file, path, buf, ColumnFiles.HEADER_SIZE);
            rows = new long[n];
            buf.flip();
            buf.asLongBuffer().get(rows);
            for (int i = 0; i < n; i++) {
                if (rows[i] < 0 || rows[i] >= state.rowCount || (i > 0 && rows[i] <= rows[i - 1])) {
                    throw StorageErrors.corrupt("null list entry out of order or range", path,
                            ColumnFiles.HEADER_SIZE + 8L * i, "ascending row numbers below " + state.rowCount,
                            rows[i]);
                }
            }
            nullRows[c] = rows;
        }
        int from = lowerBound(rows, firstRow);
        int to = lowerBound(rows, firstRow + count);
        if (from == to) {
            return null;
        }
        long[] mask = new long[(count + 63) >>> 6];
        for (int i = from; i < to; i++) {
            int bit = (int) (rows[i] - firstRow);
            mask[bit >>> 6] |= 1L << bit;
        }
        return mask;
    }

    private static int lowerBound(long[] a, long key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
