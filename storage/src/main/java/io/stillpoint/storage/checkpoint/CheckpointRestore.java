package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.CheckpointFile;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * Restore from a copy: rolls a root back to the instant its checkpoint ({@link CheckpointDirectory}) was created,
 * when the operator touched {@code <root>/_restore}. Runs at engine open, right after the root lock is taken and
 * before anything else reads or writes the root ({@link #restoreIfRequested}).
 *
 * <ol>
 *   <li><b>Validate, changing nothing.</b> {@code .checkpoint/} must exist, be complete and readable, of a
 *       compatible checkpoint and storage format version ({@link CheckpointDirectory#read} checks every byte of
 *       it); every file of its manifest must be present with at least its committed length. Any failure is a
 *       RESTORE_REFUSED naming the file and what is wrong; no file is changed and {@code _restore} stays.</li>
 *   <li><b>Roll back</b>, each step idempotent so that a crash anywhere is finished by the next start: install the
 *       checkpointed registry as {@code db/_tables} and each table's checkpointed state (from the state bundle) as
 *       {@code db/<dir>/_txn} (each written to {@code <name>.restore.tmp}, fsynced, renamed over the name, directory
 *       fsynced: a rename never
 *       writes into a shared inode; a table directory missing because the table had no data is recreated); cut
 *       every manifest file longer than its committed length (a file with more than one hard link is replaced by a
 *       private copy of its committed prefix instead, {@link PrivateCopies}). The per-table installs and the cuts are
 *       independent and run in parallel lanes (the cost is their fsyncs); the registry goes last. Tables created
 *       and partition versions written after the checkpoint are not deleted here: nothing references them any more,
 *       and the engine's open hands unreferenced directories to housekeeping, the only component that deletes
 *       data.</li>
 *   <li><b>Complete</b>, in this order: write the marker {@code .checkpoint/RESTORED} (tmp, fsync, rename, fsync
 *       of {@code .checkpoint}); delete {@code _restore} and fsync the root; remove {@code .checkpoint}
 *       ({@link CheckpointDirectory#remove}: rename to {@code .checkpoint.released}, fsync, delete). The marker
 *       tells a start that finds {@code .checkpoint} without {@code _restore} (a crash between the last two steps)
 *       that this is a finished restore, not a copy started without {@code _restore}:
 *       {@link #finishIfRolledBack} completes it.</li>
 * </ol>
 *
 * <p>Marker file {@code .checkpoint/RESTORED} (format version {@value #MARKER_FORMAT_VERSION}), exactly 16 bytes,
 * little-endian: offset 0 int magic 0x53505242 "SPRB", 4 int format version, 8 int number of tables rolled back,
 * 12 int CRC32C of bytes [0, 12). A marker that fails these checks is CORRUPT (naming the file), never taken as
 * "rolled back".
 */
public final class CheckpointRestore {

    /** The trigger file in the root. */
    public static final String TRIGGER = "_restore";
    /** The marker inside {@code .checkpoint} that the rollback is complete. */
    public static final String MARKER = "RESTORED";
    public static final int MARKER_FORMAT_VERSION = 1;
    static final int MARKER_MAGIC = 0x53505242;
    private static final int MARKER_SIZE = 16;
    /** Suffix of the temporary copies restore renames over the live metadata files. */
    public static final String TEMP_SUFFIX = ".restore.tmp";

    private static final System.Logger LOG = System.getLogger(CheckpointRestore.class.getName());

    /** What a completed restore did. */
    public record Result(int tables, int filesCut, long millis) {
    }

    private CheckpointRestore() {
    }

    /**
     * The whole restore, for {@link TableEngine#open} right after the root lock: finishes a restore whose rollback
     * was complete ({@link #finishIfRolledBack}); otherwise, if {@code _restore} exists, validates, rolls back and
     * completes. Returns what it did, or null if there was nothing to do.
     *
     * @throws StorageException RESTORE_REFUSED (validation failed: nothing was changed, {@code _restore} stays), IO or
     *                          DISK_FULL (rollback interrupted: the next start finishes it)
     */
    public static Result restoreIfRequested(FileSystemFacade fs, Path root) {
        if (finishIfRolledBack(fs, root)) {
            return new Result(0, 0, 0);
        }
        Path trigger = root.resolve(TRIGGER);
        if (!fs.exists(trigger)) {
            return null;
        }
        long started = System.nanoTime();
        CheckpointDirectory.Contents checkpoint = validate(fs, root);
        int cut;
        try {
            cut = rollBack(fs, root, checkpoint);
            writeMarker(fs, root, checkpoint.tables().size());
            complete(fs, root);
        } catch (IOException e) {
            throw CheckpointErrors.io("restore interrupted, the next start finishes it", root, e);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, "restore complete [root=" + root + ", tables=" + checkpoint.tables().size()
                + ", files_cut=" + cut + ", ms=" + ms + "]");
        return new Result(checkpoint.tables().size(), cut, ms);
    }

    /**
     * If {@code .checkpoint} holds the marker of a finished rollback: deletes {@code _restore} if it is still there
     * (fsync of the root), removes {@code .checkpoint}, and returns true. The engine's open calls this before it
     * decides whether a {@code .checkpoint} without {@code _restore} is its own checkpoint or a copy's.
     *
     * @throws StorageException CORRUPT if the marker is damaged, IO
     */
    public static boolean finishIfRolledBack(FileSystemFacade fs, Path root) {
        Path marker = root.resolve(CheckpointDirectory.DIR).resolve(MARKER);
        if (!fs.exists(marker)) {
            return false;
        }
        checkMarker(fs, marker);
        try {
            complete(fs, root);
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot finish restore", root, e);
        }
        LOG.log(System.Logger.Level.INFO, "restore complete [root=" + root + ", finished after a restart]");
        return true;
    }

    // ---------------------------------------------------------------- validate

    /**
     * Everything restore needs, checked without changing a byte: the checkpoint directory and every manifest file.
     *
     * @throws StorageException RESTORE_REFUSED naming the file and what is wrong
     */
    public static CheckpointDirectory.Contents validate(FileSystemFacade fs, Path root) {
        Path dir = root.resolve(CheckpointDirectory.DIR);
        if (!fs.exists(dir)) {
            throw refused("checkpoint trigger file found, but the checkpoint directory does not exist [dir=" + dir
                    + ", trigger=" + root.resolve(TRIGGER) + "]", null);
        }
        CheckpointDirectory.Contents checkpoint;
        try {
            checkpoint = CheckpointDirectory.read(fs, root);
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.RESTORE_REFUSED) {
                throw e; // a format version fence: the message names both versions
            }
            throw refused("checkpoint directory unusable, " + e.getMessage(), e);
        }
        for (CheckpointFile f : checkpoint.manifest()) {
            Path file = root.resolve(f.path());
            long actual;
            try {
                if (!fs.exists(file)) {
                    throw refused("file the checkpoint needs is missing [file=" + f.path() + ", committed="
                            + f.committedLength() + "]", null);
                }
                actual = fs.size(file);
            } catch (IOException e) {
                throw refused("file the checkpoint needs is not readable [file=" + f.path() + ", error="
                        + e.getMessage() + "]", e);
            }
            if (actual < f.committedLength()) {
                throw refused("file shorter than the checkpoint needs [file=" + f.path() + ", committed="
                        + f.committedLength() + ", actual=" + actual + "]", null);
            }
        }
        Path db = root.resolve(CheckpointDirectory.DB);
        for (CheckpointDirectory.TableCut t : checkpoint.tables()) {
            Path tableDir = db.resolve(t.directory());
            Path txn = tableDir.resolve(TableEngine.MetadataFormats.TXN_NAME);
            if (fs.exists(tableDir) && !isDirectory(fs, tableDir)) {
                throw refused("table directory is not a directory [dir=" + CheckpointDirectory.DB + "/"
                        + t.directory() + "]", null);
            }
            if (fs.exists(txn) && isDirectory(fs, txn)) {
                throw refused("table txn file is a directory [file=" + CheckpointDirectory.DB + "/" + t.directory()
                        + "/" + TableEngine.MetadataFormats.TXN_NAME + "]", null);
            }
        }
        return checkpoint;
    }

    private static boolean isDirectory(FileSystemFacade fs, Path p) {
        try {
            fs.list(p);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static StorageException refused(String message, Throwable cause) {
        return new StorageException(StorageException.Kind.RESTORE_REFUSED, message, cause);
    }

    // ---------------------------------------------------------------- roll back

    /** Parallel lanes of the rollback: its cost is fsyncs (two per table, one per cut file), not bandwidth. */
    private static final int LANES = 8;

    /** One step of the rollback that may run beside the others. */
    private interface Step {
        void run() throws IOException;
    }

    /** The idempotent rollback; returns how many files it cut. */
    private static int rollBack(FileSystemFacade fs, Path root, CheckpointDirectory.Contents checkpoint)
            throws IOException {
        Path db = root.resolve(CheckpointDirectory.DB);
        Path saved = root.resolve(CheckpointDirectory.DIR).resolve(CheckpointDirectory.DB);
        if (!fs.exists(db)) {
            fs.createDirectories(db);
            fs.syncDirectory(root);
        }
        // Tables first, the registry last: until it is installed, no open can take a half-restored state for
        // complete, and a crash here repeats everything anyway (_restore is still there).
        List<Step> steps = new ArrayList<>();
        for (CheckpointDirectory.TableCut t : checkpoint.tables()) {
            Path tableDir = db.resolve(t.directory());
            steps.add(() -> {
                if (!fs.exists(tableDir)) {
                    fs.createDirectories(tableDir); // validation showed it had no data files
                    fs.syncDirectory(db);
                }
                installBytes(fs, TableEngine.MetadataFormats.txnImage(t),
                        tableDir.resolve(TableEngine.MetadataFormats.TXN_NAME));
            });
        }
        AtomicInteger cut = new AtomicInteger();
        for (CheckpointFile f : checkpoint.manifest()) {
            Path file = root.resolve(f.path());
            steps.add(() -> {
                if (fs.size(file) > f.committedLength()) {
                    if (!PrivateCopies.privatizeIfShared(fs, file, f.committedLength())) {
                        fs.truncate(file, f.committedLength());
                    }
                    cut.incrementAndGet();
                }
            });
        }
        runInLanes(steps);
        installCopy(fs, saved.resolve(TableEngine.MetadataFormats.REGISTRY_NAME),
                db.resolve(TableEngine.MetadataFormats.REGISTRY_NAME));
        return cut.get();
    }

    /** Runs independent steps in up to {@link #LANES} threads; all are tried, the first failure is thrown. */
    private static void runInLanes(List<Step> steps) throws IOException {
        int lanes = Math.min(LANES, steps.size());
        if (lanes <= 1) {
            for (Step step : steps) {
                step.run();
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(lanes, r -> {
            Thread t = new Thread(r, "stillpoint-restore");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>(steps.size());
            for (Step step : steps) {
                futures.add(pool.submit(() -> {
                    step.run();
                    return null;
                }));
            }
            Throwable first = null;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause();
                    } else {
                        first.addSuppressed(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("restore interrupted");
                }
            }
            if (first instanceof IOException io) {
                throw io;
            } else if (first instanceof RuntimeException re) {
                throw re;
            } else if (first instanceof Error err) {
                throw err;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Replaces {@code target} by a copy of {@code source}: {@code <target>.restore.tmp} written and fsynced, renamed
     * over {@code target}, the directory fsynced. Never writes into {@code target} (it may be a hard link).
     */
    /** Like {@link #installCopy}, from bytes in memory. */
    private static void installBytes(FileSystemFacade fs, ByteBuffer image, Path target) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        if (fs.exists(temp)) {
            fs.delete(temp); // an interrupted earlier attempt; maybe a hard link, so never written into
        }
        try (FileSystemFacade.WritableFile out = fs.openWritable(temp)) {
            out.write(image, 0);
            out.sync();
        }
        fs.rename(temp, target);
        fs.syncDirectory(target.getParent());
    }

    private static void installCopy(FileSystemFacade fs, Path source, Path target) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        if (fs.exists(temp)) {
            fs.delete(temp); // an interrupted earlier attempt; maybe a hard link, so never written into
        }
        try (FileSystemFacade.ReadableFile in = fs.openReadable(source);
             FileSystemFacade.WritableFile out = fs.openWritable(temp)) {
            long size = in.size();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(size, 1)));
            long at = 0;
            while (at < size) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), size - at));
                int n = in.read(buf, at);
                if (n < 0) {
                    throw new IOException("file ended while copying it [file=" + source + ", at=" + at + "]");
                }
                buf.flip();
                out.write(buf, at);
                at += n;
            }
            out.sync();
        }
        fs.rename(temp, target);
        fs.syncDirectory(target.getParent());
    }

    // ---------------------------------------------------------------- complete

    private static void writeMarker(FileSystemFacade fs, Path root, int tables) throws IOException {
        Path dir = root.resolve(CheckpointDirectory.DIR);
        Path temp = dir.resolve(MARKER + ".tmp");
        if (fs.exists(temp)) {
            fs.delete(temp);
        }
        ByteBuffer b = ByteBuffer.allocate(MARKER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MARKER_MAGIC).putInt(MARKER_FORMAT_VERSION).putInt(tables);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 12);
        b.putInt((int) crc.getValue()).flip();
        try (FileSystemFacade.WritableFile out = fs.openWritable(temp)) {
            out.write(b, 0);
            out.sync();
        }
        fs.rename(temp, dir.resolve(MARKER));
        fs.syncDirectory(dir);
    }

    private static void checkMarker(FileSystemFacade fs, Path marker) {
        ByteBuffer b = ByteBuffer.allocate(MARKER_SIZE + 1).order(ByteOrder.LITTLE_ENDIAN);
        try (FileSystemFacade.ReadableFile in = fs.openReadable(marker)) {
            while (b.hasRemaining() && in.read(b, b.position()) > 0) {
                // read up to one byte more than a marker has, to see a longer file
            }
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot read restore marker", marker, e);
        }
        if (b.position() != MARKER_SIZE) {
            throw CheckpointErrors.corrupt("restore marker has the wrong length", marker, 0, MARKER_SIZE + " bytes",
                    b.position() > MARKER_SIZE ? "more" : b.position() + " bytes");
        }
        if (b.getInt(0) != MARKER_MAGIC) {
            throw CheckpointErrors.corrupt("not a stillpoint restore marker, bad magic", marker, 0,
                    CheckpointErrors.hex(MARKER_MAGIC), CheckpointErrors.hex(b.getInt(0)));
        }
        if (b.getInt(4) != MARKER_FORMAT_VERSION) {
            throw CheckpointErrors.corrupt("unsupported restore marker format version", marker, 4,
                    MARKER_FORMAT_VERSION, b.getInt(4));
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 12);
        if (b.getInt(12) != (int) crc.getValue()) {
            throw CheckpointErrors.corrupt("restore marker checksum mismatch", marker, 12,
                    CheckpointErrors.hex((int) crc.getValue()), CheckpointErrors.hex(b.getInt(12)));
        }
    }

    /** The last two steps: {@code _restore} deleted durably, then {@code .checkpoint} removed. Idempotent. */
    private static void complete(FileSystemFacade fs, Path root) throws IOException {
        Path trigger = root.resolve(TRIGGER);
        if (fs.exists(trigger)) {
            fs.delete(trigger);
            fs.syncDirectory(root);
        }
        CheckpointDirectory.remove(fs, root);
    }
}
