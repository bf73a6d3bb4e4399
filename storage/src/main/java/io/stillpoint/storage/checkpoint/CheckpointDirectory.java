package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.CheckpointFile;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Owner of the on-disk format of a checkpoint, {@code <root>/.checkpoint/} (checkpoint format version
 * {@value #CHECKPOINT_FORMAT_VERSION}): what a checkpoint pins, written so that a copy of the root taken by any
 * tool can be rolled back to it ({@code _restore}), and so that the engine finds its own checkpoint again after a
 * restart. Layout, mirroring {@code db/} so that restore installs the metadata by plain file copies:
 * <pre>
 *   .checkpoint/CHECKPOINT                     the header (below)
 *   .checkpoint/db/_tables                     the table registry at the cut, in TableRegistry's own format
 *   .checkpoint/db/&lt;name&gt;~&lt;id&gt;/_txn          each table's committed state at the cut: a TxnFile of its own (same
 *                                              format as db/'s) whose only commit record is exactly that state
 *                                              (without appended ranges: the manifest vouches for the files)
 *   .checkpoint/MANIFEST                       every data file those states reference, with its committed length
 * </pre>
 * {@code CHECKPOINT}, little-endian:
 * <pre>
 *   0  int    magic 0x5350434b "SPCK"
 *   4  int    checkpoint format version (1)
 *   8  int    file length in bytes (so that a truncated file is told from a damaged one)
 *   12 int    _txn format version the states were written with (TxnFile)
 *   16 int    table registry format version (TableRegistry)
 *   20 int    column file format version (ColumnFiles)
 *   24 long   created at, microseconds since the epoch (UTC)
 *   32 long   lease expiry, microseconds since the epoch (UTC)
 *   40 int    table count (entries of db/_tables)
 *   44 int    file count (entries of MANIFEST)
 *   48 string identity of the root directory it was taken in (FileSystemFacade.fileKey: device and inode)
 *   .. string absolute path of that root
 *   .. int    CRC32C of every byte before it; the file ends here
 *   string = int byte length + UTF-8 bytes
 * </pre>
 * {@code MANIFEST}, little-endian:
 * <pre>
 *   0  int    magic 0x53504d46 "SPMF"
 *   4  int    checkpoint format version (1)
 *   8  int    file length in bytes
 *   12 int    entry count N
 *   16 N entries, sorted by path, strictly ascending: string path relative to the root with '/' separators
 *      (e.g. db/trades~3/2026-11-21.7/c0.d), long committed length (&gt; 0)
 *   .. int    CRC32C of every byte before it; the file ends here
 * </pre>
 * Creation ({@link #write}): everything is written into {@code .checkpoint.tmp/}, every file and directory
 * fsynced, the directory renamed to {@code .checkpoint} and the root fsynced: a crash leaves either a complete
 * {@code .checkpoint} or a {@code .checkpoint.tmp} that the next open discards. Removal ({@link #remove}):
 * {@code .checkpoint} is renamed to {@code .checkpoint.released} (root fsynced) and then deleted recursively, so a
 * crash never leaves a half {@code .checkpoint}. Deleting this metadata is not deleting data: no data file lives
 * under these directories.
 *
 * <p>{@link #read} validates everything before returning: magic and versions first (a checkpoint of another
 * checkpoint format version, or written with other storage format versions, is RESTORE_REFUSED naming both
 * versions), then lengths and CRC32C (CORRUPT naming file, offset, expected and found), then the registry and
 * every {@code _txn} in their own formats, the counts of the header, and that the manifest is exactly the set of
 * files the checkpointed states reference.
 */
public final class CheckpointDirectory {

    /** The format version of {@code CHECKPOINT} and {@code MANIFEST} written by this code. */
    public static final int CHECKPOINT_FORMAT_VERSION = 1;
    public static final String DIR = ".checkpoint";
    public static final String TEMP_DIR = ".checkpoint.tmp";
    public static final String RELEASED_DIR = ".checkpoint.released";
    public static final String HEADER = "CHECKPOINT";
    public static final String MANIFEST = "MANIFEST";
    /** The registry and the per-table {@code _txn} copies, under {@code .checkpoint/}. */
    public static final String DB = "db";
    static final int HEADER_MAGIC = 0x5350434b;
    static final int MANIFEST_MAGIC = 0x53504d46;
    private static final int HEADER_FIXED = 48;

    private CheckpointDirectory() {
    }

    /**
     * One partition version of a checkpointed state: its key (first microsecond of its period), name (e.g.
     * {@code 2026-11-21}), the commit that created its directory, rows, min/max designated timestamp, and per
     * column the committed sizes of its data ({@code c<i>.d}), varchar index ({@code c<i>.i}) and null list
     * ({@code c<i>.n}) files (0: the file is not part of the state). The arrays must not be modified.
     */
    public record PartitionCut(long key, String name, long version, long rowCount, long minTimestamp,
                               long maxTimestamp, long[] dataSizes, long[] indexSizes, long[] nullSizes) {

        /** The version directory's name, {@code <name>.<version>}. */
        public String directory() {
            return name + "." + version;
        }

        /** The files of this partition with a committed size, paths prefixed by {@code prefix} (ending in '/'). */
        public List<CheckpointFile> files(String prefix) {
            List<CheckpointFile> out = new ArrayList<>();
            String base = prefix + directory() + "/";
            for (int c = 0; c < dataSizes.length; c++) {
                if (dataSizes[c] > 0) {
                    out.add(new CheckpointFile(base + TableEngine.MetadataFormats.dataFile(c), dataSizes[c]));
                }
                if (indexSizes[c] > 0) {
                    out.add(new CheckpointFile(base + TableEngine.MetadataFormats.indexFile(c), indexSizes[c]));
                }
                if (nullSizes[c] > 0) {
                    out.add(new CheckpointFile(base + TableEngine.MetadataFormats.nullsFile(c), nullSizes[c]));
                }
            }
            return out;
        }
    }

    /**
     * One table's committed state at the cut: registry id, directory ({@code <name>~<id>} under {@code db/}),
     * schema, commit number, rows and partitions in ascending key order.
     */
    public record TableCut(long id, String directory, TableSchema schema, long txn, long rowCount,
                           List<PartitionCut> partitions) {
        public TableCut {
            partitions = List.copyOf(partitions);
        }
    }

    /** A global cut: the registry's next table id and every table's state, sorted by table id. */
    public record Cut(long nextTableId, List<TableCut> tables) {
        public Cut {
            tables = List.copyOf(tables);
        }
    }

    /** The fields of {@code CHECKPOINT}. Times are microseconds since the epoch, UTC. */
    public record Header(int formatVersion, int txnFormatVersion, int registryFormatVersion,
                         int columnFormatVersion, long createdAtMicros, long expiresAtMicros, String rootFileKey,
                         String rootPath, int tableCount, int fileCount) {
    }

    /** A whole checkpoint as {@link #read} validated it. */
    public record Contents(Header header, long nextTableId, List<TableCut> tables, List<CheckpointFile> manifest) {
        public Contents {
            tables = List.copyOf(tables);
            manifest = List.copyOf(manifest);
        }
    }

    /** Whether {@code <root>/.checkpoint} exists (complete: only a finished rename creates it). */
    public static boolean exists(FileSystemFacade fs, Path root) {
        return fs.exists(root.resolve(DIR));
    }

    /** Every data file the cut's states reference, with committed lengths, sorted by path. */
    public static List<CheckpointFile> manifestOf(List<TableCut> tables) {
        List<CheckpointFile> files = new ArrayList<>();
        for (TableCut t : tables) {
            String prefix = DB + "/" + t.directory() + "/";
            for (PartitionCut p : t.partitions()) {
                files.addAll(p.files(prefix));
            }
        }
        files.sort(Comparator.comparing(CheckpointFile::path));
        return files;
    }

    // ---------------------------------------------------------------- write

    /**
     * Writes {@code <root>/.checkpoint/} for {@code cut} durably (see the class comment). A leftover
     * {@code .checkpoint.tmp} is discarded first. On failure what was written of {@code .checkpoint.tmp} is removed
     * (best effort; the next write or open discards it otherwise) and {@code .checkpoint} does not exist.
     *
     * @return the header written
     * @throws StorageException IO or DISK_FULL; CHECKPOINT_STATE if {@code .checkpoint} exists already
     */
    public static Header write(FileSystemFacade fs, Path root, Cut cut, long createdAtMicros, long expiresAtMicros) {
        Path target = root.resolve(DIR);
        Path temp = root.resolve(TEMP_DIR);
        if (fs.exists(target)) {
            throw new StorageException(StorageException.Kind.CHECKPOINT_STATE, "checkpoint directory exists already "
                    + "[dir=" + target + "]");
        }
        boolean renamed = false;
        try {
            deleteRecursively(fs, temp);
            String key = fs.fileKey(root);
            List<CheckpointFile> manifest = manifestOf(cut.tables());
            Header header = new Header(CHECKPOINT_FORMAT_VERSION, TableEngine.MetadataFormats.txnFormatVersion(),
                    TableEngine.MetadataFormats.registryFormatVersion(),
                    TableEngine.MetadataFormats.columnFormatVersion(), createdAtMicros, expiresAtMicros, key,
                    root.toAbsolutePath().toString(), cut.tables().size(), manifest.size());
            Path db = temp.resolve(DB);
            fs.createDirectories(db);
            TableEngine.MetadataFormats.writeRegistry(fs, db, cut); // fsyncs the file and db/
            for (TableCut t : cut.tables()) {
                Path dir = db.resolve(t.directory());
                fs.createDirectories(dir);
                TableEngine.MetadataFormats.writeTxn(fs, dir, t); // fsyncs the file
                fs.syncDirectory(dir);
            }
            writeFile(fs, temp.resolve(MANIFEST), encodeManifest(manifest));
            writeFile(fs, temp.resolve(HEADER), encodeHeader(header));
            fs.syncDirectory(db);
            fs.syncDirectory(temp);
            fs.rename(temp, target);
            renamed = true;
            fs.syncDirectory(root);
            return header;
        } catch (IOException e) {
            discardQuietly(fs, root, renamed, e);
            throw CheckpointErrors.io("cannot write checkpoint", temp, e);
        } catch (RuntimeException e) {
            discardQuietly(fs, root, renamed, e);
            throw e;
        }
    }

    /**
     * After a failed write: deletes {@code .checkpoint.tmp}, or, if the rename happened (the root's fsync failed),
     * removes {@code .checkpoint}, so that a failed create leaves no checkpoint behind. Best effort: a leftover is
     * found by the next create (which removes a {@code .checkpoint} no active checkpoint owns) or the next open.
     */
    private static void discardQuietly(FileSystemFacade fs, Path root, boolean renamed, Exception failure) {
        try {
            if (renamed) {
                remove(fs, root);
            } else {
                deleteRecursively(fs, root.resolve(TEMP_DIR));
            }
        } catch (IOException | RuntimeException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    private static void writeFile(FileSystemFacade fs, Path file, ByteBuffer image) throws IOException {
        try (FileSystemFacade.WritableFile out = fs.openWritable(file)) {
            out.write(image, 0);
            out.sync();
        }
    }

    static ByteBuffer encodeHeader(Header h) {
        byte[] key = h.rootFileKey().getBytes(StandardCharsets.UTF_8);
        byte[] path = h.rootPath().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(HEADER_FIXED + 4 + key.length + 4 + path.length + 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(HEADER_MAGIC).putInt(h.formatVersion()).putInt(b.capacity()).putInt(h.txnFormatVersion())
                .putInt(h.registryFormatVersion()).putInt(h.columnFormatVersion())
                .putLong(h.createdAtMicros()).putLong(h.expiresAtMicros()).putInt(h.tableCount())
                .putInt(h.fileCount());
        b.putInt(key.length).put(key).putInt(path.length).put(path);
        return withCrc(b);
    }

    static ByteBuffer encodeManifest(List<CheckpointFile> files) {
        int size = 16 + 4;
        List<byte[]> paths = new ArrayList<>(files.size());
        for (CheckpointFile f : files) {
            byte[] p = f.path().getBytes(StandardCharsets.UTF_8);
            paths.add(p);
            size += 4 + p.length + 8;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MANIFEST_MAGIC).putInt(CHECKPOINT_FORMAT_VERSION).putInt(size).putInt(files.size());
        for (int i = 0; i < files.size(); i++) {
            b.putInt(paths.get(i).length).put(paths.get(i)).putLong(files.get(i).committedLength());
        }
        return withCrc(b);
    }

    /** Puts the CRC32C of everything before the last 4 bytes there; returns the buffer flipped. */
    private static ByteBuffer withCrc(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        return b;
    }

    // ---------------------------------------------------------------- remove

    /**
     * Removes {@code <root>/.checkpoint} if present: rename to {@code .checkpoint.released}, fsync the root, delete
     * it recursively, fsync the root. A crash at any point leaves no {@code .checkpoint} once the rename is durable.
     *
     * @throws StorageException IO if the rename or its fsync failed (the checkpoint may still be there)
     */
    public static void remove(FileSystemFacade fs, Path root) {
        Path dir = root.resolve(DIR);
        Path released = root.resolve(RELEASED_DIR);
        try {
            if (fs.exists(dir)) {
                deleteRecursively(fs, released); // an earlier removal that did not finish deleting
                fs.rename(dir, released);
                fs.syncDirectory(root);
            }
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot remove checkpoint directory", dir, e);
        }
        try {
            deleteRecursively(fs, released);
            fs.syncDirectory(root);
        } catch (IOException e) {
            // The checkpoint is gone (renamed durably); the next open discards what is left of the metadata.
            System.getLogger(CheckpointDirectory.class.getName()).log(System.Logger.Level.WARNING,
                    "released checkpoint metadata not deleted yet [path=" + released + ", error=" + e.getMessage()
                            + "]");
        }
    }

    /**
     * Deletes {@code .checkpoint.tmp} (a create that did not finish) and {@code .checkpoint.released} (a removal
     * that did not finish) if present. Called at engine open.
     */
    public static void discardLeftovers(FileSystemFacade fs, Path root) {
        for (String name : List.of(TEMP_DIR, RELEASED_DIR)) {
            Path p = root.resolve(name);
            try {
                if (fs.exists(p)) {
                    deleteRecursively(fs, p);
                    fs.syncDirectory(root);
                }
            } catch (IOException e) {
                throw CheckpointErrors.io("cannot discard unfinished checkpoint metadata", p, e);
            }
        }
    }

    static void deleteRecursively(FileSystemFacade fs, Path path) throws IOException {
        if (!fs.exists(path)) {
            return;
        }
        List<String> children;
        try {
            children = fs.list(path);
        } catch (java.nio.file.NotDirectoryException e) {
            fs.delete(path);
            return;
        }
        for (String child : children) {
            deleteRecursively(fs, path.resolve(child));
        }
        fs.delete(path);
    }

    // ---------------------------------------------------------------- read

    /**
     * Reads and validates {@code <root>/.checkpoint/} (see the class comment); changes nothing on disk.
     *
     * @throws StorageException CORRUPT naming the file and what is wrong (also for a missing file);
     *                          RESTORE_REFUSED for a checkpoint of another checkpoint or storage format version,
     *                          naming both versions; IO for other read failures
     */
    public static Contents read(FileSystemFacade fs, Path root) {
        Path dir = root.resolve(DIR);
        Header header = readHeader(fs, root);
        Path manifestPath = dir.resolve(MANIFEST);
        List<CheckpointFile> manifest = decodeManifest(manifestPath, readAll(fs, manifestPath));
        if (manifest.size() != header.fileCount()) {
            throw CheckpointErrors.corrupt("checkpoint manifest entry count differs from the header", manifestPath, 12,
                    header.fileCount(), manifest.size());
        }
        Path db = dir.resolve(DB);
        TableEngine.MetadataFormats.Registry registry;
        try {
            registry = TableEngine.MetadataFormats.readRegistry(fs, db);
        } catch (NoSuchFileException e) {
            throw missing(db.resolve(TableEngine.MetadataFormats.REGISTRY_NAME));
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot read checkpoint table registry", db, e);
        }
        if (registry.entries().size() != header.tableCount()) {
            throw CheckpointErrors.corrupt("checkpoint table registry entry count differs from the header",
                    db.resolve(TableEngine.MetadataFormats.REGISTRY_NAME), 0, header.tableCount(),
                    registry.entries().size());
        }
        List<TableCut> tables = new ArrayList<>(registry.entries().size());
        for (TableEngine.MetadataFormats.RegistryEntry e : registry.entries()) {
            Path tableDir = db.resolve(e.directory());
            try {
                tables.add(TableEngine.MetadataFormats.readTxn(fs, tableDir, e.id(), e.directory(), e.schema()));
            } catch (NoSuchFileException ex) {
                throw missing(tableDir.resolve(TableEngine.MetadataFormats.TXN_NAME));
            } catch (IOException ex) {
                throw CheckpointErrors.io("cannot read checkpointed txn file", tableDir, ex);
            }
        }
        List<CheckpointFile> expected = manifestOf(tables);
        if (!expected.equals(manifest)) {
            String difference = firstDifference(expected, manifest);
            throw CheckpointErrors.corrupt("checkpoint manifest does not match the checkpointed table states",
                    manifestPath, 16, "the files of the states", difference);
        }
        return new Contents(header, registry.nextTableId(), tables, manifest);
    }

    private static String firstDifference(List<CheckpointFile> expected, List<CheckpointFile> found) {
        int n = Math.min(expected.size(), found.size());
        for (int i = 0; i < n; i++) {
            if (!expected.get(i).equals(found.get(i))) {
                return "entry " + i + ": " + found.get(i) + " where the states give " + expected.get(i);
            }
        }
        return found.size() + " entries where the states give " + expected.size();
    }

    /** Reads and validates {@code .checkpoint/CHECKPOINT} only (cheap: the identity check at engine open). */
    public static Header readHeader(FileSystemFacade fs, Path root) {
        Path path = root.resolve(DIR).resolve(HEADER);
        return decodeHeader(path, readAll(fs, path));
    }

    private static StorageException missing(Path file) {
        return CheckpointErrors.corrupt("checkpoint file missing", file, 0, "a file", "no such file");
    }

    private static ByteBuffer readAll(FileSystemFacade fs, Path path) {
        if (!fs.exists(path)) {
            throw missing(path);
        }
        try (FileSystemFacade.ReadableFile in = fs.openReadable(path)) {
            long size = in.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw CheckpointErrors.corrupt("checkpoint file too large", path, 0, "< 2 GiB", size + " bytes");
            }
            ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
            long at = 0;
            while (b.hasRemaining()) {
                int n = in.read(b, at);
                if (n < 0) {
                    throw CheckpointErrors.corrupt("checkpoint file shorter than its size", path, at, size + " bytes",
                            at + " bytes");
                }
                at += n;
            }
            b.flip();
            return b;
        } catch (NoSuchFileException e) {
            throw missing(path);
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot read checkpoint file", path, e);
        }
    }

    /**
     * Checks magic, format version, minimum length and the CRC32C footer of a checkpoint file; leaves the buffer
     * positioned after the version.
     */
    private static void checkEnvelope(Path path, ByteBuffer b, int magic, String what, int minimum) {
        int length = b.limit();
        if (length >= 4 && b.getInt(0) != magic) {
            throw CheckpointErrors.corrupt("not a stillpoint " + what + ", bad magic", path, 0,
                    CheckpointErrors.hex(magic), CheckpointErrors.hex(b.getInt(0)));
        }
        if (length >= 8 && b.getInt(4) != CHECKPOINT_FORMAT_VERSION) {
            throw new StorageException(StorageException.Kind.RESTORE_REFUSED, "checkpoint written by another "
                    + "checkpoint format version [file=" + path + ", checkpoint_version=" + b.getInt(4)
                    + ", supported_version=" + CHECKPOINT_FORMAT_VERSION + "]");
        }
        if (length < 12) {
            throw CheckpointErrors.corrupt(what + " truncated", path, length, ">= " + minimum + " bytes",
                    length + " bytes");
        }
        int declared = b.getInt(8);
        if (declared != length) {
            throw CheckpointErrors.corrupt(what + (length < declared ? " truncated" : " longer than its recorded "
                    + "length"), path, 8, declared + " bytes", length + " bytes");
        }
        if (length < minimum) {
            throw CheckpointErrors.corrupt(what + " shorter than its fixed fields", path, length,
                    ">= " + minimum + " bytes", length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, length - 4);
        int stored = b.getInt(length - 4);
        if (stored != (int) crc.getValue()) {
            throw CheckpointErrors.corrupt(what + " checksum mismatch", path, length - 4,
                    CheckpointErrors.hex((int) crc.getValue()), CheckpointErrors.hex(stored));
        }
        b.position(12);
        b.limit(length - 4);
    }

    static Header decodeHeader(Path path, ByteBuffer b) {
        checkEnvelope(path, b, HEADER_MAGIC, "checkpoint header", HEADER_FIXED + 4 + 4 + 4);
        try {
            int txnVersion = b.getInt();
            int registryVersion = b.getInt();
            int columnVersion = b.getInt();
            checkStorageVersion(path, 12, "txn", txnVersion, TableEngine.MetadataFormats.txnFormatVersion());
            checkStorageVersion(path, 16, "table registry", registryVersion,
                    TableEngine.MetadataFormats.registryFormatVersion());
            checkStorageVersion(path, 20, "column file", columnVersion,
                    TableEngine.MetadataFormats.columnFormatVersion());
            long created = b.getLong();
            long expires = b.getLong();
            if (expires <= created) {
                throw CheckpointErrors.corrupt("checkpoint lease expiry not after its creation", path, 32,
                        "> " + created, expires);
            }
            int tables = b.getInt();
            int files = b.getInt();
            if (tables < 0 || files < 0) {
                throw CheckpointErrors.corrupt("checkpoint header count negative", path, 40, ">= 0",
                        "tables " + tables + ", files " + files);
            }
            String key = getString(path, b);
            String rootPath = getString(path, b);
            if (b.hasRemaining()) {
                throw CheckpointErrors.corrupt("trailing bytes in checkpoint header", path, b.position(),
                        "the checksum", b.remaining() + " more bytes");
            }
            return new Header(CHECKPOINT_FORMAT_VERSION, txnVersion, registryVersion, columnVersion, created, expires,
                    key, rootPath, tables, files);
        } catch (BufferUnderflowException e) {
            throw CheckpointErrors.corrupt("checkpoint header body truncated", path, b.position(), "more bytes",
                    "the checksum");
        }
    }

    private static void checkStorageVersion(Path path, int offset, String format, int found, int supported) {
        if (found != supported) {
            throw new StorageException(StorageException.Kind.RESTORE_REFUSED, "checkpoint written with another "
                    + format + " format version [file=" + path + ", offset=" + offset + ", checkpoint_version="
                    + found + ", supported_version=" + supported + "]");
        }
    }

    static List<CheckpointFile> decodeManifest(Path path, ByteBuffer b) {
        checkEnvelope(path, b, MANIFEST_MAGIC, "checkpoint manifest", 20);
        try {
            int count = b.getInt();
            if (count < 0 || count > b.remaining() / 12) {
                throw CheckpointErrors.corrupt("checkpoint manifest entry count out of range", path, 12,
                        "0.." + b.remaining() / 12, count);
            }
            List<CheckpointFile> files = new ArrayList<>(count);
            String previous = null;
            for (int i = 0; i < count; i++) {
                int at = b.position();
                String p = getString(path, b);
                long length = b.getLong();
                if (p.isEmpty() || p.startsWith("/") || p.contains("\\") || ("/" + p + "/").contains("/../")
                        || ("/" + p + "/").contains("/./") || p.contains("//")) {
                    throw CheckpointErrors.corrupt("checkpoint manifest path not relative to the root", path, at,
                            "a relative path with '/' separators", p);
                }
                if (previous != null && previous.compareTo(p) >= 0) {
                    throw CheckpointErrors.corrupt("checkpoint manifest not sorted", path, at, "a path after "
                            + previous, p);
                }
                if (length <= 0) {
                    throw CheckpointErrors.corrupt("checkpoint manifest committed length not positive", path,
                            b.position() - 8, "> 0", length);
                }
                files.add(new CheckpointFile(p, length));
                previous = p;
            }
            if (b.hasRemaining()) {
                throw CheckpointErrors.corrupt("trailing bytes in checkpoint manifest", path, b.position(),
                        "the checksum", b.remaining() + " more bytes");
            }
            return files;
        } catch (BufferUnderflowException e) {
            throw CheckpointErrors.corrupt("checkpoint manifest body truncated", path, b.position(), "more bytes",
                    "the checksum");
        }
    }

    private static String getString(Path path, ByteBuffer b) {
        int at = b.position();
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw CheckpointErrors.corrupt("checkpoint string length out of range", path, at, "0.." + b.remaining(),
                    length);
        }
        String s = new String(b.array(), b.position(), length, StandardCharsets.UTF_8);
        b.position(b.position() + length);
        return s;
    }
}
