package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.fs.FileSystemFacade;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Owner of a table's {@code _txn} file (format version {@value #FORMAT_VERSION}), the truth of what is committed.
 *
 * <p>A double-buffered record: a commit overwrites in place the slot of the state before last, so installing a
 * commit costs one positional write and one fdatasync and never creates a file (no directory fsync). A torn
 * write can only damage the slot being written; the other slot keeps the previous commit. All little-endian:
 * <pre>
 *   header, 64 bytes at offset 0:
 *     0  int  magic 0x53505458 "SPTX"
 *     4  int  format version (1)
 *     8  int  slot capacity C (bytes)
 *     12 int  reserved, 0
 *     16 long table id (the registry's id of the table incarnation owning the directory)
 *     24 ..   zero up to 60
 *     60 int  CRC32C of bytes [0, 60)
 *   slot s (0 or 1) at offset 64 + s * C, holding the commit with txn % 2 == s:
 *     0  int  record length L (bytes, from the slot start, 32 &lt;= L &lt;= C)
 *     4  int  CRC32C of the record bytes [8, L)
 *     8  long txn (commit number; 0 = the empty table)
 *     16 long row count of the table
 *     24 int  column count
 *     28 int  partition count P
 *     32 P partitions, ascending by key, each:
 *          long key (first microsecond of the period; Long.MIN_VALUE for PARTITION BY NONE)
 *          long version (txn that created the directory {@code <name>.<version>/})
 *          long row count, long min designated timestamp, long max designated timestamp
 *          per column: long data file size, long varchar index size, long null list size (see {@link ColumnFiles})
 * </pre>
 * The committed state is the valid slot (length in range, CRC matching) with the higher txn. A slot whose CRC
 * matches but whose contents contradict the schema is corruption, not a torn write: {@link #sanityCheck}
 * reports it with file, offset, expected and found. A record that outgrows C is installed by writing a new file
 * with a larger C to {@code _txn.tmp}, fsync, rename over {@code _txn}, fsync of the table directory.
 */
final class TxnFile implements AutoCloseable {

    static final String NAME = "_txn";
    static final String TEMP_NAME = "_txn.tmp";
    static final int FORMAT_VERSION = 1;
    static final int MAGIC = 0x53505458;
    static final int HEADER_SIZE = 64;
    static final int INITIAL_SLOT_CAPACITY = 4032;
    /** Slot capacity of new _txn files; tests lower it to reach the slot-growth path with few partitions. */
    static volatile int initialSlotCapacity = INITIAL_SLOT_CAPACITY;
    private static final int RECORD_HEADER = 32;

    private final FileSystemFacade fs;
    private final Path dir;
    private final Path path;
    private final long tableId;
    private final TableSchema schema;
    private FileSystemFacade.WritableFile file;
    private int slotCapacity;
    private ByteBuffer encoded = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();

    private TxnFile(FileSystemFacade fs, Path dir, long tableId, TableSchema schema) {
        this.fs = fs;
        this.dir = dir;
        this.path = dir.resolve(NAME);
        this.tableId = tableId;
        this.schema = schema;
    }

    /** Creates {@code <dir>/_txn} holding the empty state (txn 0) durably (tmp, fsync, rename, fsync dir). */
    static TxnFile create(FileSystemFacade fs, Path dir, long tableId, TableSchema schema) throws IOException {
        TxnFile txnFile = new TxnFile(fs, dir, tableId, schema);
        TxnState empty = new TxnState(0, 0, List.of());
        int capacity = initialSlotCapacity;
        txnFile.slotCapacity = capacity;
        try {
            txnFile.installNewFile(empty, null, capacity);
        } catch (IOException | RuntimeException e) {
            txnFile.close();
            throw e;
        }
        return txnFile;
    }

    /** Opens an existing {@code _txn}, validating it; {@link #committed} then returns its committed state. */
    static TxnFile open(FileSystemFacade fs, Path dir, long tableId, TableSchema schema, TxnState[] committed)
            throws IOException {
        TxnFile txnFile = new TxnFile(fs, dir, tableId, schema);
        txnFile.file = fs.openWritable(txnFile.path);
        try {
            committed[0] = txnFile.sanityCheck();
        } catch (RuntimeException | IOException e) {
            txnFile.file.close();
            throw e;
        }
        return txnFile;
    }

    Path path() {
        return path;
    }

    /**
     * Validates header and both slots and returns the committed state.
     *
     * @throws StorageException CORRUPT with file, offset, expected and found
     */
    TxnState sanityCheck() throws IOException {
        long length = file.size();
        if (length >= 4) {
            int magic = read(0, 4).getInt(0);
            if (magic != MAGIC) {
                throw StorageErrors.corrupt("not a stillpoint txn file, bad magic", path, 0, StorageErrors.hex(MAGIC),
                        StorageErrors.hex(magic));
            }
        }
        if (length < HEADER_SIZE) {
            throw StorageErrors.corrupt("txn file too short for its header", path, 0, ">=" + HEADER_SIZE + " bytes",
                    length + " bytes");
        }
        ByteBuffer header = read(0, HEADER_SIZE);
        int magic = header.getInt(0);
        if (magic != MAGIC) {
            throw StorageErrors.corrupt("not a stillpoint txn file, bad magic", path, 0, StorageErrors.hex(MAGIC),
                    StorageErrors.hex(magic));
        }
        crc.reset();
        crc.update(header.array(), 0, 60);
        int expectedCrc = (int) crc.getValue();
        if (header.getInt(60) != expectedCrc) {
            throw StorageErrors.corrupt("txn file header checksum mismatch", path, 60, expectedCrc, header.getInt(60));
        }
        int version = header.getInt(4);
        if (version != FORMAT_VERSION) {
            throw StorageErrors.corrupt("unsupported txn file format version", path, 4, FORMAT_VERSION, version);
        }
        int capacity = header.getInt(8);
        if (capacity < RECORD_HEADER || length < HEADER_SIZE + 2L * capacity) {
            throw StorageErrors.corrupt("txn file slot capacity does not match its length", path, 8,
                    "capacity >= " + RECORD_HEADER + " and length >= 64 + 2 * capacity",
                    "capacity " + capacity + ", length " + length);
        }
        long foundId = header.getLong(16);
        if (foundId != tableId) {
            throw StorageErrors.corrupt("txn file belongs to another table", path, 16, tableId, foundId);
        }
        slotCapacity = capacity;
        TxnState best = null;
        String[] why = new String[2];
        for (int s = 0; s < 2; s++) {
            long at = HEADER_SIZE + (long) s * capacity;
            ByteBuffer slot = read(at, capacity);
            int recordLength = slot.getInt(0);
            if (recordLength < RECORD_HEADER || recordLength > capacity) {
                why[s] = "record length " + recordLength;
                continue;
            }
            crc.reset();
            crc.update(slot.array(), 8, recordLength - 8);
            if ((int) crc.getValue() != slot.getInt(4)) {
                why[s] = "crc32c mismatch";
                continue;
            }
            TxnState state = decode(slot, at, recordLength);
            if (state.txn % 2 != s) {
                throw StorageErrors.corrupt("txn record in the wrong slot", path, at + 8, "txn % 2 == " + s, state.txn);
            }
            if (best == null || state.txn > best.txn) {
                best = state;
            }
        }
        if (best == null) {
            throw StorageErrors.corrupt("no valid commit record in txn file", path, HEADER_SIZE,
                    "a slot with a valid length and crc32c", "slot 0: " + why[0] + ", slot 1: " + why[1]);
        }
        return best;
    }

    private TxnState decode(ByteBuffer slot, long at, int recordLength) {
        long txn = slot.getLong(8);
        long rowCount = slot.getLong(16);
        int columns = slot.getInt(24);
        int partitionCount = slot.getInt(28);
        int n = schema.columnCount();
        if (columns != n) {
            throw StorageErrors.corrupt("txn record column count differs from the schema", path, at + 24, n, columns);
        }
        long perPartition = 40L + 24L * n;
        if (partitionCount < 0 || RECORD_HEADER + partitionCount * perPartition != recordLength) {
            throw StorageErrors.corrupt("txn record length does not match its partition count", path, at,
                    RECORD_HEADER + (long) partitionCount * perPartition, recordLength);
        }
        PartitionBy by = schema.partitionBy();
        List<PartitionState> parts = new ArrayList<>(partitionCount);
        long total = 0;
        long previousKey = 0;
        int p = RECORD_HEADER;
        for (int i = 0; i < partitionCount; i++) {
            long off = at + p;
            long key = slot.getLong(p);
            long version = slot.getLong(p + 8);
            long rows = slot.getLong(p + 16);
            long min = slot.getLong(p + 24);
            long max = slot.getLong(p + 32);
            if (!PartitionScheme.isValidKey(by, key) || (i > 0 && key <= previousKey)) {
                throw StorageErrors.corrupt("txn record partition key invalid or out of order", path, off,
                        "a " + by + " period start above " + (i > 0 ? previousKey : "none"), key);
            }
            if (version < 1 || version > txn || rows < 1) {
                throw StorageErrors.corrupt("txn record partition version or row count out of range", path, off + 8,
                        "1 <= version <= " + txn + " and rows >= 1", "version " + version + ", rows " + rows);
            }
            long[] data = new long[n];
            long[] index = new long[n];
            long[] nulls = new long[n];
            int q = p + 40;
            for (int c = 0; c < n; c++, q += 24) {
                data[c] = slot.getLong(q);
                index[c] = slot.getLong(q + 8);
                nulls[c] = slot.getLong(q + 16);
                checkSizes(schema.columns().get(c).type(), rows, data[c], index[c], nulls[c], at + q, c);
            }
            parts.add(new PartitionState(key, version, rows, min, max, data, index, nulls));
            total += rows;
            previousKey = key;
            p += (int) perPartition;
        }
        if (total != rowCount) {
            throw StorageErrors.corrupt("txn record row count differs from the sum of its partitions", path, at + 16,
                    total, rowCount);
        }
        return new TxnState(txn, rowCount, parts);
    }

    private void checkSizes(ColumnType type, long rows, long data, long index, long nulls, long off, int column) {
        int h = ColumnFiles.HEADER_SIZE;
        boolean ok;
        String expected;
        if (type == ColumnType.VARCHAR) {
            ok = data >= h && index == h + rows * 8;
            expected = "data >= " + h + ", index == " + (h + rows * 8);
        } else {
            ok = data == h + rows * ColumnFiles.width(type) && index == 0;
            expected = "data == " + (h + rows * ColumnFiles.width(type)) + ", index == 0";
        }
        boolean nullsOk = nulls == 0 || (nulls > h && (nulls - h) % 8 == 0 && (nulls - h) / 8 <= rows);
        if (!ok || !nullsOk) {
            throw StorageErrors.corrupt("txn record column sizes inconsistent with row count [column=" + column
                    + ", rows=" + rows + "]", path, off, expected + ", nulls 0 or 16 + 8k (k <= rows)",
                    "data " + data + ", index " + index + ", nulls " + nulls);
        }
    }

    private ByteBuffer read(long position, int size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        ColumnFiles.readFully(file, path, buf, position);
        buf.flip();
        return buf;
    }

    /**
     * Installs {@code next} durably: one write into its slot and one fdatasync. On failure, tries to invalidate
     * the half-installed slot so that a reopen cannot pick up a commit the caller was told failed.
     */
    void install(TxnState next, TxnState previous) throws IOException {
        ByteBuffer record = encode(next);
        try {
            if (record.remaining() > slotCapacity) {
                int capacity = slotCapacity;
                while (capacity < record.remaining() * 2) {
                    capacity *= 2;
                }
                installNewFile(next, previous, capacity);
            } else {
                file.write(record, HEADER_SIZE + (next.txn % 2) * (long) slotCapacity);
                file.sync();
            }
        } catch (UnrecoverableCommitException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // The slot of next.txn held the state before last (or, in a new file, the new record): zeroing its
            // length makes it invalid, so the previous commit, in the other slot, stays the committed one.
            try {
                file.write(ByteBuffer.allocate(8), HEADER_SIZE + (next.txn % 2) * (long) slotCapacity);
                file.sync();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
                throw new UnrecoverableCommitException(e);
            }
            throw e;
        }
    }

    /** Thrown when a failed slot could not be invalidated: the table must not take further commits. */
    static final class UnrecoverableCommitException extends IOException {
        UnrecoverableCommitException(Throwable cause) {
            super("failed commit record could not be invalidated", cause);
        }
    }

    private void installNewFile(TxnState next, TxnState previous, int capacity) throws IOException {
        Path temp = dir.resolve(TEMP_NAME);
        ByteBuffer image = ByteBuffer.allocate(HEADER_SIZE + 2 * capacity).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(0, MAGIC).putInt(4, FORMAT_VERSION).putInt(8, capacity).putLong(16, tableId);
        crc.reset();
        crc.update(image.array(), 0, 60);
        image.putInt(60, (int) crc.getValue());
        if (previous != null) {
            ByteBuffer old = encode(previous);
            image.put(HEADER_SIZE + (int) (previous.txn % 2) * capacity, old, old.position(), old.remaining());
        }
        ByteBuffer record = encode(next);
        image.put(HEADER_SIZE + (int) (next.txn % 2) * capacity, record, record.position(), record.remaining());
        try (FileSystemFacade.WritableFile out = fs.openWritable(temp)) {
            out.write(image, 0);
            out.sync();
        }
        fs.rename(temp, path);
        // From here on the new file is the installed one: switch to it before anything else can fail.
        FileSystemFacade.WritableFile old = file;
        try {
            file = fs.openWritable(path);
        } catch (IOException e) {
            throw new UnrecoverableCommitException(e);
        }
        slotCapacity = capacity;
        if (old != null) {
            old.close();
        }
        fs.syncDirectory(dir);
    }

    /** Serializes a state into the reusable buffer; returns it flipped (position 0, limit = record length). */
    private ByteBuffer encode(TxnState state) {
        int n = schema.columnCount();
        int length = RECORD_HEADER + state.partitions.size() * (40 + 24 * n);
        if (encoded.capacity() < length) {
            encoded = ByteBuffer.allocate(Math.max(length, encoded.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer b = encoded;
        b.clear();
        b.putInt(length).putInt(0).putLong(state.txn).putLong(state.rowCount).putInt(n)
                .putInt(state.partitions.size());
        for (PartitionState p : state.partitions) {
            b.putLong(p.key).putLong(p.version).putLong(p.rowCount).putLong(p.minTimestamp).putLong(p.maxTimestamp);
            for (int c = 0; c < n; c++) {
                b.putLong(p.dataSizes[c]).putLong(p.indexSizes[c]).putLong(p.nullSizes[c]);
            }
        }
        crc.reset();
        crc.update(b.array(), 8, length - 8);
        b.putInt(4, (int) crc.getValue());
        b.flip();
        return b;
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
