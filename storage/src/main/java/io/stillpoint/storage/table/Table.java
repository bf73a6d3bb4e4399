package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.checkpoint.CheckpointCoordinator;
import io.stillpoint.storage.checkpoint.PrivateCopies;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.housekeeping.Housekeeping;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One incarnation of a table (directory {@code <root>/db/<name>~<id>/}): its committed state, the commit path,
 * the cache of open column files shared by the writer and the readers, and the pin count that keeps
 * housekeeping from deleting files a snapshot may still read.
 *
 * <p>Commit protocol (per commit, under {@link #commitLock}): encode the buffered rows column-wise into reusable
 * buffers, computing the CRC32C of what each touched file gets appended; one positional write per touched file
 * at its committed size; one in-place write of the new {@code _txn} record, which lists those appended ranges
 * and their CRCs ({@link TxnFile#writeSlot}); then one phase of concurrent fsyncs: every touched file, the
 * {@code _txn} file and each directory in which a file or directory was created (only then); then publish the new
 * state to readers. A crash inside that phase can leave the record durable without all of its data; recovery
 * detects that by the CRCs and falls back to the previous commit. A failure leaves the published state as it
 * was, invalidates the written slot durably ({@link TxnFile#invalidateAfter}; if even that fails, the table
 * retries the invalidation before its next commit and refuses the commit while it fails) and leaves only bytes
 * past the committed sizes, which the next commit overwrites. A record that does not fit its slot (or a format
 * version 1 {@code _txn}) takes the slow path: the fsyncs of the data first,
 * then {@link TxnFile#installInNewFile}.
 */
final class Table implements Housekeeping.PurgeTarget {

    final long id;
    final String directoryName;
    final Path dir;
    // Replaced only by a rename or a TTL change (same columns), under commitLock and the engine's registry lock.
    volatile TableSchema schema;
    private final FileSystemFacade fs;
    final ReentrantLock commitLock = new ReentrantLock();
    private final TxnFile txnFile;
    private volatile TxnState state;
    // The engine's publish lock, shared side: every change of state is published under it, after its fsyncs, so
    // that the checkpoint's cut (exclusive side) reads all tables' states at one instant without waiting for a
    // commit's fsync (a commit not yet published is not acknowledged either).
    private final Lock publishLock;
    private final Map<Path, OpenFile> files = new ConcurrentHashMap<>();
    // Handles replaced by a private copy (hard-link safety); readers may still hold them. Guarded by files.
    private final List<Map.Entry<Path, OpenFile>> retiredFiles = new ArrayList<>();
    // Appending commits per partition since open, for the compaction policy (updated under commitLock).
    final AppendStats appendStats = new AppendStats();
    // Directory names of crash leftovers queued for housekeeping; a commit must not reuse one of these names.
    final Set<String> leftoversAwaitingPurge = ConcurrentHashMap.newKeySet();

    // Guarded by this: readers' pins versus housekeeping's purge.
    private int pins;
    // Open snapshots by the txn of their state: the oldest decides which superseded versions may be deleted.
    private final java.util.TreeMap<Long, Integer> pinnedTxns = new java.util.TreeMap<>();
    private int versionsAwaitingPurge;
    private volatile Housekeeping housekeepingForVersions;
    private boolean dropped;
    private boolean purging;
    private Runnable onLastUnpinAfterDrop;
    // Guarded by commitLock.
    private volatile boolean closed;
    private boolean poisoned;
    // Whether a commit renamed _txn.tmp over _txn since the last keepTxnTempName (written under commitLock).
    private volatile boolean txnTempRenamed;
    // Guarded by commitLock: txn of a failed commit whose record may be on disk and is not yet invalidated, or -1.
    private long pendingInvalidation = -1;

    // Reusable commit scratch, guarded by commitLock.
    private final PartitionScheme scheme;
    private final ByteBuffer[] dataBuffers;
    private final ByteBuffer[] indexBuffers;
    private ByteBuffer nullBuffer = direct(1024);
    private long[] rowKeys = new long[256];
    private int[] selection = new int[256];
    private final ParallelSync parallelSync;
    private final List<ParallelSync.SyncAction> toSync = new ArrayList<>();
    private final List<Path> dirsToSync = new ArrayList<>();
    // What the commit in progress appended, by partition key (partition indexes are known only at the end).
    private final List<long[]> appendedByKey = new ArrayList<>();
    /**
     * Whether small appends defer their column fsyncs (see {@link #install}); the system property
     * {@code stillpoint.storage.deferColumnSyncs=false} turns it off (for A/B measurements), tests may too.
     */
    static volatile boolean deferColumnSyncs = !"false".equals(System.getProperty("stillpoint.storage.deferColumnSyncs"));
    // Deferred commits (guarded by commitLock): every commit up to durableTxn has its column bytes fsynced; the
    // files deferred commits after it wrote, not yet fsynced; and whether a failed fsync of them means their bytes
    // must be rewritten from the _txn records first.
    private long durableTxn;
    /** Whether half a ring of deferred commits starts a background flush; tests turn it off for exact I/O orders. */
    static volatile boolean flushInBackground = true;
    private final Map<Path, FileSystemFacade.WritableFile> unsyncedFiles = new java.util.LinkedHashMap<>();
    private boolean replayNeeded;
    // A flush of unsynced files running in the background (null: none), and the last commit it covers.
    private java.util.concurrent.Future<Void> backgroundFlush;
    private long backgroundFlushTxn;
    // Per commit: whether it may still be deferred, the inline copies of what it appended, the files it wrote.
    private boolean deferrable;
    private ByteBuffer inlineCopies = ByteBuffer.allocate(8192);
    private final Map<Path, FileSystemFacade.WritableFile> writtenFiles = new java.util.LinkedHashMap<>();
    private final java.util.zip.CRC32C appendCrc = new java.util.zip.CRC32C();

    /** A cached open file and whether its header has been validated. */
    static final class OpenFile {
        private static final long MIN_MAPPED_SIZE = 1 << 20;
        private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

        final FileSystemFacade.WritableFile file;
        volatile boolean checked;
        // The file's length as far as this process knows (-1: not looked up yet); only the committing thread,
        // under the table's commit lock, uses it.
        private long length = -1;
        // A read-only mapping of the file's first mapped.capacity() bytes, all committed; grown on demand.
        private volatile ByteBuffer mapped;

        OpenFile(FileSystemFacade.WritableFile file) {
            this.file = file;
        }

        /**
         * A little-endian view of {@code [position, position + size)}, which must lie below {@code committedSize},
         * served from a memory mapping of a committed prefix of the file; or null when the caller should read
         * positionally instead (small file, range past the mapping, file too large for one mapping).
         *
         * <p>Mappings are only released by the garbage collector, so they are not renewed at every commit: a
         * new, larger mapping is made only once the committed size outgrew the current one by 1 MiB or 1/8.
         */
        /** Looks the file's length up once, before the first append of this process writes to it. */
        void learnLength() throws IOException {
            if (length < 0) {
                length = file.size();
            }
        }

        /**
         * After an append that ended at {@code end}: if it grew the file (its end lies past the known length),
         * writes zeros from {@code end} up to {@link ColumnFiles#extentEnd}, so that the next appends do not grow
         * the file. Synced with the commit; a failure fails the commit like any failed write.
         */
        void extendPast(long end) throws IOException {
            if (end <= length) {
                return;
            }
            long target = ColumnFiles.extentEnd(end);
            for (long at = end; at < target; ) {
                ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int) Math.min(zeros.capacity(), target - at));
                int n = zeros.remaining();
                file.write(zeros, at);
                at += n;
            }
            length = target;
        }

        ByteBuffer view(long committedSize, long position, int size) throws IOException {
            if (committedSize > Integer.MAX_VALUE) {
                return null;
            }
            ByteBuffer m = mapped;
            if (m == null || position + size > m.capacity()) {
                synchronized (this) {
                    m = mapped;
                    long covered = m == null ? 0 : m.capacity();
                    if (position + size > covered) {
                        if (committedSize < MIN_MAPPED_SIZE
                                || committedSize - covered < Math.max(MIN_MAPPED_SIZE, covered / 8)) {
                            return null;
                        }
                        m = file.map(0, (int) committedSize);
                        mapped = m;
                    }
                }
            }
            return m.slice((int) position, size).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private Table(long id, String directoryName, Path dir, TableSchema schema, FileSystemFacade fs, TxnFile txnFile,
                  TxnState state, ParallelSync parallelSync, Lock publishLock) {
        this.parallelSync = parallelSync;
        this.publishLock = publishLock;
        this.id = id;
        this.directoryName = directoryName;
        this.dir = dir;
        this.schema = schema;
        this.fs = fs;
        this.txnFile = txnFile;
        this.state = state;
        this.durableTxn = state.txn; // a created table is empty; an opened one was made durable by TxnFile.open
        this.scheme = new PartitionScheme(schema.partitionBy());
        int n = schema.columnCount();
        dataBuffers = new ByteBuffer[n];
        indexBuffers = new ByteBuffer[n];
        for (int c = 0; c < n; c++) {
            dataBuffers[c] = direct(4096);
            if (schema.columns().get(c).type() == ColumnType.VARCHAR) {
                indexBuffers[c] = direct(4096);
            }
        }
    }

    /** Creates the directory and an empty {@code _txn}, durably. */
    static Table create(FileSystemFacade fs, Path dbDir, long id, String directoryName, TableSchema schema,
                        ParallelSync parallelSync, Lock publishLock) throws IOException {
        Path dir = dbDir.resolve(directoryName);
        fs.createDirectories(dir);
        TxnFile txn = TxnFile.create(fs, dir, id, schema);
        fs.syncDirectory(dbDir);
        return new Table(id, directoryName, dir, schema, fs, txn, new TxnState(0, 0, List.of()), parallelSync,
                publishLock);
    }

    /** Opens an existing table directory, validating its {@code _txn}. */
    static Table open(FileSystemFacade fs, Path dbDir, long id, String directoryName, TableSchema schema,
                      ParallelSync parallelSync, Lock publishLock) throws IOException {
        Path dir = dbDir.resolve(directoryName);
        if (!fs.exists(dir.resolve(TxnFile.NAME))) {
            throw StorageErrors.corrupt("table txn file missing", dir.resolve(TxnFile.NAME), 0, "a txn file",
                    "no such file");
        }
        TxnState[] committed = new TxnState[1];
        TxnFile txn = TxnFile.open(fs, dir, id, schema, parallelSync, committed);
        return new Table(id, directoryName, dir, schema, fs, txn, committed[0], parallelSync, publishLock);
    }

    TxnState state() {
        return state;
    }

    /** Makes {@code next} the committed state (under commitLock, after its fsyncs): see publishLock. */
    private void publish(TxnState next) {
        publishLock.lock();
        try {
            state = next;
        } finally {
            publishLock.unlock();
        }
    }

    String partitionName(PartitionState p) {
        return PartitionScheme.nameOf(schema.partitionBy(), p.key);
    }

    Path partitionDir(PartitionState p) {
        return dir.resolve(p.directoryName(partitionName(p)));
    }

    // ---------------------------------------------------------------- pins and purge

    /**
     * Opens a snapshot on the latest committed state, pinned: the incarnation (against DROP's purge) and, by the
     * state's txn, the partition versions it references (against the purge of versions a later rewrite
     * superseded, see {@link VersionPurge}). State and pin are taken together under this monitor, so a version
     * purge that claims after a rewrite was published never misses a reader of the old state. Null if the
     * incarnation is being purged.
     */
    CommittedTableSnapshot openSnapshot() {
        TxnState s;
        synchronized (this) {
            if (purging) {
                return null;
            }
            s = state;
            pins++;
            pinnedTxns.merge(s.txn, 1, Integer::sum);
        }
        return new CommittedTableSnapshot(this, s);
    }

    void unpin(long txn) {
        Runnable wake;
        boolean versionsFreed;
        synchronized (this) {
            pins--;
            int left = pinnedTxns.merge(txn, -1, Integer::sum);
            if (left == 0) {
                pinnedTxns.remove(txn);
            }
            versionsFreed = left == 0 && versionsAwaitingPurge > 0;
            wake = pins == 0 && dropped ? onLastUnpinAfterDrop : null;
        }
        if (wake != null) {
            wake.run();
        } else if (versionsFreed && housekeepingForVersions != null) {
            housekeepingForVersions.wake();
        }
    }

    /**
     * A superseded partition version directory: deletable once no open snapshot has a txn below the commit that
     * superseded it (a snapshot at or after that commit never references it, and new snapshots only start at the
     * latest state). Queued by a successful {@link #rewrite}; one not purged before the engine closes is found
     * unreferenced at the next open.
     */
    private final class VersionPurge implements Housekeeping.PurgeTarget {
        private final Path versionDir;
        private final long supersededAt;

        VersionPurge(Path versionDir, long supersededAt) {
            this.versionDir = versionDir;
            this.supersededAt = supersededAt;
        }

        @Override
        public Path directory() {
            return versionDir;
        }

        @Override
        public boolean tryClaimForPurge() {
            synchronized (Table.this) {
                return pinnedTxns.isEmpty() || pinnedTxns.firstKey() >= supersededAt;
            }
        }

        @Override
        public void releaseFiles() {
            // Nobody reads the version any more; close the cached handles so the delete frees the space.
            for (Map.Entry<Path, OpenFile> e : files.entrySet()) {
                if (e.getKey().startsWith(versionDir) && files.remove(e.getKey(), e.getValue())) {
                    try {
                        e.getValue().file.close();
                    } catch (IOException ignored) {
                        // The version is superseded and about to be deleted; nothing of it is needed.
                    }
                }
            }
            List<OpenFile> retired = new ArrayList<>();
            synchronized (files) {
                retiredFiles.removeIf(e -> e.getKey().startsWith(versionDir) && retired.add(e.getValue()));
            }
            for (OpenFile f : retired) {
                try {
                    f.file.close();
                } catch (IOException ignored) {
                    // Same reason as above.
                }
            }
        }

        @Override
        public void purged() {
            synchronized (Table.this) {
                versionsAwaitingPurge--;
            }
        }

        @Override
        public String toString() {
            return "superseded partition version [dir=" + versionDir + ", supersededAt=" + supersededAt + "]";
        }
    }

    synchronized boolean isDropped() {
        return dropped;
    }

    /** Marks the incarnation dropped; {@code onLastUnpin} runs when its last snapshot closes (wakes the purge). */
    synchronized void markDropped(Runnable onLastUnpin) {
        dropped = true;
        onLastUnpinAfterDrop = onLastUnpin;
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public synchronized boolean tryClaimForPurge() {
        if (pins > 0) {
            return false;
        }
        purging = true;
        return true;
    }

    @Override
    public void releaseFiles() {
        commitLock.lock();
        try {
            closed = true;
            closeFiles();
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "table " + schema.name() + " [dir=" + dir + "]";
    }

    /** Closes every cached file and {@code _txn}; the table then refuses commits. Call under commitLock. */
    void closeFiles() {
        try {
            flushUnsynced();
        } catch (IOException | RuntimeException ignored) {
            // The deferred commits' records hold their bytes: the next open rewrites them (TxnFile.replay).
        }
        unsyncedFiles.clear();
        List<OpenFile> all = new ArrayList<>(files.values());
        synchronized (files) {
            retiredFiles.forEach(e -> all.add(e.getValue()));
            retiredFiles.clear();
        }
        for (OpenFile f : all) {
            try {
                f.file.close();
            } catch (IOException ignored) {
                // Closing a channel loses nothing: the deferred bytes were fsynced above, or their records hold them.
            }
        }
        files.clear();
        try {
            txnFile.close();
        } catch (IOException ignored) {
            // Same reason as above.
        }
    }

    void close() {
        commitLock.lock();
        try {
            closed = true;
            if (pendingInvalidation >= 0) {
                try {
                    txnFile.invalidate(pendingInvalidation); // last chance, so a reopen cannot see that commit
                    pendingInvalidation = -1;
                } catch (IOException | RuntimeException ignored) {
                    // Nothing more to do: a reopen sees that commit wholly or not at all (its CRCs decide).
                }
            }
            closeFiles();
        } finally {
            commitLock.unlock();
        }
    }

    // ---------------------------------------------------------------- file cache

    /** The cached file, opened (and created if missing) on first use. */
    OpenFile file(Path path) throws IOException {
        OpenFile f = files.get(path);
        if (f != null) {
            return f;
        }
        synchronized (files) {
            if (closed) {
                throw new IOException("table files are closed (engine closed or table purged) [table="
                        + schema.name() + "]");
            }
            f = files.get(path);
            if (f == null) {
                f = new OpenFile(fs.openWritable(path));
                files.put(path, f);
            }
            return f;
        }
    }

    /** The cached file for a committed read, validated once. */
    OpenFile fileForRead(Path path, int magic, ColumnType type, long committedSize)
            throws IOException {
        OpenFile f = files.get(path);
        if (f == null) {
            if (!fs.exists(path)) {
                throw StorageErrors.corrupt(ColumnFiles.magicName(magic) + " file missing", path, 0,
                        committedSize + " committed bytes", "no such file");
            }
            f = file(path);
        }
        if (!f.checked) {
            ColumnFiles.sanityCheck(f.file, path, magic, type, committedSize);
            f.checked = true;
        }
        return f;
    }

    /**
     * While housekeeping is paused (an active checkpoint at open), the crash leftovers found at open stay on disk,
     * queued for the purge, and a commit must never write into one of them (the purge would delete what it wrote
     * once the checkpoint is released). New partition directories are named {@code <partition>.<txn>}, so the txn
     * counter jumps past the highest leftover version: one durable commit of the same partitions with that txn,
     * installed through a new {@code _txn} file (a jump may land in the current state's slot). Returns whether it
     * jumped.
     */
    boolean advancePastLeftovers() throws IOException {
        long highest = -1;
        for (String name : leftoversAwaitingPurge) {
            int dot = name.lastIndexOf('.');
            if (dot > 0) {
                try {
                    highest = Math.max(highest, Long.parseLong(name.substring(dot + 1)));
                } catch (NumberFormatException ignored) {
                    // Not a partition version (e.g. _txn.tmp): no commit names a directory like it.
                }
            }
        }
        commitLock.lock();
        try {
            TxnState current = state;
            if (highest <= current.txn) {
                return false;
            }
            TxnState next = new TxnState(highest, current.rowCount, current.partitions);
            flushUnsynced(); // the new slot area holds no inline copies
            txnFile.installInNewFile(next, current);
            durableTxn = highest;
            publish(next);
            return true;
        } finally {
            commitLock.unlock();
        }
    }

    // ---------------------------------------------------------------- commit

    /**
     * Commits the buffered rows; returns the new txn. The caller clears the buffer. Rows that fall into an
     * existing partition before its last designated timestamp are merged there copy-on-write (see
     * {@link #commitLocked}); the versions such a merge supersedes go to {@code housekeeping} as a rewrite's do.
     */
    long commit(RowBuffer rows, Housekeeping housekeeping) {
        List<Path> superseded = new ArrayList<>();
        long txn;
        boolean[] opened = new boolean[1];
        try {
            txn = underCommitLock(() -> {
                TxnState before = state;
                long t = commitLocked(rows, superseded);
                opened[0] = appendStats.noteCommit(before, state, housekeeping.clockMillis());
                return t;
            });
        } catch (RuntimeException e) {
            appendStats.noteFailedCommit();
            throw e;
        } finally {
            keepTxnTempName(housekeeping);
        }
        enqueueSuperseded(txn, superseded, housekeeping);
        if (opened[0] && schema.ttl() != null) {
            housekeeping.wakeJob(Housekeeping.TTL_JOB); // a new partition may have expired older ones
        }
        return txn;
    }

    /**
     * After a commit that installed its record through a new {@code _txn} file ({@code _txn.tmp} renamed over
     * {@code _txn}: only when converting a format version 1 or 2 file) while a checkpoint holds housekeeping: an empty {@code _txn.tmp} is put back, so a copy of the
     * root that listed this directory meanwhile does not fail on a file that vanished (see TableEngine's
     * keepTemporaryName). One flag test per commit otherwise.
     */
    private void keepTxnTempName(Housekeeping housekeeping) {
        if (!txnTempRenamed || !housekeeping.isPausedBy(CheckpointCoordinator.HOUSEKEEPING_HOLD)) {
            return;
        }
        commitLock.lock();
        try {
            txnTempRenamed = false;
            Path temp = dir.resolve(TxnFile.TEMP_NAME);
            if (!closed && !fs.exists(temp)) {
                fs.openWritable(temp).close();
            }
        } catch (IOException e) {
            // Only a concurrent copy could miss it; the commit itself is done (or failed on its own).
        } finally {
            commitLock.unlock();
        }
    }

    /** Queues the versions a successful commit {@code txn} superseded for the purge ({@link VersionPurge}). */
    private void enqueueSuperseded(long txn, List<Path> superseded, Housekeeping housekeeping) {
        if (txn > 0 && !superseded.isEmpty()) {
            housekeepingForVersions = housekeeping;
            synchronized (this) {
                versionsAwaitingPurge += superseded.size();
            }
            for (Path p : superseded) {
                housekeeping.enqueue(new VersionPurge(p, txn));
            }
        }
    }

    /** A commit body run under the commit lock by {@link #underCommitLock}. */
    private interface LockedCommit {
        long run() throws IOException;
    }

    private long underCommitLock(LockedCommit body) {
        commitLock.lock();
        try {
            if (isDropped()) {
                throw StorageErrors.tableNotFound(schema.name());
            }
            if (closed) {
                throw new StorageException(StorageException.Kind.IO, "engine is closed [table=" + schema.name() + "]");
            }
            if (poisoned) {
                throw new StorageException(StorageException.Kind.IO, "table refuses commits after an unrecoverable "
                        + "commit failure, reopen the engine [table=" + schema.name() + "]");
            }
            if (pendingInvalidation >= 0) {
                try {
                    txnFile.invalidate(pendingInvalidation);
                    pendingInvalidation = -1;
                } catch (IOException e) {
                    throw StorageErrors.io("commit refused, the record of a failed commit could not be invalidated "
                            + "yet", txnFile.path(), e);
                }
            }
            if (replayNeeded) {
                try {
                    flushUnsynced();
                } catch (IOException e) {
                    throw StorageErrors.io("commit refused, the column bytes of earlier commits could not be made "
                            + "durable yet", dir, e);
                }
            }
            deferrable = deferColumnSyncs;
            inlineCopies.clear();
            try {
                return body.run();
            } catch (TxnFile.RecordNotInvalidatedException e) {
                pendingInvalidation = e.txn;
                throw StorageErrors.io("commit failed", txnFile.path(), e);
            } catch (TxnFile.UnrecoverableCommitException e) {
                poisoned = true;
                throw StorageErrors.io("commit failed", txnFile.path(), e);
            } catch (IOException e) {
                throw StorageErrors.io("commit failed", dir, e);
            }
        } finally {
            toSync.clear();
            dirsToSync.clear();
            appendedByKey.clear();
            writtenFiles.clear();
            commitLock.unlock();
        }
    }

    /**
     * The copy-on-write commit behind {@link io.stillpoint.storage.WriteTransaction#rewrite}: under the commit lock,
     * on the latest state, each partition the rewriter changes is written from scratch into a new version
     * directory {@code <partition>.<txn>/} (every file created, so every byte is an appended range whose CRC the
     * {@code _txn} record lists and open verifies), or left out of the new state if it ends up empty. Rows whose
     * designated timestamp the rewriter moved into another partition's period go there: that partition (rewritten
     * or not, pruned by {@code mayTouch} or not, or not existing yet, then created as an insert names it) gets a new
     * version {@code <partition>.<txn>/} with its rows first and the moved ones after them, stably sorted by
     * timestamp. Every partition's new content is computed (and every row validated) before anything is written,
     * since a row may move into a partition the iteration already passed: the commit holds the new rows of all the
     * partitions it changes (column-wise in row buffers; one partition's rows boxed at a time, as the rewriter
     * returns them or a target is merged) until it writes them. Then the same single install as an
     * append ({@link #install}), so the move is atomic. Only after the new state is published are the superseded
     * version directories queued for {@code housekeeping} ({@link VersionPurge}). A failure leaves the state as it
     * was; a half-written new version directory is unreferenced: a later commit with the same txn reuses it from
     * offset 0 (as an append reuses a failed commit's bytes), and the next open deletes it otherwise.
     */
    long rewrite(io.stillpoint.storage.PartitionRewriter rewriter, Housekeeping housekeeping) {
        List<Path> superseded = new ArrayList<>();
        long txn;
        boolean[] opened = new boolean[1];
        try {
            txn = underCommitLock(() -> rewriteLocked(rewriter, superseded, opened));
        } finally {
            keepTxnTempName(housekeeping);
        }
        enqueueSuperseded(txn, superseded, housekeeping);
        if (opened[0] && schema.ttl() != null) {
            housekeeping.wakeJob(Housekeeping.TTL_JOB); // rows moved into a new partition may have expired older ones
        }
        return txn;
    }

    /** {@code opened[0]}: set if the commit creates a partition (rows moved into a period without one). */
    private long rewriteLocked(io.stillpoint.storage.PartitionRewriter rewriter, List<Path> superseded,
                               boolean[] opened) throws IOException {
        TxnState current = state;
        long txn = current.txn + 1;
        // A pinned snapshot of the current state: the rewriter reads through the normal reader path.
        CommittedTableSnapshot snapshot = openSnapshot();
        if (snapshot == null) {
            throw StorageErrors.tableNotFound(schema.name());
        }
        // The new content of every partition the commit changes, by key (an empty buffer drops the partition).
        // Everything is computed, and every row validated, before the first byte is written: a row may move into a
        // partition the iteration passed already.
        java.util.TreeMap<Long, RowBuffer> content = new java.util.TreeMap<>();
        try {
            // Rows whose designated timestamp left their partition, by target key, in the order the rewriter gave.
            java.util.TreeMap<Long, List<Object[]>> moved = new java.util.TreeMap<>();
            for (int i = 0; i < current.partitions.size(); i++) {
                io.stillpoint.storage.PartitionSnapshot p = snapshot.partitions().get(i);
                if (!rewriter.mayTouch(p)) {
                    continue;
                }
                List<Object[]> rows = rewriter.rewrite(p);
                if (rows != null) {
                    content.put(current.partitions.get(i).key, orderedRows(staying(rows, current.partitions.get(i).key,
                            moved)));
                }
            }
            for (Map.Entry<Long, List<Object[]>> e : moved.entrySet()) {
                long key = e.getKey();
                // The target's rows first (its new content if rewritten, else its committed rows), then the moved ones.
                List<Object[]> merged = new ArrayList<>();
                RowBuffer rewritten = content.get(key);
                int index = current.find(key);
                if (rewritten != null) {
                    for (int r = 0; r < rewritten.size(); r++) {
                        merged.add(rewritten.row(r));
                    }
                } else if (index >= 0) {
                    snapshot.partitions().get(index).readAllRows(schema.columnCount(), merged);
                }
                merged.addAll(e.getValue());
                e.setValue(List.of()); // let the boxed rows go once buffered
                content.put(key, orderedRows(merged));
            }
        } finally {
            snapshot.close();
        }
        if (content.isEmpty()) {
            return -1;
        }
        List<PartitionState> next = new ArrayList<>(current.partitions.size() + content.size());
        for (PartitionState old : current.partitions) {
            if (!content.containsKey(old.key)) {
                next.add(old);
            } else {
                superseded.add(partitionDir(old));
            }
        }
        boolean created = false;
        for (Map.Entry<Long, RowBuffer> e : content.entrySet()) {
            RowBuffer buffer = e.getValue();
            if (buffer.size() == 0) {
                continue; // the partition is dropped (or a target that got no row: none exists)
            }
            long key = e.getKey();
            // A new version of an existing partition, or a new partition named as an insert names it: both <name>.<txn>.
            Path versionDir = dir.resolve(PartitionScheme.nameOf(schema.partitionBy(), key) + "." + txn);
            if (leftoversAwaitingPurge.contains(versionDir.getFileName().toString())) {
                throw new IOException("partition directory left by a crashed commit still awaits deletion, retry "
                        + "later [dir=" + versionDir + "]");
            }
            fs.createDirectories(versionDir);
            created = true;
            opened[0] |= current.find(key) < 0;
            next.add(append(buffer, null, buffer.size(), null, key, txn, versionDir));
            e.setValue(null); // written: its rows are no longer needed
        }
        next.sort((a, b) -> Long.compare(a.key, b.key));
        long rowCount = 0;
        for (PartitionState p : next) {
            rowCount += p.rowCount;
        }
        return install(current, txn, rowCount, next, created);
    }

    /**
     * The rows of {@code rows} that stay in partition {@code key}; the others (a designated timestamp in another
     * partition's period) are added to {@code moved} under their target's key. A row whose partition cannot be
     * computed (malformed, NULL or out-of-range timestamp) stays, so that {@link RowBuffer#add} refuses it.
     */
    private List<Object[]> staying(List<Object[]> rows, long key, Map<Long, List<Object[]>> moved) {
        int ts = schema.timestampIndex();
        if (ts < 0 || schema.partitionBy() == PartitionBy.NONE) {
            return rows;
        }
        List<Object[]> stay = null; // allocated at the first moved row: most rewrites move none
        for (int i = 0; i < rows.size(); i++) {
            Object[] r = rows.get(i);
            long target = key;
            // The integral types a TIMESTAMP column accepts (RowBuffer.accepts).
            if (r != null && r.length == schema.columnCount() && (r[ts] instanceof Long || r[ts] instanceof Integer
                    || r[ts] instanceof Short || r[ts] instanceof Byte)) {
                long t = ((Number) r[ts]).longValue();
                if (t >= RowBuffer.MIN_PARTITIONED_TS && t <= RowBuffer.MAX_PARTITIONED_TS) {
                    target = scheme.keyOf(t);
                }
            }
            if (target == key) {
                if (stay != null) {
                    stay.add(r);
                }
                continue;
            }
            if (stay == null) {
                stay = new ArrayList<>(rows.subList(0, i));
            }
            moved.computeIfAbsent(target, k -> new ArrayList<>()).add(r);
        }
        return stay == null ? rows : stay;
    }

    /** Rows of one partition, validated, in designated-timestamp order (a stable sort: equal timestamps keep order). */
    private RowBuffer orderedRows(List<Object[]> rows) {
        int ts = schema.timestampIndex();
        List<Object[]> ordered = rows;
        if (ts >= 0) {
            boolean sorted = true;
            boolean malformed = false;
            long previous = Long.MIN_VALUE;
            for (Object[] r : rows) {
                if (r == null || r.length != schema.columnCount() || !(r[ts] instanceof Number)) {
                    malformed = true; // not sorted: RowBuffer.add below reports what is wrong with it
                    break;
                }
                long t = ((Number) r[ts]).longValue();
                sorted &= t >= previous;
                previous = t;
            }
            if (!sorted && !malformed) {
                ordered = new ArrayList<>(rows);
                ordered.sort((a, b) -> Long.compare(((Number) a[ts]).longValue(), ((Number) b[ts]).longValue()));
            }
        }
        RowBuffer buffer = new RowBuffer(schema);
        for (Object[] r : ordered) {
            buffer.add(r);
        }
        return buffer;
    }

    /**
     * An append commit. Per partition the rows go in designated-timestamp order (a batch not in order is
     * stably sorted through its selection of row numbers, so equal timestamps keep their insert order). The
     * cheap path appends them past the partition's committed size. A partition whose last committed timestamp is
     * later than the batch's first row for it cannot take an append without losing the order: it is merged
     * copy-on-write instead, its committed rows and the new ones (committed first at equal timestamps, the order
     * of the commits) written whole into a new version {@code <partition>.<txn>/} in the same {@code _txn} record as
     * the appends to other partitions; the old version is added to {@code superseded}. Like a rewrite, a merge
     * holds that partition's rows in memory as boxed rows while it writes them.
     */
    private long commitLocked(RowBuffer rows, List<Path> superseded) throws IOException {
        TxnState current = state;
        long txn = current.txn + 1;
        int n = rows.size();
        int tsColumn = schema.timestampIndex();
        if (rowKeys.length < n) {
            rowKeys = new long[Math.max(n, rowKeys.length * 2)];
            selection = new int[rowKeys.length];
        }
        long[] keys;
        if (schema.partitionBy() == PartitionBy.NONE) {
            keys = new long[]{PartitionScheme.NONE_KEY};
        } else {
            long[] ts = rows.longs[tsColumn];
            boolean single = true;
            long first = scheme.keyOf(ts[0]);
            for (int r = 0; r < n; r++) {
                long k = scheme.keyOf(ts[r]);
                rowKeys[r] = k;
                single &= k == first;
            }
            keys = single ? new long[]{first} : Arrays.stream(rowKeys, 0, n).distinct().sorted().toArray();
        }
        List<PartitionState> next = new ArrayList<>(current.partitions);
        boolean partitionCreated = false;
        CommittedTableSnapshot snapshot = null; // opened by the first merge: it reads the committed rows
        try {
            for (long key : keys) {
                int count;
                int[] sel;
                if (keys.length == 1) {
                    sel = null;
                    count = n;
                } else {
                    sel = selection;
                    count = 0;
                    for (int r = 0; r < n; r++) {
                        if (rowKeys[r] == key) {
                            sel[count++] = r;
                        }
                    }
                }
                if (tsColumn >= 0) {
                    sel = orderedSelection(rows.longs[tsColumn], sel, count);
                }
                int index = current.find(key);
                PartitionState old = index >= 0 ? current.partitions.get(index) : null;
                if (old != null && tsColumn >= 0 && old.rowCount > 0
                        && rows.longs[tsColumn][sel == null ? 0 : sel[0]] < old.maxTimestamp) {
                    if (snapshot == null) {
                        snapshot = openSnapshot();
                        if (snapshot == null) {
                            throw StorageErrors.tableNotFound(schema.name());
                        }
                    }
                    next.set(index, merge(snapshot.partitions().get(index), old, rows, sel, count, txn));
                    superseded.add(partitionDir(old));
                    partitionCreated = true;
                    continue;
                }
                long version = old != null ? old.version : txn;
                Path partitionDir = dir.resolve(PartitionScheme.nameOf(schema.partitionBy(), key) + "." + version);
                if (old == null) {
                    if (leftoversAwaitingPurge.contains(partitionDir.getFileName().toString())) {
                        throw new IOException("partition directory left by a crashed commit still awaits deletion, retry "
                                + "later [dir=" + partitionDir + "]");
                    }
                    fs.createDirectories(partitionDir);
                    partitionCreated = true;
                }
                PartitionState updated = append(rows, sel, count, old, key, version, partitionDir);
                if (index >= 0) {
                    next.set(index, updated);
                } else {
                    next.add(updated);
                }
            }
        } finally {
            if (snapshot != null) {
                snapshot.close();
            }
        }
        if (keys.length > 1 || partitionCreated) {
            next.sort((a, b) -> Long.compare(a.key, b.key));
        }
        return install(current, txn, current.rowCount + n, next, partitionCreated);
    }

    /**
     * {@code sel} (null: rows {@code 0..count-1}) if the selected rows are in timestamp order (the common case,
     * checked without allocating); otherwise a new selection of the same rows, stably sorted by timestamp.
     */
    private static int[] orderedSelection(long[] ts, int[] sel, int count) {
        long previous = Long.MIN_VALUE;
        boolean sorted = true;
        for (int i = 0; i < count && sorted; i++) {
            long t = ts[sel == null ? i : sel[i]];
            sorted = t >= previous;
            previous = t;
        }
        if (sorted) {
            return sel;
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = sel == null ? i : sel[i];
        }
        Arrays.sort(order, (a, b) -> Long.compare(ts[a], ts[b])); // a stable sort: equal timestamps keep order
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = order[i];
        }
        return out;
    }

    /**
     * The out-of-order merge of {@link #commitLocked}: the partition's committed rows (read through the commit's
     * pinned snapshot) followed by the selected new rows, stably sorted by designated timestamp, written whole
     * into the new version directory {@code <partition>.<txn>/}.
     */
    private PartitionState merge(io.stillpoint.storage.PartitionSnapshot committed, PartitionState old,
                                 RowBuffer rows, int[] sel, int count, long txn) throws IOException {
        List<Object[]> merged = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, old.rowCount + count));
        committed.readAllRows(schema.columnCount(), merged);
        for (int i = 0; i < count; i++) {
            merged.add(rows.row(sel == null ? i : sel[i]));
        }
        RowBuffer buffer = orderedRows(merged);
        Path versionDir = dir.resolve(committed.name() + "." + txn);
        if (leftoversAwaitingPurge.contains(versionDir.getFileName().toString())) {
            throw new IOException("partition directory left by a crashed commit still awaits deletion, retry "
                    + "later [dir=" + versionDir + "]");
        }
        fs.createDirectories(versionDir);
        return append(buffer, null, buffer.size(), null, old.key, txn, versionDir);
    }

    /**
     * The second half of every commit: the {@code _txn} record of the new state (with the appended ranges the
     * writes noted), its fsyncs, publish. {@code createdPartition}: a partition directory was created in the table
     * directory, which then is fsynced too.
     *
     * <p>A deferred commit (a small append into existing files of the same partition versions) copies its appended
     * bytes into its {@code _txn} record and fsyncs only {@code _txn}: one fdatasync before the acknowledgement.
     * Its column files are fsynced later, all at once ({@link #flushUnsynced}): before a slot whose record a
     * recovery could still need is overwritten (every {@code slotCount - 1} commits), by the next commit that
     * fsyncs its files anyway, by a checkpoint's cut and at close. Until then the records hold the bytes, and open
     * rewrites them ({@code TxnFile.replay}). Every other commit writes its record and fsyncs it, its files, the
     * deferred commits' files and new directories in one concurrent phase.
     */
    private long install(TxnState current, long txn, long rowCount, List<PartitionState> next,
                         boolean createdPartition) throws IOException {
        // This commit overwrites slot txn % slotCount: every record a recovery could need must stay.
        collectBackgroundFlush(false);
        if (durableTxn < txn + 1 - txnFile.slotCount()) {
            flushUnsynced();
        }
        List<TxnState.AppendedRange> appended = new ArrayList<>(appendedByKey.size());
        TxnState sizes = new TxnState(txn, rowCount, next);
        for (long[] a : appendedByKey) {
            appended.add(new TxnState.AppendedRange(sizes.find(a[0]), (int) a[1], (int) a[2], a[3], (int) a[4]));
        }
        TxnState installed = new TxnState(txn, rowCount, next, appended);
        int growForDeferred = 0;
        if (deferrable && !createdPartition && dirsToSync.isEmpty() && samePartitionVersions(current, next)) {
            inlineCopies.flip();
            if (txnFile.fitsDeferred(installed, inlineCopies.remaining())) {
                try {
                    if (!txnFile.writeSlot(installed, durableTxn, inlineCopies)) {
                        throw new IllegalStateException("deferred record did not fit its slot [txn=" + txn + "]");
                    }
                    txnFile.sync();
                } catch (IOException | RuntimeException e) {
                    txnFile.invalidateAfter(txn, e);
                    throw e;
                }
                unsyncedFiles.putAll(writtenFiles);
                publish(installed);
                if (flushInBackground && backgroundFlush == null && txn - durableTxn >= txnFile.slotCount() / 2) {
                    startBackgroundFlush(txn);
                }
                return txn;
            }
            if (txnFile.canGrowForDeferred(installed, inlineCopies.remaining())) {
                growForDeferred = txnFile.recordLength(installed, inlineCopies.remaining());
            }
        }
        // This commit makes every earlier one durable in its files: the background flush first, if one runs.
        collectBackgroundFlush(true);
        if (replayNeeded) {
            flushUnsynced();
        }
        for (Path d : dirsToSync) {
            toSync.add(() -> fs.syncDirectory(d));
        }
        if (createdPartition) {
            toSync.add(() -> fs.syncDirectory(dir));
        }
        for (Map.Entry<Path, FileSystemFacade.WritableFile> e : unsyncedFiles.entrySet()) {
            if (!writtenFiles.containsKey(e.getKey())) {
                toSync.add(e.getValue()::sync);
            }
        }
        boolean inPlace;
        try {
            inPlace = growForDeferred == 0 && txnFile.writeSlot(installed, durableTxn);
            if (inPlace) {
                // One phase: the record may reach the disk before some data does; recovery checks the CRCs.
                toSync.add(txnFile::sync);
                parallelSync.syncAll(toSync);
            }
        } catch (IOException | RuntimeException e) {
            replayNeeded |= !unsyncedFiles.isEmpty();
            txnFile.invalidateAfter(txn, e);
            throw e;
        }
        if (!inPlace) {
            try {
                parallelSync.syncAll(toSync);
            } catch (IOException | RuntimeException e) {
                replayNeeded |= !unsyncedFiles.isEmpty();
                throw e;
            }
            unsyncedFiles.clear();
            durableTxn = current.txn;
            // Set first: a failed install may have renamed it too. Versions 1 to 3 are replaced by a rename.
            txnTempRenamed = txnFile.fileVersion() != TxnFile.FORMAT_VERSION;
            txnFile.installInNewFile(installed, current, growForDeferred);
        }
        unsyncedFiles.clear();
        durableTxn = txn;
        publish(installed);
        return txn;
    }

    /** Whether {@code next} has exactly the partitions (keys and versions) of {@code current}. */
    private static boolean samePartitionVersions(TxnState current, List<PartitionState> next) {
        if (current.partitions.size() != next.size()) {
            return false;
        }
        for (int i = 0; i < next.size(); i++) {
            PartitionState a = current.partitions.get(i);
            PartitionState b = next.get(i);
            if (a.key != b.key || a.version != b.version) {
                return false;
            }
        }
        return true;
    }

    /**
     * fsyncs the column files deferred commits wrote since the durable watermark (concurrently); then every
     * committed byte is durable in its file. If an fsync fails, the kernel may have dropped those dirty pages:
     * the bytes are rewritten from the {@code _txn} records (as an open would) and fsynced again; until that
     * succeeds the table takes no commit. Under commitLock.
     */
    private void flushUnsynced() throws IOException {
        collectBackgroundFlush(true);
        if (!replayNeeded) {
            try {
                parallelSync.syncAll(unsyncedSyncs());
            } catch (IOException | RuntimeException e) {
                replayNeeded = true;
                throw e;
            }
        } else {
            txnFile.replayDeferred(state, parallelSync);
            replayNeeded = false;
        }
        unsyncedFiles.clear();
        durableTxn = state.txn;
    }

    /**
     * Starts fsyncing, on the background thread, the files deferred commits up to {@code txn} wrote, once half the
     * ring's commits are not durable in their files: the commits go on meanwhile, and by the time the ring is full
     * the flush is usually done, so that no commit waits for it. Under commitLock.
     */
    private void startBackgroundFlush(long txn) {
        List<ParallelSync.SyncAction> actions = unsyncedSyncs();
        unsyncedFiles.clear(); // later commits collect their own; a failure below is repaired by the replay
        backgroundFlushTxn = txn;
        backgroundFlush = parallelSync.syncAllInBackground(actions);
    }

    /** An fsync of each file deferred commits wrote since the durable watermark. */
    private List<ParallelSync.SyncAction> unsyncedSyncs() {
        List<ParallelSync.SyncAction> actions = new ArrayList<>(unsyncedFiles.size());
        for (FileSystemFacade.WritableFile f : unsyncedFiles.values()) {
            actions.add(f::sync);
        }
        return actions;
    }

    /**
     * Takes the result of the background flush if it is done (or, with {@code wait}, once it is): the durable
     * watermark moves to the commit it covered; if it failed, the next flush rewrites the bytes from the records
     * ({@link #flushUnsynced}). Under commitLock.
     */
    private void collectBackgroundFlush(boolean wait) {
        if (backgroundFlush == null || (!wait && !backgroundFlush.isDone())) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                backgroundFlush.get();
                durableTxn = Math.max(durableTxn, backgroundFlushTxn);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: the files must not be closed or handed on mid-fsync
            } catch (java.util.concurrent.ExecutionException e) {
                replayNeeded = true;
                break;
            }
        }
        backgroundFlush = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The durable watermark: every commit up to it is durable in its column files (tests). */
    long durableTxn() {
        commitLock.lock();
        try {
            collectBackgroundFlush(false);
            return durableTxn;
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Makes every commit up to {@code txn} durable in its column files, not only in its {@code _txn} record: for a
     * checkpoint's cut, since a copy of the disk taken after it (e.g. a volume snapshot) must hold them and restore
     * does not read the records.
     */
    void makeColumnsDurable(long txn) throws IOException {
        commitLock.lock();
        try {
            collectBackgroundFlush(false);
            if (!closed && (durableTxn < txn || replayNeeded)) {
                flushUnsynced();
            }
        } finally {
            commitLock.unlock();
        }
    }

    /** Appends the selected rows to one partition's files (no sync yet); returns its next state. */
    private PartitionState append(RowBuffer rows, int[] sel, int count, PartitionState old, long key, long version,
                                  Path partitionDir) throws IOException {
        int columns = schema.columnCount();
        long baseRow = old == null ? 0 : old.rowCount;
        long[] dataSizes = new long[columns];
        long[] indexSizes = new long[columns];
        long[] nullSizes = new long[columns];
        boolean createdFile = old == null;
        long min = old == null ? Long.MAX_VALUE : old.minTimestamp;
        long max = old == null ? Long.MIN_VALUE : old.maxTimestamp;
        for (int c = 0; c < columns; c++) {
            ColumnType type = rows.types[c];
            long dataAt = old == null ? 0 : old.dataSizes[c];
            long indexAt = old == null ? 0 : old.indexSizes[c];
            long nullAt = old == null ? 0 : old.nullSizes[c];
            ByteBuffer data;
            if (type == ColumnType.VARCHAR) {
                data = encodeVarchar(rows, c, sel, count, dataAt, indexAt);
                ByteBuffer index = indexBuffers[c];
                indexSizes[c] = write(partitionDir.resolve(ColumnFiles.indexName(c)), index, indexAt,
                        ColumnFiles.MAGIC_INDEX, type, key, c, TxnState.KIND_INDEX);
            } else {
                data = encodeFixed(rows, c, type, sel, count, dataAt);
                if (c == schema.timestampIndex()) {
                    long[] ts = rows.longs[c];
                    for (int i = 0; i < count; i++) {
                        long v = ts[sel == null ? i : sel[i]];
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                }
            }
            dataSizes[c] = write(partitionDir.resolve(ColumnFiles.dataName(c)), data, dataAt, ColumnFiles.MAGIC_DATA,
                    type, key, c, TxnState.KIND_DATA);
            nullSizes[c] = nullAt;
            if (rows.nullCounts[c] > 0) {
                ByteBuffer nulls = encodeNulls(rows, c, sel, count, baseRow, nullAt);
                if (nulls != null) {
                    createdFile |= nullAt == 0;
                    nullSizes[c] = write(partitionDir.resolve(ColumnFiles.nullsName(c)), nulls, nullAt,
                            ColumnFiles.MAGIC_NULLS, type, key, c, TxnState.KIND_NULLS);
                }
            }
        }
        if (createdFile) {
            dirsToSync.add(partitionDir);
        }
        return new PartitionState(key, version, baseRow + count, min, max, dataSizes, indexSizes, nullSizes);
    }

    /**
     * One positional write at the committed size, noting the appended range and its CRC32C for the {@code _txn}
     * record; returns the new size.
     */
    private long write(Path path, ByteBuffer buf, long at, int magic, ColumnType type, long key, int column,
                       int kind) throws IOException {
        OpenFile f = file(path);
        if (fs.linkCount(path) > 1) { // one stat per file per commit: a cp -al copy may appear at any time
            flushUnsynced(); // the handles of deferred commits' files must not be swapped while their bytes are unsynced
            deferrable = false;
            f = privatize(path, f, at);
        }
        if (at > 0 && !f.checked) {
            // Before appending to a file first seen in this process, make sure it is ours.
            ColumnFiles.sanityCheck(f.file, path, magic, type, at);
            f.checked = true;
        }
        int length = buf.remaining();
        if (length > 0) { // e.g. a VARCHAR batch of empty strings appends nothing to the data file
            appendCrc.reset();
            appendCrc.update(buf.duplicate());
            appendedByKey.add(new long[]{key, column, kind, at, (int) appendCrc.getValue()});
        }
        if (at == 0 || inlineCopies.position() + length > TxnFile.MAX_DEFERRED_RECORD) {
            deferrable = false; // a created file (its directory entry needs an fsync) or too much to copy
        } else if (deferrable && length > 0) {
            if (inlineCopies.remaining() < length) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * inlineCopies.capacity(),
                        inlineCopies.position() + length));
                inlineCopies.flip();
                inlineCopies = bigger.put(inlineCopies);
            }
            inlineCopies.put(buf.duplicate());
        }
        writtenFiles.put(path, f.file);
        boolean append = at > 0; // a file written whole from 0 (new version, new partition) keeps its exact length
        if (append) {
            f.learnLength();
        }
        f.file.write(buf, at);
        if (append) {
            f.extendPast(at + length);
        }
        toSync.add(f.file::sync);
        return at + length;
    }

    /**
     * A column file about to be written is hard-linked into another tree (a {@code cp -al} copy): replaces it by a
     * private copy of its committed prefix and swaps the cached handle. The old handle still reads the shared inode,
     * whose committed bytes never change, so a reader holding it stays correct; it is closed with the table.
     */
    private OpenFile privatize(Path path, OpenFile shared, long committed) throws IOException {
        PrivateCopies.privatize(fs, path, committed);
        OpenFile own = new OpenFile(fs.openWritable(path));
        own.checked = shared.checked;
        synchronized (files) {
            files.put(path, own);
            retiredFiles.add(Map.entry(path, shared));
        }
        return own;
    }

    private ByteBuffer encodeFixed(RowBuffer rows, int c, ColumnType type, int[] sel, int count, long at) {
        int width = ColumnFiles.width(type);
        ByteBuffer b = dataBuffers[c] = ensure(dataBuffers[c], ColumnFiles.HEADER_SIZE + (long) count * width);
        b.clear();
        if (at == 0) {
            ColumnFiles.putHeader(b, ColumnFiles.MAGIC_DATA, type);
        }
        switch (type) {
            case DOUBLE: {
                double[] v = rows.doubles[c];
                for (int i = 0; i < count; i++) {
                    // doubleToLongBits canonicalizes NaN, so every NaN reads back as Double.NaN.
                    b.putLong(Double.doubleToLongBits(v[sel == null ? i : sel[i]]));
                }
                break;
            }
            case BOOLEAN: {
                long[] v = rows.longs[c];
                for (int i = 0; i < count; i++) {
                    b.put((byte) v[sel == null ? i : sel[i]]);
                }
                break;
            }
            case INT: {
                long[] v = rows.longs[c];
                for (int i = 0; i < count; i++) {
                    b.putInt((int) v[sel == null ? i : sel[i]]);
                }
                break;
            }
            default: {
                long[] v = rows.longs[c];
                if (sel == null) {
                    for (int i = 0; i < count; i++) {
                        b.putLong(v[i]);
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        b.putLong(v[sel[i]]);
                    }
                }
            }
        }
        b.flip();
        return b;
    }

    private ByteBuffer encodeVarchar(RowBuffer rows, int c, int[] sel, int count, long dataAt, long indexAt) {
        ByteBuffer index = indexBuffers[c] = ensure(indexBuffers[c], ColumnFiles.HEADER_SIZE + 8L * count);
        index.clear();
        if (indexAt == 0) {
            ColumnFiles.putHeader(index, ColumnFiles.MAGIC_INDEX, ColumnType.VARCHAR);
        }
        long worst = ColumnFiles.HEADER_SIZE;
        String[] v = rows.strings[c];
        for (int i = 0; i < count; i++) {
            String s = v[sel == null ? i : sel[i]];
            worst += s == null ? 0 : 3L * s.length();
        }
        ByteBuffer data = dataBuffers[c] = ensure(dataBuffers[c], worst);
        data.clear();
        long end;
        if (dataAt == 0) {
            ColumnFiles.putHeader(data, ColumnFiles.MAGIC_DATA, ColumnType.VARCHAR);
            end = 0;
        } else {
            end = dataAt - ColumnFiles.HEADER_SIZE;
        }
        int bodyStart = data.position();
        for (int i = 0; i < count; i++) {
            String s = v[sel == null ? i : sel[i]];
            if (s != null) {
                Utf8.encode(s, data);
            }
            index.putLong(end + (data.position() - bodyStart));
        }
        index.flip();
        data.flip();
        return data;
    }

    /** The null-list entries of the selected rows, or null if none of them is NULL. */
    private ByteBuffer encodeNulls(RowBuffer rows, int c, int[] sel, int count, long baseRow, long at) {
        int nulls = 0;
        for (int i = 0; i < count; i++) {
            if (rows.isNull(c, sel == null ? i : sel[i])) {
                nulls++;
            }
        }
        if (nulls == 0) {
            return null;
        }
        ByteBuffer b = nullBuffer = ensure(nullBuffer, ColumnFiles.HEADER_SIZE + 8L * nulls);
        b.clear();
        if (at == 0) {
            ColumnFiles.putHeader(b, ColumnFiles.MAGIC_NULLS, rows.types[c]);
        }
        for (int i = 0; i < count; i++) {
            if (rows.isNull(c, sel == null ? i : sel[i])) {
                b.putLong(baseRow + i);
            }
        }
        b.flip();
        return b;
    }

    private static ByteBuffer ensure(ByteBuffer b, long needed) {
        if (needed > Integer.MAX_VALUE - 64) {
            throw StorageErrors.invalid("transaction too large for one commit [bytes=" + needed + "]");
        }
        if (b.capacity() >= needed) {
            return b;
        }
        return direct((int) Math.max(needed, Math.min(Integer.MAX_VALUE - 64, 2L * b.capacity())));
    }

    private static ByteBuffer direct(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }
}
