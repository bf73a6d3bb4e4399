package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.fs.FileSystemFacade;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Owner of the table registry file {@code <root>/db/_tables} (format version {@value #FORMAT_VERSION}): which
 * tables exist, each with its incarnation id, directory and schema. Replaced atomically and durably on every
 * CREATE/DROP: written to {@code _tables.tmp}, fsynced, renamed over {@code _tables}, then {@code db/} fsynced.
 * Little-endian:
 * <pre>
 *   0  int  magic 0x53505247 "SPRG"
 *   4  int  format version (1)
 *   8  int  body length B
 *   12 int  CRC32C of the body
 *   16 body:
 *        long next table id
 *        int  table count, then per table:
 *          long id; int schema format version (1); string name; string directory name;
 *          int partitionBy ordinal (NONE 0, HOUR 1, DAY 2, MONTH 3, YEAR 4); int designated timestamp index (-1: none);
 *          int column count, then per column: string name; int ColumnType ordinal
 *   string = int byte length + UTF-8 bytes
 * </pre>
 * The file length must be exactly 16 + B. {@link #load} checks magic, version, length, CRC and every field's
 * range and throws CORRUPT naming file, offset, expected and found.
 */
final class TableRegistry {

    static final String NAME = "_tables";
    static final String TEMP_NAME = "_tables.tmp";
    static final int FORMAT_VERSION = 1;
    static final int SCHEMA_FORMAT_VERSION = 1;
    static final int MAGIC = 0x53505247;
    private static final int HEADER_SIZE = 16;

    /** One registered table incarnation. */
    record Entry(long id, String directory, TableSchema schema) {}

    /** The registry's contents. */
    record Contents(long nextTableId, List<Entry> entries) {}

    private TableRegistry() {
    }

    static Contents load(FileSystemFacade fs, Path dbDir) throws IOException {
        Path path = dbDir.resolve(NAME);
        ByteBuffer buf;
        try (FileSystemFacade.ReadableFile file = fs.openReadable(path)) {
            long length = file.size();
            if (length >= 4) {
                // A foreign file is reported as such, whatever its length.
                ByteBuffer magicBytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                ColumnFiles.readFully(file, path, magicBytes, 0);
                int magic = magicBytes.getInt(0);
                if (magic != MAGIC) {
                    throw StorageErrors.corrupt("not a stillpoint table registry, bad magic", path, 0,
                            StorageErrors.hex(MAGIC), StorageErrors.hex(magic));
                }
            }
            if (length < HEADER_SIZE || length > Integer.MAX_VALUE) {
                throw StorageErrors.corrupt("table registry file length out of range", path, 0,
                        ">= " + HEADER_SIZE + " bytes", length + " bytes");
            }
            buf = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
            ColumnFiles.readFully(file, path, buf, 0);
            buf.flip();
        }
        int magic = buf.getInt(0);
        if (magic != MAGIC) {
            throw StorageErrors.corrupt("not a stillpoint table registry, bad magic", path, 0, StorageErrors.hex(MAGIC),
                    StorageErrors.hex(magic));
        }
        int version = buf.getInt(4);
        if (version != FORMAT_VERSION) {
            throw StorageErrors.corrupt("unsupported table registry format version", path, 4, FORMAT_VERSION, version);
        }
        int bodyLength = buf.getInt(8);
        if ((long) HEADER_SIZE + bodyLength != buf.limit()) {
            throw StorageErrors.corrupt("table registry length differs from its header", path, 8,
                    buf.limit() - HEADER_SIZE, bodyLength);
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), HEADER_SIZE, bodyLength);
        if ((int) crc.getValue() != buf.getInt(12)) {
            throw StorageErrors.corrupt("table registry checksum mismatch", path, 12, (int) crc.getValue(),
                    buf.getInt(12));
        }
        buf.position(HEADER_SIZE);
        try {
            long nextId = buf.getLong();
            int count = buf.getInt();
            checkRange(path, buf, count, 0, 1_000_000, "table count");
            List<Entry> entries = new ArrayList<>(count);
            for (int t = 0; t < count; t++) {
                long id = buf.getLong();
                if (id < 1 || id >= nextId) {
                    throw StorageErrors.corrupt("table id out of range", path, buf.position() - 8,
                            "1 <= id < " + nextId, id);
                }
                int schemaVersion = buf.getInt();
                if (schemaVersion != SCHEMA_FORMAT_VERSION) {
                    throw StorageErrors.corrupt("unsupported table schema format version", path, buf.position() - 4,
                            SCHEMA_FORMAT_VERSION, schemaVersion);
                }
                String name = getString(path, buf);
                String directory = getString(path, buf);
                int by = buf.getInt();
                checkRange(path, buf, by, 0, PartitionBy.values().length - 1, "partitionBy ordinal");
                int timestampIndex = buf.getInt();
                int columnCount = buf.getInt();
                checkRange(path, buf, columnCount, 1, 100_000, "column count");
                checkRange(path, buf, timestampIndex, -1, columnCount - 1, "designated timestamp index");
                List<ColumnSpec> columns = new ArrayList<>(columnCount);
                for (int c = 0; c < columnCount; c++) {
                    String columnName = getString(path, buf);
                    int type = buf.getInt();
                    checkRange(path, buf, type, 0, ColumnType.values().length - 1, "column type ordinal");
                    columns.add(new ColumnSpec(columnName, ColumnType.values()[type]));
                }
                entries.add(new Entry(id, directory,
                        new TableSchema(name, columns, timestampIndex, PartitionBy.values()[by])));
            }
            if (buf.hasRemaining()) {
                throw StorageErrors.corrupt("trailing bytes in table registry", path, buf.position(), "end of body",
                        buf.remaining() + " bytes");
            }
            return new Contents(nextId, entries);
        } catch (BufferUnderflowException e) {
            throw StorageErrors.corrupt("table registry body truncated", path, buf.position(), "more bytes",
                    "end of body");
        }
    }

    private static void checkRange(Path path, ByteBuffer buf, int value, int min, int max, String what) {
        if (value < min || value > max) {
            throw StorageErrors.corrupt("table registry " + what + " out of range", path, buf.position() - 4,
                    min + ".." + max, value);
        }
    }

    private static String getString(Path path, ByteBuffer buf) {
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) {
            throw StorageErrors.corrupt("table registry string length out of range", path, buf.position() - 4,
                    "0.." + buf.remaining(), length);
        }
        String s = new String(buf.array(), buf.position(), length, StandardCharsets.UTF_8);
        buf.position(buf.position() + length);
        return s;
    }

    /** Replaces the registry atomically and durably. */
    static void write(FileSystemFacade fs, Path dbDir, long nextTableId, Collection<Entry> entries) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        body = ensure(body, 12);
        body.putLong(nextTableId).putInt(entries.size());
        for (Entry e : entries) {
            TableSchema s = e.schema();
            body = ensure(body, 32);
            body.putLong(e.id()).putInt(SCHEMA_FORMAT_VERSION);
            body = putString(body, s.name());
            body = putString(body, e.directory());
            body = ensure(body, 12);
            body.putInt(s.partitionBy().ordinal()).putInt(s.timestampIndex()).putInt(s.columnCount());
            for (ColumnSpec c : s.columns()) {
                body = putString(body, c.name());
                body = ensure(body, 4);
                body.putInt(c.type().ordinal());
            }
        }
        body.flip();
        CRC32C crc = new CRC32C();
        crc.update(body.array(), 0, body.limit());
        ByteBuffer image = ByteBuffer.allocate(HEADER_SIZE + body.limit()).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(MAGIC).putInt(FORMAT_VERSION).putInt(body.limit()).putInt((int) crc.getValue()).put(body);
        image.flip();
        Path temp = dbDir.resolve(TEMP_NAME);
        if (fs.exists(temp) && fs.linkCount(temp) > 1) {
            fs.delete(temp); // a crash leftover hard-linked into a copy (cp -al): never write into a shared inode
        }
        try (FileSystemFacade.WritableFile out = fs.openWritable(temp)) {
            // A leftover longer temp file from a crash: the length check on load would catch it, but the rename
            // below installs exactly what we wrote only if nothing follows it, so never reuse a temp file's tail.
            if (out.size() > image.remaining()) {
                out.close();
                fs.delete(temp);
                write(fs, dbDir, nextTableId, entries);
                return;
            }
            out.write(image, 0);
            out.sync();
        }
        fs.rename(temp, dbDir.resolve(NAME));
        fs.syncDirectory(dbDir);
    }

    private static ByteBuffer ensure(ByteBuffer buf, int more) {
        if (buf.remaining() >= more) {
            return buf;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.flip();
        bigger.put(buf);
        return bigger;
    }

    private static ByteBuffer putString(ByteBuffer buf, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        buf = ensure(buf, 4 + bytes.length);
        buf.putInt(bytes.length).put(bytes);
        return buf;
    }
}
