package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.fs.FileSystemFacade;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Owner of the column file format (format version {@value #FORMAT_VERSION}).
 *
 * <p>Each column {@code i} of a partition version directory has up to three append-only files, all
 * little-endian, each starting with the same 16-byte header:
 * <pre>
 *   offset 0  int  magic: 0x53504344 "SPCD" data, 0x53504349 "SPCI" varchar index, 0x5350434e "SPCN" null list
 *   offset 4  int  format version (1)
 *   offset 8  int  column type ordinal (ColumnType: BOOLEAN 0, INT 1, LONG 2, DOUBLE 3, VARCHAR 4, TIMESTAMP 5)
 *   offset 12 int  reserved, 0
 * </pre>
 * <ul>
 *   <li>{@code c<i>.d} data. Fixed-width types: one value per row after the header: BOOLEAN 1 byte (0/1),
 *       INT 4 bytes, LONG/TIMESTAMP 8 bytes, DOUBLE 8 bytes (IEEE bits, NaN canonical). A NULL row holds 0.
 *       VARCHAR: the UTF-8 bytes of all rows, concatenated (a NULL row contributes no bytes).</li>
 *   <li>{@code c<i>.i} (VARCHAR only): per row an 8-byte end offset of the row's bytes in the data file,
 *       counted from the end of the data file's header; a row's start is the previous row's end (0 for row 0).</li>
 *   <li>{@code c<i>.n} null list, created when the column first holds a NULL in this partition: the row numbers
 *       (8 bytes each, within the partition, strictly ascending) of the NULL rows.</li>
 * </ul>
 * A file's length may exceed the size the table's {@code _txn} records; only the committed size is meaningful and
 * the next commit overwrites the rest. Past it lie the bytes of an interrupted commit, or a zero-filled extent:
 * an append that grows a file past its length also writes zeros up to {@link #extentEnd} (in the same commit,
 * synced with it), so that the next appends overwrite bytes that are already allocated and the file's length
 * does not change. Their fdatasync then flushes data only, without a file-system journal commit, which is what
 * made commits slow and their latency erratic while the file grew at every commit. A file written whole from
 * offset 0 (a new version by a rewrite, a merge or compaction) gets no extent: it stays exactly as long as its
 * content until something is appended to it. A committed size of 0 means the file has not been written yet.
 * {@link #sanityCheck} validates a header and the file's length against the committed size before the first
 * read.
 */
final class ColumnFiles {

    static final int FORMAT_VERSION = 1;
    static final int HEADER_SIZE = 16;
    static final int MAGIC_DATA = 0x53504344;
    static final int MAGIC_INDEX = 0x53504349;
    static final int MAGIC_NULLS = 0x5350434e;

    private ColumnFiles() {
    }

    /** Bytes per row in the data file of a fixed-width type; for VARCHAR, bytes per row of the index file. */
    static int width(ColumnType type) {
        switch (type) {
            case BOOLEAN:
                return 1;
            case INT:
                return 4;
            default:
                return 8;
        }
    }

    /** Smallest zero-filled extent (one file-system block). */
    static final int MIN_EXTENT = 4096;
    /** Largest zero-filled extent: bounds the bytes past the committed size of a file that stopped growing. */
    static final int MAX_EXTENT = 1 << 20;

    /**
     * Where a file whose content now ends at {@code end} should end once extended: a quarter more (at least
     * {@value #MIN_EXTENT}, at most {@value #MAX_EXTENT} bytes), rounded up to a block. So a file grows by a
     * number of extents logarithmic in its size, and at most a quarter of a small file, or 1 MiB of a large one,
     * is unused space.
     */
    static long extentEnd(long end) {
        long extent = Math.min(MAX_EXTENT, Math.max(MIN_EXTENT, end / 4));
        long target = end + extent;
        return (target + MIN_EXTENT - 1) / MIN_EXTENT * MIN_EXTENT;
    }

    static String dataName(int column) {
        return "c" + column + ".d";
    }

    static String indexName(int column) {
        return "c" + column + ".i";
    }

    static String nullsName(int column) {
        return "c" + column + ".n";
    }

    /** Puts a header at the buffer's position. */
    static void putHeader(ByteBuffer buf, int magic, ColumnType type) {
        buf.putInt(magic).putInt(FORMAT_VERSION).putInt(type.ordinal()).putInt(0);
    }

    static String magicName(int magic) {
        return magic == MAGIC_DATA ? "column data" : magic == MAGIC_INDEX ? "varchar index" : "null list";
    }

    /**
     * Validates the header and that the file holds at least {@code committedSize} bytes.
     *
     * @throws io.stillpoint.storage.StorageException CORRUPT naming the file, offset, expected and found values
     */
    static void sanityCheck(FileSystemFacade.ReadableFile file, Path path, int magic, ColumnType type,
                            long committedSize) throws IOException {
        if (committedSize == 0) {
            return;
        }
        long length = file.size();
        if (length < committedSize) {
            throw StorageErrors.corrupt(magicName(magic) + " file shorter than its committed size", path, length,
                    ">=" + committedSize, length);
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, path, header, 0);
        header.flip();
        int foundMagic = header.getInt(0);
        if (foundMagic != magic) {
            throw StorageErrors.corrupt("not a stillpoint " + magicName(magic) + " file, bad magic", path, 0,
                    StorageErrors.hex(magic), StorageErrors.hex(foundMagic));
        }
        int version = header.getInt(4);
        if (version != FORMAT_VERSION) {
            throw StorageErrors.corrupt("unsupported column file format version", path, 4, FORMAT_VERSION, version);
        }
        int typeOrdinal = header.getInt(8);
        if (typeOrdinal != type.ordinal()) {
            throw StorageErrors.corrupt("column file of another type", path, 8, type.ordinal() + " (" + type + ")",
                    typeOrdinal);
        }
    }

    /** Reads until {@code dst} is full; a short file is corruption (the committed size promised the bytes). */
    static void readFully(FileSystemFacade.ReadableFile file, Path path, ByteBuffer dst, long position)
            throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = file.read(dst, at);
            if (n < 0) {
                throw StorageErrors.corrupt("unexpected end of file before the committed size", path, at,
                        "at least " + dst.remaining() + " more bytes", "end of file");
            }
            at += n;
        }
    }
}
