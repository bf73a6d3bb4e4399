package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.Ttl;
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
 * Owner of the table registry (format version {@value #FORMAT_VERSION}): which tables exist, each with its
 * incarnation id, directory and schema. Since version 2 no name under {@code db/} ever vanishes while the registry
 * changes (a copy tool that listed the directory must still find every name it saw): the registry is a series of
 * immutable generation files {@code db/_tables.<g>} selected by a small pointer {@code db/_tables} that is only
 * ever overwritten in place, never renamed or shrunk.
 *
 * <p>A change (CREATE/DROP/RENAME/ALTER) writes a new image to a fresh name {@code _tables.<g>} (g above every
 * generation on disk), fsyncs it and {@code db/}, then writes the pointer slot that does not hold the current
 * generation and fsyncs the pointer. A torn pointer write damages only that slot: the other one still names the
 * previous generation, which is deleted (through housekeeping, so never while a checkpoint holds it) only after
 * the new pointer is durable.
 *
 * <p>Pointer {@code _tables}, exactly 64 bytes, two slots of 32 bytes (slot s at offset 32 * s), little-endian:
 * <pre>
 *   0  int  magic 0x53505250 "SPRP"
 *   4  int  format version (2)
 *   8  long generation g (&gt;= 1): the image {@code _tables.<g>} this slot selects
 *   16 long reserved, 0
 *   24 int  reserved, 0
 *   28 int  CRC32C of the slot's bytes [0, 28)
 * </pre>
 * The slot with a valid magic, version and CRC and the higher generation wins; none valid is CORRUPT.
 *
 * <p>Image (a generation file, and the checkpoint's {@code .checkpoint/db/_tables}), image format version
 * {@value #IMAGE_FORMAT_VERSION}, little-endian:
 * <pre>
 *   0  int  magic 0x53505247 "SPRG"
 *   4  int  image format version (2; 1 is still read)
 *   8  int  body length B
 *   12 int  CRC32C of the body
 *   16 body:
 *        long next table id
 *        int  table count, then per table:
 *          long id; int schema format version (2 in an image of version 2, 1 in one of version 1);
 *          string name; string directory name;
 *          int partitionBy ordinal (NONE 0, HOUR 1, DAY 2, MONTH 3, YEAR 4); int designated timestamp index (-1: none);
 *          int column count, then per column: string name; int ColumnType ordinal
 *          schema format version 2 only: long TTL amount (0: no TTL, else 1..Ttl.MAX_AMOUNT);
 *            int TTL unit ordinal (HOURS 0, DAYS 1, WEEKS 2, MONTHS 3, YEARS 4; 0 when there is no TTL)
 *   string = int byte length + UTF-8 bytes
 * </pre>
 * Image format version 2 (schema format version 2) added the table's time to live ({@code CREATE TABLE ... TTL},
 * {@code ALTER TABLE ... SET TTL}); a version 1 image reads as tables without one, and the next registry change
 * writes version 2. A TTL is only valid on a partitioned table, which {@link #loadImage} checks too.
 * The image length must be exactly 16 + B. {@link #loadImage} checks magic, version, length, CRC and every field's
 * range and throws CORRUPT naming file, offset, expected and found. A {@code db/_tables} that is itself an image
 * (format version 1 roots, and a root just restored from a checkpoint, which installs the checkpoint's image) is
 * read as such and converted to a pointer at open ({@link #convert}: the only place a rename is used, at open).
 */
final class TableRegistry {

    static final String NAME = "_tables";
    /** The temporary name of format version 1 (still purged as a leftover). */
    static final String TEMP_NAME = "_tables.tmp";
    /** Used only when a pointer is first created or converted, at open. */
    static final String POINTER_TEMP_NAME = "_tables.pointer.tmp";
    static final String GENERATION_PREFIX = "_tables.";
    static final int FORMAT_VERSION = 2;
    static final int IMAGE_FORMAT_VERSION = 2;
    /** The first image format version, without TTLs: still read. */
    static final int IMAGE_FORMAT_VERSION_1 = 1;
    static final int POINTER_MAGIC = 0x53505250;
    static final int POINTER_SIZE = 64;
    static final int POINTER_SLOT_SIZE = 32;
    static final int SCHEMA_FORMAT_VERSION = 2;
    /** The schema format of image format version 1 (no TTL fields). */
    static final int SCHEMA_FORMAT_VERSION_1 = 1;
    static final int MAGIC = 0x53505247;
    private static final int HEADER_SIZE = 16;

    /** One registered table incarnation. */
    record Entry(long id, String directory, TableSchema schema) {}

    /** The registry's contents. */
    record Contents(long nextTableId, List<Entry> entries) {}

    /**
     * Where the live registry stands: the current generation and the pointer slot naming it ({@code slot} -1 and
     * {@code generation} 0: {@code _tables} is an image, to be converted).
     */
    record Pointer(long generation, int slot) {}

    /** The contents of the live registry and the pointer that selected them. */
    record Loaded(Contents contents, Pointer pointer) {}

    /** {@code _tables.<g>}. */
    static String generationName(long generation) {
        return GENERATION_PREFIX + generation;
    }

    /** The generation a name {@code _tables.<g>} holds, or -1 if it is not a generation file name. */
    static long generationOf(String name) {
        if (!name.startsWith(GENERATION_PREFIX)) {
            return -1;
        }
        String digits = name.substring(GENERATION_PREFIX.length());
        if (digits.isEmpty() || digits.length() > 18) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(digits);
    }

    /**
     * Loads the live registry through {@code db/_tables}: a pointer (its newest valid slot's image) or, for
     * version 1 and freshly restored roots, an image.
     *
     * @throws StorageException CORRUPT with file, offset, expected and found
     */
    static Loaded load(FileSystemFacade fs, Path dbDir) throws IOException {
        Path path = dbDir.resolve(NAME);
        ByteBuffer buf = ByteBuffer.allocate(POINTER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long length;
        try (FileSystemFacade.ReadableFile file = fs.openReadable(path)) {
            length = file.size();
            if (length >= 4) {
                ByteBuffer magicBytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                ColumnFiles.readFully(file, path, magicBytes, 0);
                if (magicBytes.getInt(0) == MAGIC) {
                    return new Loaded(loadImage(fs, path), new Pointer(0, -1));
                }
            }
            if (length != POINTER_SIZE) {
                if (length >= 4) {
                    ByteBuffer magicBytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                    ColumnFiles.readFully(file, path, magicBytes, 0);
                    if (magicBytes.getInt(0) != POINTER_MAGIC) {
                        throw StorageErrors.corrupt("not a stillpoint table registry, bad magic", path, 0,
                                StorageErrors.hex(POINTER_MAGIC), StorageErrors.hex(magicBytes.getInt(0)));
                    }
                }
                throw StorageErrors.corrupt("table registry pointer length out of range", path, 0,
                        POINTER_SIZE + " bytes", length + " bytes");
            }
            ColumnFiles.readFully(file, path, buf, 0);
        }
        long best = 0;
        int bestSlot = -1;
        String why = null;
        for (int s = 0; s < 2; s++) {
            int at = s * POINTER_SLOT_SIZE;
            CRC32C crc = new CRC32C();
            crc.update(buf.array(), at, POINTER_SLOT_SIZE - 4);
            int magic = buf.getInt(at);
            int version = buf.getInt(at + 4);
            long generation = buf.getLong(at + 8);
            if (magic != POINTER_MAGIC) {
                if (s == 0 && magic != 0) {
                    throw StorageErrors.corrupt("not a stillpoint table registry, bad magic", path, 0,
                            StorageErrors.hex(POINTER_MAGIC), StorageErrors.hex(magic));
                }
                why = "slot " + s + " magic " + StorageErrors.hex(magic);
            } else if ((int) crc.getValue() != buf.getInt(at + POINTER_SLOT_SIZE - 4)) {
                why = "slot " + s + " checksum mismatch";
            } else if (version != FORMAT_VERSION) {
                throw StorageErrors.corrupt("unsupported table registry format version", path, at + 4,
                        FORMAT_VERSION, version);
            } else if (generation < 1) {
                throw StorageErrors.corrupt("table registry generation out of range", path, at + 8, ">= 1",
                        generation);
            } else if (generation > best) {
                best = generation;
                bestSlot = s;
            }
        }
        if (bestSlot < 0) {
            throw StorageErrors.corrupt("no valid table registry pointer slot", path, 0, "a slot with a valid CRC",
                    why);
        }
        Path image = dbDir.resolve(generationName(best));
        if (!fs.exists(image)) {
            throw StorageErrors.corrupt("table registry generation missing", image, 0, "the image the pointer names",
                    "no such file [slot=" + bestSlot + "]");
        }
        return new Loaded(loadImage(fs, image), new Pointer(best, bestSlot));
    }

    /**
     * Installs a new generation holding {@code entries} and points {@code _tables} at it (see the class comment).
     * Returns the new pointer; the caller queues the previous generation's file for deletion.
     */
    static Pointer write(FileSystemFacade fs, Path dbDir, Pointer current, long nextTableId,
                         Collection<Entry> entries) throws IOException {
        if (current.slot() < 0) {
            throw new IllegalStateException("table registry not converted to a pointer [dir=" + dbDir + "]");
        }
        long generation = current.generation() + 1;
        // A crash leftover of a generation never pointed at keeps its name (a copy may have listed it): skip it.
        while (fs.exists(dbDir.resolve(generationName(generation)))) {
            generation++;
        }
        writeImage(fs, dbDir.resolve(generationName(generation)), nextTableId, entries);
        fs.syncDirectory(dbDir);
        int slot = 1 - current.slot();
        try (FileSystemFacade.WritableFile out = fs.openWritable(dbDir.resolve(NAME))) {
            try {
                out.write(pointerSlot(generation), (long) slot * POINTER_SLOT_SIZE);
                out.sync();
            } catch (IOException | RuntimeException e) {
                // The change failed: the slot must not select it at the next open. Zeroed (invalid), the other
                // slot, the current generation, wins. Best effort: if this fails too the disk is failing anyway.
                try {
                    out.write(ByteBuffer.allocate(POINTER_SLOT_SIZE), (long) slot * POINTER_SLOT_SIZE);
                    out.sync();
                } catch (IOException | RuntimeException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
        }
        return new Pointer(generation, slot);
    }

    /**
     * Creates a new pointer {@code _tables} (replacing an image there, if any) naming a new generation that holds
     * {@code contents}: for a new root and for an image-form {@code _tables} at open. Uses a temporary name and a
     * rename, so only at open (never while a copy of a running engine may be listing {@code db/}).
     */
    static Pointer convert(FileSystemFacade fs, Path dbDir, Contents contents) throws IOException {
        long generation = 1;
        for (String name : fs.list(dbDir)) {
            generation = Math.max(generation, generationOf(name) + 1);
        }
        writeImage(fs, dbDir.resolve(generationName(generation)), contents.nextTableId(), contents.entries());
        Path temp = dbDir.resolve(POINTER_TEMP_NAME);
        if (fs.exists(temp)) {
            fs.delete(temp);
        }
        ByteBuffer image = ByteBuffer.allocate(POINTER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        image.put(pointerSlot(generation));
        image.position(0);
        try (FileSystemFacade.WritableFile out = fs.openWritable(temp)) {
            out.write(image, 0);
            out.sync();
        }
        fs.rename(temp, dbDir.resolve(NAME));
        fs.syncDirectory(dbDir);
        return new Pointer(generation, 0);
    }

    private static ByteBuffer pointerSlot(long generation) {
        ByteBuffer slot = ByteBuffer.allocate(POINTER_SLOT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        slot.putInt(0, POINTER_MAGIC).putInt(4, FORMAT_VERSION).putLong(8, generation);
        CRC32C crc = new CRC32C();
        crc.update(slot.array(), 0, POINTER_SLOT_SIZE - 4);
        slot.putInt(POINTER_SLOT_SIZE - 4, (int) crc.getValue());
        return slot;
    }

    private TableRegistry() {
    }

    /** Reads and checks one image file. */
    static Contents loadImage(FileSystemFacade fs, Path path) throws IOException {
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
        if (version != IMAGE_FORMAT_VERSION && version != IMAGE_FORMAT_VERSION_1) {
            throw StorageErrors.corrupt("unsupported table registry image format version", path, 4,
                    IMAGE_FORMAT_VERSION_1 + " or " + IMAGE_FORMAT_VERSION, version);
        }
        int expectedSchemaVersion = version == IMAGE_FORMAT_VERSION ? SCHEMA_FORMAT_VERSION : SCHEMA_FORMAT_VERSION_1;
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
                if (schemaVersion != expectedSchemaVersion) {
                    throw StorageErrors.corrupt("unsupported table schema format version", path, buf.position() - 4,
                            expectedSchemaVersion + " (image format version " + version + ")", schemaVersion);
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
                Ttl ttl = null;
                if (schemaVersion >= SCHEMA_FORMAT_VERSION) {
                    ttl = getTtl(path, buf, PartitionBy.values()[by], timestampIndex);
                }
                entries.add(new Entry(id, directory,
                        new TableSchema(name, columns, timestampIndex, PartitionBy.values()[by], ttl)));
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

    /** The TTL fields of a schema of format version 2 (see the class comment); null for none. */
    private static Ttl getTtl(Path path, ByteBuffer buf, PartitionBy by, int timestampIndex) {
        long amount = buf.getLong();
        if (amount < 0 || amount > Ttl.MAX_AMOUNT) {
            throw StorageErrors.corrupt("table registry ttl amount out of range", path, buf.position() - 8,
                    "0.." + Ttl.MAX_AMOUNT, amount);
        }
        int unit = buf.getInt();
        if (amount == 0) {
            if (unit != 0) {
                throw StorageErrors.corrupt("table registry ttl unit set without a ttl", path, buf.position() - 4, 0,
                        unit);
            }
            return null;
        }
        checkRange(path, buf, unit, 0, Ttl.Unit.values().length - 1, "ttl unit ordinal");
        if (by == PartitionBy.NONE || timestampIndex < 0) {
            throw StorageErrors.corrupt("table registry ttl on a table that is not partitioned", path,
                    buf.position() - 12, "no ttl (amount 0)", amount);
        }
        return new Ttl(amount, Ttl.Unit.values()[unit]);
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

    /**
     * Writes an image to {@code path}, a name that does not exist yet (a new generation, or the checkpoint's copy),
     * and fsyncs it; the caller fsyncs the directory.
     */
    static void writeImage(FileSystemFacade fs, Path path, long nextTableId, Collection<Entry> entries)
            throws IOException {
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
            body = ensure(body, 12);
            Ttl ttl = s.ttl();
            body.putLong(ttl == null ? 0 : ttl.amount()).putInt(ttl == null ? 0 : ttl.unit().ordinal());
        }
        body.flip();
        CRC32C crc = new CRC32C();
        crc.update(body.array(), 0, body.limit());
        ByteBuffer image = ByteBuffer.allocate(HEADER_SIZE + body.limit()).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(MAGIC).putInt(IMAGE_FORMAT_VERSION).putInt(body.limit()).putInt((int) crc.getValue()).put(body);
        image.flip();
        try (FileSystemFacade.WritableFile out = fs.openWritable(path)) {
            if (out.size() != 0) {
                throw new IOException("table registry image exists already [file=" + path + "]");
            }
            out.write(image, 0);
            out.sync();
        }
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
