package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableInfo;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.checkpoint.CheckpointCoordinator;
import io.stillpoint.storage.checkpoint.CheckpointDirectory;
import io.stillpoint.storage.checkpoint.CheckpointRestore;
import io.stillpoint.storage.checkpoint.PrivateCopies;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.Ttl;
import io.stillpoint.storage.housekeeping.CompactionJob;
import io.stillpoint.storage.housekeeping.CompactionPolicy;
import io.stillpoint.storage.housekeeping.Housekeeping;
import io.stillpoint.storage.housekeeping.JobTables;
import io.stillpoint.storage.housekeeping.TtlJob;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The storage engine of one root. On-disk layout:
 * <pre>
 *   &lt;root&gt;/.lock                          OS file lock held for the engine's life
 *   &lt;root&gt;/db/_tables                      the table registry ({@link TableRegistry})
 *   &lt;root&gt;/db/&lt;name&gt;~&lt;id&gt;/              one directory per table incarnation (id never reused)
 *   &lt;root&gt;/db/&lt;name&gt;~&lt;id&gt;/_txn          the committed state ({@link TxnFile})
 *   &lt;root&gt;/db/&lt;name&gt;~&lt;id&gt;/&lt;partition&gt;.&lt;txn&gt;/c&lt;i&gt;.d|.i|.n   column files ({@link ColumnFiles})
 * </pre>
 * CREATE/DROP rewrite the registry atomically; DROP leaves the files to {@link Housekeeping}, which deletes a
 * dropped incarnation once no snapshot pins it, and a partition version superseded by a rewrite
 * ({@link Table#rewrite}) once no snapshot of an older state is open. At open, housekeeping also queues crash leftovers: temporary
 * files, table directories the registry does not list and partition directories no {@code _txn} references.
 * <pre>
 *   &lt;root&gt;/.checkpoint/                   the active checkpoint, if any ({@link CheckpointDirectory}); also
 *   &lt;root&gt;/.checkpoint-ended               its unreported automatic end ({@code CheckpointEndedRecord})
 * </pre>
 * Checkpoints ({@link #checkpoints()}, a {@link CheckpointCoordinator}) take their global cut through {@link #cut()};
 * while one is active housekeeping is paused, and at open a checkpoint that survived the restart pauses it before
 * anything is purged (see {@link #open}).
 *
 * <p>Housekeeping also runs the jobs that make commits, on its thread every
 * {@link EngineConfig.HousekeepingPolicy#jobInterval()}: the {@link TtlJob} (drops the expired partitions of tables
 * with a TTL; woken by {@link #setTtl}, by {@link #createTable} with a TTL and by a commit that opens a partition of
 * such a table) and the {@link CompactionJob} (see {@link CompactionPolicy}). Both see the tables through
 * {@link JobTables} and commit through {@link Table#rewrite}, as DROP PARTITION and UPDATE do.
 */
public final class TableEngine implements Engine {

    static final String DB_DIR = "db";
    static final String LOCK_FILE = ".lock";
    private static final long HOUSEKEEPING_RETRY_MILLIS = 1000;

    private final FileSystemFacade fs;
    private final Path root;
    private final Path dbDir;
    private final FileSystemFacade.FileLockHandle lock;
    private final Housekeeping housekeeping;
    private final TtlJob ttlJob;
    private final CompactionJob compactionJob;
    private CheckpointCoordinator checkpoints;
    private final ParallelSync parallelSync = new ParallelSync(4);
    private final Object registryLock = new Object();
    // Shared side: a table publishing a committed state; exclusive side: the checkpoint's cut (see Table).
    private final java.util.concurrent.locks.ReentrantReadWriteLock publishLock =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    private final Map<String, Table> tables = new ConcurrentHashMap<>();
    private long nextTableId;
    // The live registry's generation and pointer slot (under registryLock).
    private TableRegistry.Pointer registryPointer;
    // Registry generation files no pointer slot selects any more, not yet deleted (under registryLock).
    private final List<Path> supersededGenerations = new ArrayList<>();
    private volatile boolean closed;

    private TableEngine(FileSystemFacade fs, Path root, FileSystemFacade.FileLockHandle lock, EngineConfig config) {
        this.fs = fs;
        this.root = root;
        this.dbDir = root.resolve(DB_DIR);
        this.lock = lock;
        EngineConfig.HousekeepingPolicy policy = config.housekeepingPolicy();
        this.housekeeping = new Housekeeping(fs, HOUSEKEEPING_RETRY_MILLIS, config.checkpointPolicy().clock(),
                policy.jobInterval());
        JobTables jobTables = new EngineJobTables();
        this.ttlJob = new TtlJob(jobTables, housekeeping::clockMicros);
        this.compactionJob = new CompactionJob(jobTables, new CompactionPolicy(policy), housekeeping::isPaused,
                housekeeping::clockMillis);
        housekeeping.addJob(ttlJob);
        housekeeping.addJob(compactionJob);
    }

    /**
     * Opens (creating if needed) the engine of {@code config.root()}.
     *
     * @throws StorageException LOCKED if another engine holds the root, CORRUPT, IO
     */
    public static TableEngine open(EngineConfig config) {
        FileSystemFacade fs = config.fs();
        Path root = config.root().toAbsolutePath();
        FileSystemFacade.FileLockHandle lock;
        try {
            fs.createDirectories(root);
            PrivateCopies.unshareLockFile(fs, root, root.resolve(LOCK_FILE)); // a cp -al copy must not share it
            lock = fs.tryLock(root.resolve(LOCK_FILE));
        } catch (IOException e) {
            throw StorageErrors.io("cannot lock root", root, e);
        }
        if (lock == null) {
            throw new StorageException(StorageException.Kind.LOCKED,
                    "root is locked by another stillpoint engine [root=" + root + "]");
        }
        // (Restore from a copy, CheckpointRestore, runs here: right after the lock, before anything else.)
        TableEngine engine = new TableEngine(fs, root, lock, config);
        try {
            // Restore from a copy (_restore) before anything else reads the root; also finishes an interrupted one
            // (finishIfRolledBack), so that recoverAtOpen never takes a restored copy for a copy without _restore.
            CheckpointRestore.restoreIfRequested(fs, root);
            // A checkpoint that survives the restart keeps housekeeping paused from the start: the purge at load
            // must not delete what it pins.
            CheckpointCoordinator.AtOpen atOpen = CheckpointCoordinator.recoverAtOpen(fs, root,
                    config.checkpointPolicy());
            if (atOpen.active() != null) {
                engine.housekeeping.pause(CheckpointCoordinator.HOUSEKEEPING_HOLD);
            }
            engine.load();
            engine.checkpoints = new CheckpointCoordinator(fs, root, engine.housekeeping, config.checkpointPolicy(),
                    engine::cut, atOpen);
        } catch (RuntimeException e) {
            engine.parallelSync.close();
            engine.releaseLock();
            throw e;
        }
        // Only now: a refused open (e.g. a restore that failed validation) must leave every file as it was.
        PrivateCopies.recordLockOwner(fs, root, root.resolve(LOCK_FILE));
        engine.housekeeping.start();
        engine.checkpoints.start();
        return engine;
    }

    private void load() {
        try {
            if (!fs.exists(dbDir)) {
                fs.createDirectories(dbDir);
                fs.syncDirectory(root);
            }
            Path registryPath = dbDir.resolve(TableRegistry.NAME);
            TableRegistry.Contents contents;
            if (fs.exists(registryPath)) {
                TableRegistry.Loaded loaded = TableRegistry.load(fs, dbDir);
                contents = loaded.contents();
                registryPointer = loaded.pointer();
                if (registryPointer.slot() < 0) {
                    // An image (a version 1 root, or one just restored): becomes a pointer now, before any copy.
                    registryPointer = TableRegistry.convert(fs, dbDir, contents);
                }
            } else {
                for (String name : fs.list(dbDir)) {
                    if (name.contains("~")) {
                        throw StorageErrors.corrupt("table registry missing while table directories exist",
                                registryPath, 0, "a registry file", "no such file, but " + name);
                    }
                }
                contents = new TableRegistry.Contents(1, List.of());
                registryPointer = TableRegistry.convert(fs, dbDir, contents);
            }
            nextTableId = contents.nextTableId();
            Set<String> liveDirs = new HashSet<>();
            for (TableRegistry.Entry e : contents.entries()) {
                Table t = Table.open(fs, dbDir, e.id(), e.directory(), e.schema(), parallelSync,
                        publishLock.readLock());
                tables.put(e.schema().name(), t);
                liveDirs.add(e.directory());
            }
            // With a checkpoint active (housekeeping paused) the temporary files are left alone: queued, they would be
            // purged after the release while a registry or _txn write reuses them; deleted now, they would vanish
            // under a copy that runs across the restart. Their writers reuse them from offset 0.
            boolean keepTemps = housekeeping.isPausedBy(CheckpointCoordinator.HOUSEKEEPING_HOLD);
            String currentGeneration = TableRegistry.generationName(registryPointer.generation());
            housekeeping.enqueueUnreferenced(dbDir, n -> n.equals(TableRegistry.NAME) || liveDirs.contains(n)
                    || n.equals(currentGeneration) || (keepTemps && (n.equals(TableRegistry.TEMP_NAME)
                    || TableRegistry.generationOf(n) >= 0)));
            for (Table t : tables.values()) {
                Set<String> referenced = new HashSet<>();
                for (PartitionState p : t.state().partitions) {
                    referenced.add(p.directoryName(t.partitionName(p)));
                }
                t.leftoversAwaitingPurge.addAll(housekeeping.enqueueUnreferenced(t.dir,
                        n -> n.equals(TxnFile.NAME) || referenced.contains(n) || (keepTemps
                                && n.equals(TxnFile.TEMP_NAME)), t.leftoversAwaitingPurge::remove));
                if (keepTemps) {
                    // A checkpoint keeps the leftovers on disk: no commit may write into one of them.
                    if (t.advancePastLeftovers()) {
                        keepTemporaryName(t.dir.resolve(TxnFile.TEMP_NAME)); // the jump went through _txn.tmp
                    }
                }
            }
        } catch (IOException e) {
            closeTables();
            throw StorageErrors.io("cannot open engine", root, e);
        } catch (RuntimeException e) {
            closeTables();
            throw e;
        }
        // Leftovers go before anyone writes: a new commit may reuse a leftover partition directory name.
        housekeeping.runOnce();
    }

    /** The checkpoint coordinator (also as {@link CheckpointCoordinator}, for its guard check). */
    @Override
    public CheckpointCoordinator checkpoints() {
        return checkpoints;
    }

    /** The housekeeping component (the checkpoint agent pauses it). */
    public Housekeeping housekeeping() {
        return housekeeping;
    }

    /** The TTL job (its counters; it runs on the housekeeping thread). */
    public TtlJob ttlJob() {
        return ttlJob;
    }

    /** The compaction job (its counters; it runs on the housekeeping thread). */
    public CompactionJob compactionJob() {
        return compactionJob;
    }

    /**
     * For tests and tools: runs one TTL pass and one compaction pass now on the caller's thread (as the
     * housekeeping thread does every job interval), then one purge pass ({@link Housekeeping#runJobsOnce}).
     */
    public void runHousekeepingJobsNow() {
        checkOpen();
        housekeeping.runJobsOnce();
    }

    public Path root() {
        return root;
    }

    @Override
    public boolean createTable(TableSchema schema, boolean ifNotExists) {
        validate(schema);
        synchronized (registryLock) {
            checkOpen();
            if (tables.containsKey(schema.name())) {
                if (ifNotExists) {
                    return false;
                }
                throw new StorageException(StorageException.Kind.TABLE_EXISTS,
                        "table already exists [table=" + schema.name() + "]");
            }
            long id = nextTableId;
            // Skip ids whose directory still exists (an unregistered leftover awaiting housekeeping).
            while (fs.exists(dbDir.resolve(directoryName(schema.name(), id)))) {
                id++;
            }
            String directory = directoryName(schema.name(), id);
            Table table;
            try {
                table = Table.create(fs, dbDir, id, directory, schema, parallelSync, publishLock.readLock());
            } catch (IOException e) {
                throw StorageErrors.io("cannot create table [table=" + schema.name() + "]", dbDir.resolve(directory), e);
            }
            List<TableRegistry.Entry> entries = entries();
            entries.add(new TableRegistry.Entry(id, directory, schema));
            try {
                writeRegistry(id + 1, entries);
            } catch (IOException e) {
                table.close();
                // The directory is unreferenced; housekeeping deletes it (no inline delete).
                nextTableId = id + 1;
                housekeeping.enqueuePath(table.dir);
                throw StorageErrors.io("cannot write table registry [table=" + schema.name() + "]", dbDir, e);
            }
            nextTableId = id + 1;
            tables.put(schema.name(), table);
        }
        if (schema.ttl() != null) {
            housekeeping.wakeJob(Housekeeping.TTL_JOB);
        }
        return true;
    }

    @Override
    public void setTtl(String name, Ttl ttl) {
        synchronized (registryLock) {
            checkOpen();
            Table table = tables.get(name);
            if (table == null) {
                throw StorageErrors.tableNotFound(name);
            }
            // Under the commit lock, as RENAME: no commit of the table is in flight while its schema changes.
            table.commitLock.lock();
            try {
                TableSchema before = table.schema;
                TableSchema next = before.withTtl(ttl);
                validate(next);
                table.schema = next;
                try {
                    writeRegistry(nextTableId, entries());
                } catch (IOException e) {
                    table.schema = before;
                    throw StorageErrors.io("cannot write table registry [table=" + name + ", ttl=" + ttl + "]", dbDir,
                            e);
                }
            } finally {
                table.commitLock.unlock();
            }
        }
        if (ttl != null) {
            housekeeping.wakeJob(Housekeeping.TTL_JOB);
        }
    }

    /**
     * {@link TableRegistry#write}: a new generation and the pointer switched to it in place (no name vanishes),
     * then the superseded generations deleted, unless housekeeping is paused (a checkpoint: a copy may have listed
     * them), in which case they wait for the next registry write without a pause, or the next open. Safe against
     * a concurrent CREATE: it pauses housekeeping before its cut takes the registry lock held here, so a deletion
     * that saw no pause ends before CREATE returns.
     */
    private void writeRegistry(long nextId, List<TableRegistry.Entry> entries) throws IOException {
        TableRegistry.Pointer previous = registryPointer;
        registryPointer = TableRegistry.write(fs, dbDir, previous, nextId, entries);
        supersededGenerations.add(dbDir.resolve(TableRegistry.generationName(previous.generation())));
        if (housekeeping.isPaused()) {
            return;
        }
        for (java.util.Iterator<Path> it = supersededGenerations.iterator(); it.hasNext(); ) {
            try {
                fs.delete(it.next());
                it.remove();
            } catch (IOException e) {
                break; // unreferenced either way: retried at the next registry write, or purged at open
            }
        }
    }

    /**
     * While a checkpoint holds housekeeping (a copy of the root may be running), an empty file is put back under a
     * temporary name that an atomic replace (a {@code _txn.tmp} of a {@code _txn} that outgrew its slot or changed
     * columns) just renamed away: a copy tool that listed the directory while the temporary file existed then
     * still finds it. The file is unreferenced (purged at the next open without a checkpoint) and its writer
     * reuses it from offset 0.
     */
    private void keepTemporaryName(Path temp) {
        if (!housekeeping.isPausedBy(CheckpointCoordinator.HOUSEKEEPING_HOLD)) {
            return;
        }
        try {
            if (!fs.exists(temp)) {
                fs.openWritable(temp).close();
            }
        } catch (IOException e) {
            // Only a concurrent copy could miss it; the write it follows is done (or failed on its own).
        }
    }

    private List<TableRegistry.Entry> entries() {
        List<Table> list = new ArrayList<>(tables.values());
        list.sort(Comparator.comparingLong(t -> t.id));
        List<TableRegistry.Entry> entries = new ArrayList<>();
        for (Table t : list) {
            entries.add(new TableRegistry.Entry(t.id, t.directoryName, t.schema));
        }
        return entries;
    }

    /** {@code <name>~<id>}, with characters unsafe in a file name replaced (the id keeps it unique). */
    static String directoryName(String table, long id) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < table.length() && sb.length() < 100; i++) {
            char ch = table.charAt(i);
            sb.append((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'
                    || ch == '-' ? ch : '_');
        }
        return sb.append('~').append(id).toString();
    }

    private static void validate(TableSchema schema) {
        if (schema == null || schema.name() == null || schema.name().isEmpty()) {
            throw StorageErrors.invalid("table name must not be empty []");
        }
        String name = schema.name();
        if (schema.columns().isEmpty()) {
            throw StorageErrors.invalid("table needs at least one column [table=" + name + "]");
        }
        Set<String> seen = new HashSet<>();
        for (ColumnSpec c : schema.columns()) {
            if (c == null || c.name() == null || c.name().isEmpty() || c.type() == null) {
                throw StorageErrors.invalid("column needs a name and a type [table=" + name + "]");
            }
            if (!seen.add(c.name())) {
                throw StorageErrors.invalid("duplicate column [table=" + name + ", column=" + c.name() + "]");
            }
        }
        if (schema.partitionBy() == null) {
            throw StorageErrors.invalid("partitioning must be given [table=" + name + "]");
        }
        int ts = schema.timestampIndex();
        if (ts < -1 || ts >= schema.columnCount()) {
            throw StorageErrors.invalid("designated timestamp index out of range [table=" + name + ", index=" + ts
                    + "]");
        }
        if (ts >= 0 && schema.columns().get(ts).type() != ColumnType.TIMESTAMP) {
            throw StorageErrors.invalid("designated timestamp must be a timestamp column [table=" + name
                    + ", column=" + schema.columns().get(ts).name() + ", type=" + schema.columns().get(ts).type() + "]");
        }
        if (ts < 0 && schema.partitionBy() != PartitionBy.NONE) {
            throw StorageErrors.invalid("partitioning needs a designated timestamp [table=" + name + ", partitionBy="
                    + schema.partitionBy() + "]");
        }
        if (schema.ttl() != null && (ts < 0 || schema.partitionBy() == PartitionBy.NONE)) {
            throw StorageErrors.invalid("ttl needs a partitioned table [table=" + name + ", partitionBy="
                    + schema.partitionBy() + ", ttl=" + schema.ttl() + "]");
        }
    }

    @Override
    public boolean dropTable(String name, boolean ifExists) {
        synchronized (registryLock) {
            checkOpen();
            Table table = tables.get(name);
            if (table == null) {
                if (ifExists) {
                    return false;
                }
                throw StorageErrors.tableNotFound(name);
            }
            // Holding the commit lock: no commit of this table is in flight while it disappears.
            table.commitLock.lock();
            try {
                tables.remove(name);
                try {
                    writeRegistry( nextTableId, entries());
                } catch (IOException e) {
                    tables.put(name, table);
                    throw StorageErrors.io("cannot write table registry [table=" + name + "]", dbDir, e);
                }
                table.markDropped(housekeeping::wake);
            } finally {
                table.commitLock.unlock();
            }
            housekeeping.enqueue(table);
            return true;
        }
    }

    @Override
    public void renameTable(String from, String to) {
        if (to == null || to.isEmpty()) {
            throw StorageErrors.invalid("table name must not be empty [table=" + from + "]");
        }
        synchronized (registryLock) {
            checkOpen();
            Table table = tables.get(from);
            if (table == null) {
                throw StorageErrors.tableNotFound(from);
            }
            if (tables.containsKey(to)) {
                throw new StorageException(StorageException.Kind.TABLE_EXISTS,
                        "table already exists [table=" + to + "]");
            }
            // Under the commit lock: no commit of the table is in flight while its name changes.
            table.commitLock.lock();
            try {
                TableSchema before = table.schema;
                table.schema = new TableSchema(to, before.columns(), before.timestampIndex(), before.partitionBy(),
                        before.ttl());
                tables.remove(from);
                tables.put(to, table);
                try {
                    writeRegistry( nextTableId, entries());
                } catch (IOException e) {
                    tables.remove(to);
                    tables.put(from, table);
                    table.schema = before;
                    throw StorageErrors.io("cannot write table registry [table=" + from + ", newName=" + to + "]",
                            dbDir, e);
                }
            } finally {
                table.commitLock.unlock();
            }
        }
    }

    @Override
    public void addColumn(String table, ColumnSpec column) {
        TableSchema s = schema(table);
        List<ColumnSpec> columns = new ArrayList<>(s.columns());
        columns.add(column);
        int[] source = new int[columns.size()];
        for (int c = 0; c < source.length; c++) {
            source[c] = c < s.columnCount() ? c : -1;
        }
        replaceColumns(table, s, new TableSchema(table, columns, s.timestampIndex(), s.partitionBy(), s.ttl()),
                source);
    }

    @Override
    public void dropColumn(String table, String column) {
        TableSchema s = schema(table);
        int drop = s.columnIndex(column);
        if (drop < 0) {
            throw StorageErrors.invalid("column does not exist [table=" + table + ", column=" + column + "]");
        }
        if (drop == s.timestampIndex()) {
            throw new StorageException(StorageException.Kind.UNSUPPORTED, "cannot drop the designated timestamp "
                    + "column [table=" + table + ", column=" + column + "]");
        }
        List<ColumnSpec> columns = new ArrayList<>(s.columns());
        columns.remove(drop);
        int[] source = new int[columns.size()];
        for (int c = 0; c < source.length; c++) {
            source[c] = c < drop ? c : c + 1;
        }
        int ts = s.timestampIndex() < 0 ? -1 : s.timestampIndex() < drop ? s.timestampIndex() : s.timestampIndex() - 1;
        replaceColumns(table, s, new TableSchema(table, columns, ts, s.partitionBy(), s.ttl()), source);
    }

    /**
     * ADD and DROP COLUMN: the column files of a partition are numbered by column position and every {@code _txn}
     * record lists sizes for exactly the schema's columns, so a new column set is a new table incarnation. Under
     * the old incarnation's commit lock (no commit is lost), its latest state is copied partition by partition into
     * a new directory {@code <name>~<id>/} with the new columns ({@code source[c]}: the old column of new column
     * {@code c}, or -1 for NULL); one atomic registry write then switches the table to it, and the old incarnation
     * (the dropped column's files with it) goes to housekeeping as a dropped table does, once no snapshot pins it.
     * A crash before the registry write leaves an unreferenced directory that the next open deletes; after it, the
     * old directory is the unreferenced one. The cost is a copy of the table: see ARCHITECTURE.md, Not yet built.
     */
    private void replaceColumns(String name, TableSchema expected, TableSchema next, int[] source) {
        validate(next);
        Table old;
        synchronized (registryLock) {
            checkOpen();
            old = tables.get(name);
            if (old == null) {
                throw StorageErrors.tableNotFound(name);
            }
            old.commitLock.lock();
            try {
                if (!old.schema.columns().equals(expected.columns())) {
                    throw new StorageException(StorageException.Kind.IO, "table changed concurrently, retry [table="
                            + name + "]");
                }
                long id = nextTableId;
                while (fs.exists(dbDir.resolve(directoryName(name, id)))) {
                    id++;
                }
                String directory = directoryName(name, id);
                nextTableId = id + 1; // consumed even if the copy fails: its directory awaits housekeeping
                Table fresh;
                try {
                    fresh = Table.create(fs, dbDir, id, directory, next, parallelSync, publishLock.readLock());
                } catch (IOException e) {
                    housekeeping.enqueuePath(dbDir.resolve(directory));
                    throw StorageErrors.io("cannot create table [table=" + name + "]", dbDir.resolve(directory), e);
                }
                try {
                    copyRows(old, fresh, source);
                    tables.put(name, fresh);
                    try {
                        writeRegistry( nextTableId, entries());
                    } catch (IOException e) {
                        tables.put(name, old);
                        throw StorageErrors.io("cannot write table registry [table=" + name + "]", dbDir, e);
                    }
                } catch (RuntimeException e) {
                    fresh.close();
                    housekeeping.enqueuePath(fresh.dir); // unreferenced; no inline delete
                    throw e;
                }
                old.markDropped(housekeeping::wake);
            } finally {
                old.commitLock.unlock();
            }
        }
        housekeeping.enqueue(old);
    }

    /** Rows per commit of the copy made by {@link #replaceColumns}. */
    private static final int COPY_ROWS = 65_536;

    /** Copies the latest committed rows of {@code from} into {@code to}, mapping columns by {@code source}. */
    private void copyRows(Table from, Table to, int[] source) {
        CommittedTableSnapshot snapshot = from.openSnapshot();
        if (snapshot == null) {
            throw StorageErrors.tableNotFound(from.schema.name());
        }
        try (snapshot) {
            RowBuffer buffer = new RowBuffer(to.schema);
            int oldColumns = from.schema.columnCount();
            for (io.stillpoint.storage.PartitionSnapshot p : snapshot.partitions()) {
                long total = p.rowCount();
                for (long first = 0; first < total; first += COPY_ROWS) {
                    int n = (int) Math.min(COPY_ROWS, total - first);
                    io.stillpoint.storage.ColumnChunk[] chunks = new io.stillpoint.storage.ColumnChunk[oldColumns];
                    for (int c = 0; c < oldColumns; c++) {
                        chunks[c] = p.read(c, first, n);
                    }
                    Object[] row = new Object[source.length];
                    for (int i = 0; i < n; i++) {
                        for (int c = 0; c < source.length; c++) {
                            row[c] = source[c] < 0 ? null : chunks[source[c]].getValue(i);
                        }
                        buffer.add(row);
                    }
                    to.commit(buffer, housekeeping);
                    buffer.clear();
                }
            }
        }
    }

    @Override
    public TableSchema schema(String name) {
        return liveTable(name).schema;
    }

    @Override
    public boolean tableExists(String name) {
        return tables.containsKey(name);
    }

    @Override
    public List<TableInfo> tables() {
        Map<String, Table> sorted = new java.util.TreeMap<>(tables);
        List<TableInfo> list = new ArrayList<>(sorted.size());
        for (Table t : sorted.values()) {
            TxnState s = t.state();
            TableSchema schema = t.schema;
            String ts = schema.timestampIndex() < 0 ? null : schema.columns().get(schema.timestampIndex()).name();
            list.add(new TableInfo(schema.name(), schema.partitionBy(), ts, s.rowCount, s.partitions.size(), s.txn));
        }
        return list;
    }

    @Override
    public TableSnapshot snapshot(String name) {
        CommittedTableSnapshot s = liveTable(name).openSnapshot();
        if (s == null) {
            throw StorageErrors.tableNotFound(name);
        }
        return s;
    }

    @Override
    public WriteTransaction beginWrite() {
        checkOpen();
        return new BufferedWriteTransaction(this);
    }

    Table liveTable(String name) {
        checkOpen();
        Table t = tables.get(name);
        if (t == null) {
            throw StorageErrors.tableNotFound(name);
        }
        return t;
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.IO, "engine is closed [root=" + root + "]");
        }
    }

    /** Directory of a live table's current incarnation (for tools and tests). */
    public Path tableDirectory(String name) {
        return liveTable(name).dir;
    }

    /** Names of the partition version directories (e.g. {@code 2026-11-21.3}) a table's latest commit references. */
    public List<String> partitionDirectories(String name) {
        Table t = liveTable(name);
        List<String> dirs = new ArrayList<>();
        for (PartitionState p : t.state().partitions) {
            dirs.add(p.directoryName(t.partitionName(p)));
        }
        return dirs;
    }

    /**
     * The global cut of a checkpoint: under the registry lock (no DDL meanwhile) and the exclusive side of the
     * publish lock (no table publishes a commit meanwhile), every table's published committed state is read. A
     * commit publishes only after its fsyncs and is acknowledged only after it published, so the cut holds every
     * acknowledged commit and never waits for a commit's fsync; writers wait only for that instant (O(tables)).
     * Then each table's deferred column fsyncs up to its cut are done (at most one ring of small commits each).
     */
    public CheckpointDirectory.Cut cut() {
        List<Table> list;
        TxnState[] states;
        long nextId;
        synchronized (registryLock) {
            checkOpen();
            list = new ArrayList<>(tables.values());
            list.sort(Comparator.comparingLong(t -> t.id));
            states = new TxnState[list.size()];
            publishLock.writeLock().lock();
            try {
                for (int i = 0; i < states.length; i++) {
                    states[i] = list.get(i).state();
                }
                nextId = nextTableId;
            } finally {
                publishLock.writeLock().unlock();
            }
        }
        // Deferred commits have their column bytes in their _txn records only, for a while: a copy taken by any tool
        // (a volume snapshot too) and a restore, which reads no record, need them in the column files.
        for (int i = 0; i < states.length; i++) {
            try {
                list.get(i).makeColumnsDurable(states[i].txn);
            } catch (IOException e) {
                throw StorageErrors.io("cannot make the checkpoint's column files durable [table="
                        + list.get(i).schema.name() + "]", list.get(i).dir, e);
            }
        }
        List<CheckpointDirectory.TableCut> cuts = new ArrayList<>(states.length);
        for (int i = 0; i < states.length; i++) {
            Table t = list.get(i);
            cuts.add(MetadataFormats.toCut(t.id, t.directoryName, t.schema, states[i]));
        }
        return new CheckpointDirectory.Cut(nextId, cuts);
    }

    @Override
    public void close() {
        synchronized (registryLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        checkpoints.close(); // stops the guard; the checkpoint itself stays active across a restart
        housekeeping.close();
        closeTables();
        parallelSync.close();
        releaseLock();
    }

    private void closeTables() {
        // Table.close takes each commit lock: in-flight commits finish first (they are durable when they return).
        for (Table t : new LinkedHashMap<>(tables).values()) {
            t.close();
        }
    }

    private void releaseLock() {
        try {
            lock.close();
        } catch (IOException e) {
            throw StorageErrors.io("cannot release root lock", root.resolve(LOCK_FILE), e);
        }
    }

    /** The engine's tables as the housekeeping jobs see them ({@link JobTables}). */
    private final class EngineJobTables implements JobTables {

        @Override
        public List<JobTables.TableView> tables() {
            List<JobTables.TableView> list = new ArrayList<>();
            if (closed) {
                return list;
            }
            for (Table t : tables.values()) {
                TableSchema schema = t.schema;
                TxnState s = t.state();
                List<JobTables.PartitionView> parts = new ArrayList<>(s.partitions.size());
                for (PartitionState p : s.partitions) {
                    long bytes = 0;
                    for (int c = 0; c < p.dataSizes.length; c++) {
                        bytes += p.dataSizes[c] + p.indexSizes[c] + p.nullSizes[c];
                    }
                    AppendStats.Counts counts = t.appendStats.of(p.key, p.version);
                    parts.add(new JobTables.PartitionView(t.partitionName(p),
                            PartitionScheme.periodEnd(schema.partitionBy(), p.key), p.version, p.rowCount,
                            p.maxTimestamp, bytes, counts == null ? 0 : counts.appendCommits(),
                            counts == null ? -1 : counts.lastAppendMillis()));
                }
                list.add(new JobTables.TableView(schema.name(), t.id, schema, s.txn, t.appendStats.failedCommits(),
                        parts));
            }
            list.sort(Comparator.comparing(JobTables.TableView::name));
            return list;
        }

        @Override
        public long bytesPastCommitted(String name, long id, String partitionName, long version) {
            Table t = tables.get(name);
            if (t == null || t.id != id) {
                return 0;
            }
            for (PartitionState p : t.state().partitions) {
                if (p.version != version || !t.partitionName(p).equals(partitionName)) {
                    continue;
                }
                Path dir = t.partitionDir(p);
                List<ColumnSpec> columns = t.schema.columns();
                long slack = 0;
                for (int c = 0; c < p.dataSizes.length; c++) {
                    slack += past(dir.resolve(ColumnFiles.dataName(c)), p.dataSizes[c]);
                    if (c < columns.size() && columns.get(c).type() == ColumnType.VARCHAR) {
                        slack += past(dir.resolve(ColumnFiles.indexName(c)), p.indexSizes[c]);
                    }
                    slack += past(dir.resolve(ColumnFiles.nullsName(c)), p.nullSizes[c]);
                }
                return slack;
            }
            return 0;
        }

        /** One stat: bytes of {@code file} past {@code committed} (0 for a missing file, e.g. no null list). */
        private long past(Path file, long committed) {
            try {
                return Math.max(0, fs.size(file) - committed);
            } catch (IOException | RuntimeException e) {
                return 0; // missing, purged meanwhile, or unreadable: the next measure sees it again
            }
        }

        @Override
        public long rewrite(String name, long id, io.stillpoint.storage.PartitionRewriter rewriter) {
            Table t = tables.get(name);
            if (t == null || t.id != id || closed) {
                return -1;
            }
            try {
                return t.rewrite(rewriter, housekeeping);
            } catch (StorageException e) {
                if (t.isDropped() || closed) {
                    return -1; // dropped, replaced (ADD/DROP COLUMN) or closed meanwhile: nothing to do
                }
                throw e;
            }
        }
    }

    /**
     * The table package's metadata formats for the checkpoint directory ({@link CheckpointDirectory}), which keeps a
     * table registry and per-table {@code _txn} files of its own, in {@link TableRegistry}'s and {@link TxnFile}'s
     * formats, so that restore installs them by plain file copies. Reads here never write.
     */
    public static final class MetadataFormats {

        /** File name of the table registry in a {@code db} directory. */
        public static final String REGISTRY_NAME = TableRegistry.NAME;
        /** File name of a table's committed state in its directory. */
        public static final String TXN_NAME = TxnFile.NAME;

        private MetadataFormats() {
        }

        /** One registry entry: incarnation id, directory name under {@code db/}, schema. */
        public record RegistryEntry(long id, String directory, TableSchema schema) {
        }

        /** A registry's contents. */
        public record Registry(long nextTableId, List<RegistryEntry> entries) {
        }

        public static int txnFormatVersion() {
            return TxnFile.FORMAT_VERSION;
        }

        /** The oldest {@code _txn} format version a checkpoint's states may have and still restore (read as such). */
        public static int oldestTxnFormatVersionRead() {
            return TxnFile.FORMAT_VERSION_3;
        }

        /** The image format version {@link #writeRegistry} writes (the checkpoint keeps an image, not a pointer). */
        public static int registryFormatVersion() {
            return TableRegistry.IMAGE_FORMAT_VERSION;
        }

        /** The oldest registry image format version this engine still reads (and so can restore). */
        public static int oldestRegistryFormatVersionRead() {
            return TableRegistry.IMAGE_FORMAT_VERSION_1;
        }

        public static int columnFormatVersion() {
            return ColumnFiles.FORMAT_VERSION;
        }

        public static String dataFile(int column) {
            return ColumnFiles.dataName(column);
        }

        public static String indexFile(int column) {
            return ColumnFiles.indexName(column);
        }

        public static String nullsFile(int column) {
            return ColumnFiles.nullsName(column);
        }

        /** The partition name of a key, e.g. {@code 2026-11-21} for PARTITION BY DAY. */
        public static String partitionName(PartitionBy by, long key) {
            return PartitionScheme.nameOf(by, key);
        }

        /** Writes {@code <dbDir>/_tables} (a new file, a registry image) for the cut's tables, durably. */
        public static void writeRegistry(FileSystemFacade fs, Path dbDir, CheckpointDirectory.Cut cut)
                throws IOException {
            List<TableRegistry.Entry> entries = new ArrayList<>(cut.tables().size());
            for (CheckpointDirectory.TableCut t : cut.tables()) {
                entries.add(new TableRegistry.Entry(t.id(), t.directory(), t.schema()));
            }
            TableRegistry.writeImage(fs, dbDir.resolve(TableRegistry.NAME), cut.nextTableId(), entries);
            fs.syncDirectory(dbDir);
        }

        /** Reads and validates {@code <dbDir>/_tables}. @throws StorageException CORRUPT */
        public static Registry readRegistry(FileSystemFacade fs, Path dbDir) throws IOException {
            TableRegistry.Contents c = TableRegistry.loadImage(fs, dbDir.resolve(TableRegistry.NAME));
            List<RegistryEntry> entries = new ArrayList<>(c.entries().size());
            for (TableRegistry.Entry e : c.entries()) {
                entries.add(new RegistryEntry(e.id(), e.directory(), e.schema()));
            }
            return new Registry(c.nextTableId(), List.copyOf(entries));
        }

        /** Writes {@code <tableDir>/_txn} (a new file) holding exactly the table's state, fsynced (not its dir). */
        public static void writeTxn(FileSystemFacade fs, Path tableDir, CheckpointDirectory.TableCut t)
                throws IOException {
            TxnFile.writeStandalone(fs, tableDir, t.id(), t.schema(), toState(t));
        }

        /** A complete {@code _txn} file image holding exactly the table's state (what {@link #writeTxn} writes). */
        public static ByteBuffer txnImage(CheckpointDirectory.TableCut t) {
            return TxnFile.standaloneImage(null, Path.of(t.directory()), t.id(), t.schema(), toState(t), false);
        }

        /** Like {@link #txnImage}, with the slot capacity cut to the record: for the checkpoint's state bundle. */
        public static ByteBuffer compactTxnImage(CheckpointDirectory.TableCut t) {
            return TxnFile.standaloneImage(null, Path.of(t.directory()), t.id(), t.schema(), toState(t), true);
        }

        /**
         * Reads a {@code _txn} file image held in memory (see {@link #txnImage}); errors name {@code <dir>/_txn}.
         *
         * @throws StorageException CORRUPT
         */
        public static CheckpointDirectory.TableCut readTxn(ByteBuffer image, Path dir, long id, String directory,
                                                           TableSchema schema) throws IOException {
            return toCut(id, directory, schema, TxnFile.readCommitted(image, dir, id, schema));
        }

        /** Reads {@code <tableDir>/_txn}'s newest valid record, without writing. @throws StorageException CORRUPT */
        public static CheckpointDirectory.TableCut readTxn(FileSystemFacade fs, Path tableDir, long id,
                                                           String directory, TableSchema schema) throws IOException {
            return toCut(id, directory, schema, TxnFile.readCommitted(fs, tableDir, id, schema));
        }

        static CheckpointDirectory.TableCut toCut(long id, String directory, TableSchema schema, TxnState s) {
            List<CheckpointDirectory.PartitionCut> parts = new ArrayList<>(s.partitions.size());
            for (PartitionState p : s.partitions) {
                parts.add(new CheckpointDirectory.PartitionCut(p.key, PartitionScheme.nameOf(schema.partitionBy(),
                        p.key), p.version, p.rowCount, p.minTimestamp, p.maxTimestamp, p.dataSizes.clone(),
                        p.indexSizes.clone(), p.nullSizes.clone()));
            }
            return new CheckpointDirectory.TableCut(id, directory, schema, s.txn, s.rowCount, parts);
        }

        static TxnState toState(CheckpointDirectory.TableCut t) {
            List<PartitionState> parts = new ArrayList<>(t.partitions().size());
            for (CheckpointDirectory.PartitionCut p : t.partitions()) {
                parts.add(new PartitionState(p.key(), p.version(), p.rowCount(), p.minTimestamp(), p.maxTimestamp(),
                        p.dataSizes().clone(), p.indexSizes().clone(), p.nullSizes().clone()));
            }
            return new TxnState(t.txn(), t.rowCount(), parts);
        }
    }
}
