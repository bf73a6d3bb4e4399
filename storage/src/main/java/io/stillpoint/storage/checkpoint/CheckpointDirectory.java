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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * Owner of the on-disk format of a checkpoint, {@code <root>/.checkpoint/} (checkpoint format version
 * {@value #CHECKPOINT_FORMAT_VERSION}): what a checkpoint pins, written so that a copy of the root taken by any
 * tool can be rolled back to it ({@code _restore}), and so that the engine finds its own checkpoint again after a
 * restart. Layout, mirroring {@code db/} so that restore installs the metadata by plain file copies:
 * <pre>
 *   .checkpoint/CHECKPOINT                     the header (below)
 *   .checkpoint/db/_tables                     the table registry at the cut, in TableRegistry's image format
 *   .checkpoint/STATES                         every table's committed state at the cut, in one file (one write,
 *                                              one fsync, whatever the number of tables; below)
 *   .checkpoint/MANIFEST                       every data file those states reference, with its committed length
 * </pre>
 * {@code STATES}, little-endian (since checkpoint format version 2; version 1 kept a {@code _txn} per table under
 * {@code .checkpoint/db/<name>~<id>/}):
 * <pre>
 *   0  int    magic 0x53505342 "SPSB"
 *   4  int    checkpoint format version (2)
 *   8  int    file length in bytes
 *   12 int    entry count N (= the registry's table count)
 *   16 N entries, in the registry's order: long table id; int image length L; L bytes: the table's {@code _txn}
 *      as a complete TxnFile image whose only commit record is exactly its state at the cut (without appended
 *      ranges: the manifest vouches for the files), slot capacity cut to the record's length. Restore installs
 *      each as {@code db/<name>~<id>/_txn} (re-encoded with the usual slot capacity).
 *   .. int    CRC32C of every byte before it; the file ends here
 * </pre>
 * {@code CHECKPOINT}, little-endian:
 * <pre>
 *   0  int    magic 0x5350434b "SPCK"
 *   4  int    checkpoint format version (2)
 *   8  int    file length in bytes (so that a truncated file is told from a damaged one)
 *   12 int    _txn format version the states were written with (TxnFile)
 *   16 int    table registry image format version of .checkpoint/db/_tables (TableRegistry; 2 since the TTL).
 *             Unlike the other two it may be older than this build's: every image version TableRegistry still
 *             reads is accepted (1 and 2), so a checkpoint taken before the upgrade that added TTLs restores
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
 *   4  int    checkpoint format version (2)
 *   8  int    file length in bytes
 *   12 int    entry count N
 *   16 N entries, sorted by path, strictly ascending: string path relative to the root with '/' separators
 *      (e.g. db/trades~3/2026-11-21.7/c0.d), long committed length (&gt; 0)
 *   .. int    CRC32C of every byte before it; the file ends here
 * </pre>
 * Creation ({@link #write}): everything is written into {@code .checkpoint.tmp/}, every file and directory
 * fsynced, the directory renamed to {@code .checkpoint} and the root fsynced: a crash leaves either a complete
 * {@code .checkpoint} or a {@code .checkpoint.tmp} that the next open discards. Removal ({@link #remove}):
 * {@code .checkpoint} is renamed to {@code .checkpoint.released} (root fsynced; {@code .checkpoint.released-<n>}
 * while an earlier one is still being deleted) and then deleted recursively, so a crash never leaves a half
 * {@code .checkpoint}. Deleting this metadata is not deleting data: no data file lives
 * under these directories.
 *
 * <p>{@link #read} validates everything before returning: magic and versions first (a checkpoint of another
 * checkpoint format version, or written with other storage format versions, is RESTORE_REFUSED naming both
 * versions; only the registry image may be of an older version that is still read), then lengths and CRC32C (CORRUPT naming file, offset, expected and found), then the registry and
 * every {@code _txn} in their own formats, the counts of the header, and that the manifest is exactly the set of
 * files the checkpointed states reference.
 */
public final class CheckpointDirectory {

    /** The format version of {@code CHECKPOINT} and {@code MANIFEST} written by this code. */
    public static final int CHECKPOINT_FORMAT_VERSION = 2;
    public static final String DIR = ".checkpoint";
    public static final String TEMP_DIR = ".checkpoint.tmp";
    public static final String RELEASED_DIR = ".checkpoint.released";
    public static final String HEADER = "CHECKPOINT";
    public static final String MANIFEST = "MANIFEST";
    /** Every table's state at the cut, one file. */
    public static final String STATES = "STATES";
    /** The registry and the per-table {@code _txn} copies, under {@code .checkpoint/}. */
    public static final String DB = "db";
    static final int HEADER_MAGIC = 0x5350434b;
    static final int MANIFEST_MAGIC = 0x53504d46;
    static final int STATES_MAGIC = 0x53505342;
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
            // The files' checks in lanes of tables, beside the registry (whose write fsyncs the file and db/), the
            // state bundle and the two other files of the checkpoint: a handful of writes and fsyncs in all.
            List<SyncAction> work = new ArrayList<>(SYNC_THREADS + 4);
            work.add(() -> TableEngine.MetadataFormats.writeRegistry(fs, db, cut));
            int lanes = Math.max(1, Math.min(SYNC_THREADS, cut.tables().size() / 64));
            for (int lane = 0; lane < lanes; lane++) {
                int first = lane;
                work.add(() -> {
                    for (int i = first; i < cut.tables().size(); i += lanes) {
                        checkFiles(fs, root, cut.tables().get(i));
                    }
                });
            }
            work.add(() -> {
                writeFile(fs, temp.resolve(STATES), encodeStates(cut.tables()));
                syncFile(fs, temp.resolve(STATES));
            });
            work.add(() -> {
                writeFile(fs, temp.resolve(MANIFEST), encodeManifest(manifest));
                syncFile(fs, temp.resolve(MANIFEST));
            });
            work.add(() -> {
                writeFile(fs, temp.resolve(HEADER), encodeHeader(header));
                syncFile(fs, temp.resolve(HEADER));
            });
            runAll(work);
            // The directories' own entries, once everything in them exists.
            runAll(List.of(() -> fs.syncDirectory(db), () -> fs.syncDirectory(temp)));
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

    /**
     * A checkpoint that a copy could not be restored from is refused: every file the table's state references must
     * exist with at least its committed length (a stat per file, no data read).
     *
     * @throws StorageException CORRUPT naming the table and the file
     */
    private static void checkFiles(FileSystemFacade fs, Path root, TableCut t) throws IOException {
        String prefix = DB + "/" + t.directory() + "/";
        for (PartitionCut p : t.partitions()) {
            for (CheckpointFile f : p.files(prefix)) {
                Path file = root.resolve(f.path());
                long size;
                try {
                    size = fs.size(file);
                } catch (NoSuchFileException e) {
                    size = -1;
                }
                if (size < f.committedLength()) {
                    throw new StorageException(StorageException.Kind.CORRUPT, "table file "
                            + (size < 0 ? "missing" : "shorter than its committed length") + ", checkpoint refused "
                            + "[table=" + t.schema().name() + ", file=" + f.path() + ", committed="
                            + f.committedLength() + ", actual=" + (size < 0 ? "none" : String.valueOf(size)) + "]");
                }
            }
        }
    }

    private static void writeFile(FileSystemFacade fs, Path file, ByteBuffer image) throws IOException {
        try (FileSystemFacade.WritableFile out = fs.openWritable(file)) {
            out.write(image, 0);
        }
    }

    private static void syncFile(FileSystemFacade fs, Path file) throws IOException {
        try (FileSystemFacade.WritableFile f = fs.openWritable(file)) {
            f.sync();
        }
    }

    /** One piece of I/O work of {@link #runAll}. */
    private interface SyncAction {
        void sync() throws IOException;
    }

    private static final int SYNC_THREADS = 8;
    private static volatile ExecutorService syncPool;

    private static ExecutorService syncPool() {
        ExecutorService p = syncPool;
        if (p == null) {
            synchronized (CheckpointDirectory.class) {
                p = syncPool;
                if (p == null) {
                    AtomicInteger n = new AtomicInteger();
                    p = Executors.newFixedThreadPool(SYNC_THREADS, r -> {
                        Thread t = new Thread(r, "stillpoint-checkpoint-fsync-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                    syncPool = p;
                }
            }
        }
        return p;
    }

    /**
     * Runs the writes and fsyncs of a checkpoint concurrently, in {@value #SYNC_THREADS} lanes (one on the calling
     * thread), and waits for all; throws the first failure. Concurrent fsyncs share the file system's journal
     * commits and the device flushes: with 1,000 tables (2,000 fsyncs) this is what keeps CREATE fast.
     */
    private static void runAll(List<SyncAction> actions) throws IOException {
        int lanes = Math.min(SYNC_THREADS, actions.size());
        if (lanes <= 1) {
            for (SyncAction a : actions) {
                a.sync();
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        java.util.concurrent.Callable<Void> lane = () -> {
            for (int i = next.getAndIncrement(); i < actions.size(); i = next.getAndIncrement()) {
                actions.get(i).sync();
            }
            return null;
        };
        List<Future<Void>> futures = new ArrayList<>(lanes - 1);
        for (int l = 1; l < lanes; l++) {
            futures.add(syncPool().submit(lane));
        }
        Exception first = null;
        try {
            lane.call();
        } catch (Exception e) {
            first = e;
            next.set(actions.size()); // the other lanes stop taking work
        }
        for (Future<Void> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof Exception ex ? ex : new IOException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (first == null) {
                    first = new java.io.InterruptedIOException("interrupted while syncing the checkpoint");
                }
            }
        }
        if (first instanceof IOException io) {
            throw io;
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first != null) {
            throw new IOException(first);
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

    static ByteBuffer encodeStates(List<TableCut> tables) {
        List<ByteBuffer> images = new ArrayList<>(tables.size());
        int size = 16 + 4;
        for (TableCut t : tables) {
            ByteBuffer image = TableEngine.MetadataFormats.compactTxnImage(t);
            images.add(image);
            size += 12 + image.remaining();
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(STATES_MAGIC).putInt(CHECKPOINT_FORMAT_VERSION).putInt(size).putInt(tables.size());
        for (int i = 0; i < tables.size(); i++) {
            ByteBuffer image = images.get(i);
            b.putLong(tables.get(i).id()).putInt(image.remaining()).put(image);
        }
        return withCrc(b);
    }

    /**
     * Decodes {@code STATES} against the registry's entries (same count, same ids in the same order), each image
     * checked in TxnFile's format; errors name {@code STATES/<name>~<id>/_txn}.
     */
    static List<TableCut> decodeStates(Path path, ByteBuffer b, List<TableEngine.MetadataFormats.RegistryEntry> entries)
            throws IOException {
        checkEnvelope(path, b, STATES_MAGIC, "checkpoint state bundle", 16 + 4);
        try {
            int count = b.getInt();
            if (count != entries.size()) {
                throw CheckpointErrors.corrupt("checkpoint state bundle entry count differs from the registry", path,
                        12, entries.size(), count);
            }
            List<TableCut> tables = new ArrayList<>(count);
            for (TableEngine.MetadataFormats.RegistryEntry e : entries) {
                int at = b.position();
                long id = b.getLong();
                if (id != e.id()) {
                    throw CheckpointErrors.corrupt("checkpoint state bundle entry belongs to another table", path,
                            at, e.id(), id);
                }
                int length = b.getInt();
                if (length < 0 || length > b.remaining()) {
                    throw CheckpointErrors.corrupt("checkpoint state bundle image length out of range", path, at + 8,
                            "0.." + b.remaining(), length);
                }
                ByteBuffer image = b.slice(b.position(), length).order(ByteOrder.LITTLE_ENDIAN);
                b.position(b.position() + length);
                tables.add(TableEngine.MetadataFormats.readTxn(image, path.resolve(e.directory()), e.id(),
                        e.directory(), e.schema()));
            }
            if (b.hasRemaining()) {
                throw CheckpointErrors.corrupt("trailing bytes in checkpoint state bundle", path, b.position(),
                        "end of entries", b.remaining() + " bytes");
            }
            return tables;
        } catch (BufferUnderflowException e) {
            throw CheckpointErrors.corrupt("checkpoint state bundle truncated", path, b.position(), "more bytes",
                    "end of entries");
        }
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
     * Removes {@code <root>/.checkpoint} if present: {@link #retire} then {@link #deleteReleased}. A crash at any
     * point leaves no {@code .checkpoint} once the rename is durable.
     *
     * @throws StorageException IO if the rename or its fsync failed (the checkpoint may still be there)
     */
    public static void remove(FileSystemFacade fs, Path root) {
        retire(fs, root);
        deleteReleased(fs, root);
    }

    /**
     * The durable half of a removal: renames {@code .checkpoint} (if present) to {@code .checkpoint.released} (or,
     * while an earlier one is still being deleted, {@code .checkpoint.released-<n>}) and fsyncs the root. From here
     * on the checkpoint is gone; the renamed metadata can be deleted at leisure ({@link #deleteReleased}), and is
     * discarded at the next open otherwise.
     *
     * @throws StorageException IO if the rename or its fsync failed (the checkpoint may still be there)
     */
    public static void retire(FileSystemFacade fs, Path root) {
        Path dir = root.resolve(DIR);
        try {
            if (fs.exists(dir)) {
                Path released = root.resolve(RELEASED_DIR);
                for (int n = 1; fs.exists(released); n++) {
                    released = root.resolve(RELEASED_DIR + "-" + n);
                }
                fs.rename(dir, released);
                fs.syncDirectory(root);
            }
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot remove checkpoint directory", dir, e);
        }
    }

    /**
     * Deletes every {@code .checkpoint.released*} directory; a failure is logged, not thrown (the next removal or
     * open deletes it). No fsync: a deletion lost in a crash leaves metadata that is discarded at open.
     */
    public static void deleteReleased(FileSystemFacade fs, Path root) {
        try {
            for (String name : fs.list(root)) {
                if (name.startsWith(RELEASED_DIR)) {
                    deleteRecursively(fs, root.resolve(name));
                }
            }
        } catch (IOException | RuntimeException e) {
            System.getLogger(CheckpointDirectory.class.getName()).log(System.Logger.Level.WARNING,
                    "released checkpoint metadata not deleted yet [root=" + root + ", error=" + e.getMessage()
                            + "]");
        }
    }

    /**
     * Deletes {@code .checkpoint.tmp} (a create that did not finish) and every {@code .checkpoint.released*} (a
     * removal that did not finish) if present. Called at engine open.
     */
    public static void discardLeftovers(FileSystemFacade fs, Path root) {
        Path p = root;
        try {
            boolean any = false;
            for (String name : fs.list(root)) {
                if (name.equals(TEMP_DIR) || name.startsWith(RELEASED_DIR)) {
                    p = root.resolve(name);
                    deleteRecursively(fs, p);
                    any = true;
                }
            }
            if (any) {
                fs.syncDirectory(root);
            }
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot discard unfinished checkpoint metadata", p, e);
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
        Path statesPath = dir.resolve(STATES);
        List<TableCut> tables;
        try {
            tables = decodeStates(statesPath, readAll(fs, statesPath), registry.entries());
        } catch (IOException ex) {
            throw CheckpointErrors.io("cannot read checkpoint state bundle", statesPath, ex);
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
            if (txnVersion < TableEngine.MetadataFormats.oldestTxnFormatVersionRead()
                    || txnVersion > TableEngine.MetadataFormats.txnFormatVersion()) {
                // A checkpoint's _txn images of format 3 (before deferred commits) are still read.
                checkStorageVersion(path, 12, "txn", txnVersion, TableEngine.MetadataFormats.txnFormatVersion());
            }
            if (registryVersion < TableEngine.MetadataFormats.oldestRegistryFormatVersionRead()
                    || registryVersion > TableEngine.MetadataFormats.registryFormatVersion()) {
                // Older images are read as such (TableRegistry.loadImage), so only unknown versions are refused.
                checkStorageVersion(path, 16, "table registry", registryVersion,
                        TableEngine.MetadataFormats.registryFormatVersion());
            }
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
