package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.checkpoint.PrivateCopies;
import io.stillpoint.storage.fs.FileSystemFacade;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Owner of a table's {@code _txn} file (format version {@value #FORMAT_VERSION}; versions 1 and 2 are still
 * read), the truth of what is committed.
 *
 * <p>A double-buffered record: a commit overwrites in place the slot of the state before last, so installing a
 * commit costs one positional write and one fdatasync and never creates a file (no directory fsync). A torn
 * write can only damage the slot being written; the other slot keeps the previous commit. All little-endian:
 * <pre>
 *   version 3: two header copies of 64 bytes, copy h at offset 64 * h; the valid copy (magic, version, CRC) with
 *   the higher sequence number is the header:
 *     0  int  magic 0x53505458 "SPTX"
 *     4  int  format version (3)
 *     8  int  slot capacity C (bytes)
 *     12 int  header sequence number
 *     16 long table id (the registry's id of the table incarnation owning the directory)
 *     24 long slot area offset A (a multiple of 64, &gt;= 128)
 *     32 ..   zero up to 60
 *     60 int  CRC32C of bytes [0, 60)
 *   versions 1 and 2: one header at offset 0, as above but with version 1 or 2, bytes 12..15 and 24..59 zero,
 *   and A = 64 implied
 *   slot s (0 or 1) at offset A + s * C, holding the commit with txn % 2 == s:
 *     0  int  record length L (bytes, from the slot start, H &lt;= L &lt;= C; H = 40 in version 2, 32 in version 1)
 *     4  int  CRC32C of the record bytes [8, L)
 *     8  long txn (commit number; 0 = the empty table)
 *     16 long row count of the table
 *     24 int  column count n
 *     28 int  partition count P
 *     32 int  appended range count R (version 2 only; version 1 records end their header here, H = 32)
 *     36 int  reserved, 0 (version 2 only)
 *     H  P partitions, ascending by key, each 40 + 24 * n bytes:
 *          long key (first microsecond of the period; Long.MIN_VALUE for PARTITION BY NONE)
 *          long version (txn that created the directory {@code <name>.<version>/})
 *          long row count, long min designated timestamp, long max designated timestamp
 *          per column: long data file size, long varchar index size, long null list size (see {@link ColumnFiles})
 *     .. R appended ranges (version 2 only), 24 bytes each: one per file whose committed size this commit grew
 *        (or that it created):
 *          int  partition index (into this record's partition list)
 *          int  column index
 *          int  file kind: 0 data {@code c<i>.d}, 1 varchar index {@code c<i>.i}, 2 null list {@code c<i>.n}
 *          int  CRC32C of the file's bytes [from, its committed size in this record)
 *          long from: the file's committed size before this commit (0 if this commit created the file)
 * </pre>
 * Why the appended ranges: a commit writes its column data and this record, then fsyncs the column files, the
 * record and any new directory all at once, and acknowledges only when all succeeded. A crash in that phase may
 * leave the record on disk but not all the data. So at open the candidate state (the valid slot, length in range
 * and CRC matching, with the higher txn) is verified: every appended range is read back and its CRC32C compared.
 * If a file is missing, too short, or a CRC differs, that commit was never acknowledged: the slot is invalidated
 * on disk (its length zeroed, fsync) and the other slot, the previous commit, is the committed state (it was
 * durable before that commit started, because commits of a table are serialized). A verified candidate is made
 * durable (fsync of its appended files, new directories and this file) before the table takes commits, because
 * after a process crash it may have been read back from the page cache only. The cost is proportional to the
 * size of the last commit only.
 *
 * <p>A slot whose CRC matches but whose contents contradict the schema is corruption, not a torn write:
 * {@link #open} reports it with file, offset, expected and found; so it does when the candidate is rejected and
 * the other slot holds no valid previous commit.
 *
 * <p>A record that outgrows C, or that changes shape (ALTER), is installed in place too, so the file never loses
 * its name or shrinks (a copy tool may be reading it during a checkpoint): after the column files were fsynced,
 * a new slot area with a large enough C, holding the previous commit and the new one, is appended at the end of
 * the file (offset rounded up to 64) and fsynced; then the header copy that is not current is overwritten with
 * the next sequence number, the new C and the new A, and fsynced. A crash before that header is durable leaves
 * the old header and slot area in force (the appended bytes are ignored); a torn header write fails its CRC. A
 * failed install zeroes that header copy again. The file grows by 2 * C at such installs only (C doubles).
 * Version 1 and 2 files (their slot 0 occupies the second header copy) are converted on such an install the old
 * way: a new version 3 file written to {@code _txn.tmp}, fsync, rename over {@code _txn}, fsync of the table
 * directory; version 1 files at their next commit.
 */
final class TxnFile implements AutoCloseable {

    static final String NAME = "_txn";
    static final String TEMP_NAME = "_txn.tmp";
    static final int FORMAT_VERSION = 4;
    /** Two slots, records without inline bytes; still read and written in place, converted when it grows. */
    static final int FORMAT_VERSION_3 = 3;
    /** Single header, slots at 64; still read and written in place, converted when a record outgrows its slot. */
    static final int FORMAT_VERSION_2 = 2;
    /** The first format version, still read: records without appended ranges. */
    static final int FORMAT_VERSION_1 = 1;
    /** Bytes before the first slot area of a version 3 file: the two header copies. */
    static final int HEADER_AREA = 128;
    static final int MAGIC = 0x53505458;
    static final int HEADER_SIZE = 64;
    static final int INITIAL_SLOT_CAPACITY = 4032;
    /** Slot capacity of new _txn files; tests lower it to reach the slot-growth path with few partitions. */
    static volatile int initialSlotCapacity = INITIAL_SLOT_CAPACITY;
    /**
     * Whether open verifies the candidate's appended ranges. Only a test turns it off, to show that the crash
     * tests catch the partial commits that verification exists to reject.
     */
    static volatile boolean verifyAppendedRanges = true;
    private static final int RECORD_HEADER_V1 = 32;
    private static final int RECORD_HEADER = 40;
    private static final int RECORD_HEADER_V4 = 48;
    /**
     * Largest record (with its inline copies) a deferred commit may write; a larger append fsyncs its column files
     * instead. Bounds the slot capacity a ring grows to (twice this).
     */
    static final int MAX_DEFERRED_RECORD = 64 * 1024;
    /** Bytes a ring of slots aims at: its slot count is this divided by the slot capacity, clamped. */
    static final int RING_BYTES = 512 * 1024;
    /** {@link #RING_BYTES}; tests lower it to reach a full ring (and its flush) in a few commits. */
    static volatile int ringBytes = RING_BYTES;
    /**
     * Whether open rewrites deferred commits' column bytes from their records. Only a test turns it off, to show
     * that the crash tests catch the lost bytes that the replay exists to restore.
     */
    static volatile boolean replayDeferredCommits = true;
    static final int MIN_RING_SLOTS = 4;
    static final int MAX_RING_SLOTS = 32;
    private static final int MAX_SLOTS = 1024;
    private static final int RANGE_SIZE = 24;
    private static final int VERIFY_CHUNK = 64 * 1024;

    private final FileSystemFacade fs;
    private final Path dir;
    private final Path path;
    private final long tableId;
    private final TableSchema schema;
    private FileSystemFacade.WritableFile file;
    // Set only by readCommitted: the file is read through this read-only handle and never written.
    private FileSystemFacade.ReadableFile readOnly;
    private int slotCapacity;
    // Slots in the slot area: 2 for versions 1 to 3, the header's count for version 4.
    private int slotCount = 2;
    // Offset of slot 0 (version 3: from the current header; versions 1 and 2: 64).
    private long slotArea = HEADER_SIZE;
    // Version 3: the current header copy and its sequence number.
    private int headerCopy;
    private int headerSequence;
    // A header copy an install wrote but that failed: zeroed by the next invalidate (-1: none).
    private int abandonedHeader = -1;
    private int fileVersion;
    private ByteBuffer encoded = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();

    private TxnFile(FileSystemFacade fs, Path dir, long tableId, TableSchema schema) {
        this.fs = fs;
        this.dir = dir;
        this.path = dir.resolve(NAME);
        this.tableId = tableId;
        this.schema = schema;
    }

    /**
     * Creates {@code <dir>/_txn} holding the empty state (txn 0) durably: written in place (the name must not exist
     * yet), fsynced, directory fsynced. No temporary name, so nothing vanishes under a copy; a crash before the
     * registry names the table leaves an unreferenced directory that housekeeping deletes.
     */
    static TxnFile create(FileSystemFacade fs, Path dir, long tableId, TableSchema schema) throws IOException {
        TxnFile txnFile = new TxnFile(fs, dir, tableId, schema);
        TxnState empty = new TxnState(0, 0, List.of());
        int capacity = initialSlotCapacity;
        txnFile.slotCapacity = capacity;
        try {
            ByteBuffer image = txnFile.image(empty, null, capacity, 2);
            txnFile.file = fs.openWritable(txnFile.path);
            if (txnFile.file.size() != 0) {
                throw new IOException("txn file exists already [file=" + txnFile.path + "]");
            }
            txnFile.file.write(image, 0);
            txnFile.file.sync();
            txnFile.fileVersion = FORMAT_VERSION;
            txnFile.slotArea = HEADER_AREA;
            txnFile.headerCopy = 0;
            txnFile.headerSequence = 1;
            fs.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            txnFile.close();
            throw e;
        }
        return txnFile;
    }

    /**
     * Opens an existing {@code _txn}, validates it and recovers the committed state into {@code committed[0]}:
     * the newest valid slot if all its appended ranges are on disk (then made durable), else the previous commit
     * (and the newest slot is invalidated on disk first).
     *
     * @throws StorageException CORRUPT with file, offset, expected and found
     */
    static TxnFile open(FileSystemFacade fs, Path dir, long tableId, TableSchema schema, ParallelSync sync,
                        TxnState[] committed) throws IOException {
        TxnFile txnFile = new TxnFile(fs, dir, tableId, schema);
        txnFile.file = fs.openWritable(txnFile.path);
        try {
            committed[0] = txnFile.recover(sync);
        } catch (RuntimeException | IOException e) {
            txnFile.file.close();
            throw e;
        }
        return txnFile;
    }

    Path path() {
        return path;
    }

    private FileSystemFacade.ReadableFile input() {
        return readOnly != null ? readOnly : file;
    }

    /**
     * Writes {@code <dir>/_txn}, a new file (the name must not exist yet) holding exactly {@code state} as its only
     * commit record, without its appended ranges (nothing to verify: the checkpoint's manifest lists the files).
     * For the checkpoint directory, whose {@code db/} mirrors the live one so that restore installs it by a plain
     * copy; fsynced, but no rename here: the checkpoint directory is renamed as a whole.
     */
    static void writeStandalone(FileSystemFacade fs, Path dir, long tableId, TableSchema schema, TxnState state)
            throws IOException {
        ByteBuffer image = standaloneImage(fs, dir, tableId, schema, state, false);
        try (FileSystemFacade.WritableFile out = fs.openWritable(dir.resolve(NAME))) {
            out.write(image, 0);
            out.sync();
        }
    }

    /**
     * The bytes {@link #writeStandalone} writes (a complete file image); {@code compact}: slot capacity equal to the
     * record's length (for storage only: the first commit to such a file would grow it).
     */
    static ByteBuffer standaloneImage(FileSystemFacade fs, Path dir, long tableId, TableSchema schema,
                                      TxnState state, boolean compact) {
        TxnFile t = new TxnFile(fs, dir, tableId, schema);
        TxnState plain = new TxnState(state.txn, state.rowCount, state.partitions);
        int length = t.recordLength(plain, 0);
        int capacity = compact ? length : initialSlotCapacity;
        while (capacity < length * 2 && !compact) {
            capacity *= 2;
        }
        return t.image(plain, null, capacity, 2);
    }

    /**
     * {@link #readCommitted} of a file image held in memory, e.g. one table's entry of the checkpoint's state
     * bundle; errors name {@code <dir>/_txn}.
     */
    static TxnState readCommitted(ByteBuffer image, Path dir, long tableId, TableSchema schema)
            throws IOException {
        ByteBuffer bytes = image.slice().order(ByteOrder.LITTLE_ENDIAN);
        FileSystemFacade.ReadableFile in = new FileSystemFacade.ReadableFile() {
            @Override
            public int read(ByteBuffer dst, long position) {
                if (position >= bytes.limit()) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), bytes.limit() - position);
                dst.put(dst.position(), bytes, (int) position, n);
                dst.position(dst.position() + n);
                return n;
            }

            @Override
            public long size() {
                return bytes.limit();
            }

            @Override
            public void close() {
            }
        };
        return new TxnFile(null, dir, tableId, schema).readCommittedFrom(in);
    }

    /**
     * Reads {@code <dir>/_txn} without writing anything: header checks, then the newest slot with a valid length
     * and CRC, decoded and checked against {@code schema}. Appended ranges are not verified (the checkpoint's files
     * are checked against its manifest instead).
     *
     * @throws StorageException CORRUPT with file, offset, expected and found
     */
    static TxnState readCommitted(FileSystemFacade fs, Path dir, long tableId, TableSchema schema)
            throws IOException {
        TxnFile t = new TxnFile(fs, dir, tableId, schema);
        try (FileSystemFacade.ReadableFile in = fs.openReadable(t.path)) {
            return t.readCommittedFrom(in);
        }
    }

    private TxnState readCommittedFrom(FileSystemFacade.ReadableFile in) throws IOException {
        readOnly = in;
        String[][] why = new String[1][];
        ValidSlot[] slots = readSlots(why);
        ValidSlot newest = newest(slots);
        if (newest == null) {
            throw StorageErrors.corrupt("no valid commit record in txn file", path, slotArea,
                    "a slot with a valid length and crc32c", reasons(why[0]));
        }
        return decodeSlot(newest).state();
    }

    /** Where the slots of a {@code _txn} file are: slot area offset, slot capacity, slot count. */
    record Layout(int version, long area, int capacity, int count) {
        /** Offset of the slot that holds (or would hold) commit {@code txn}. */
        long slotOffset(long txn) {
            return area + (txn % count) * (long) capacity;
        }
    }

    /** The current layout of the {@code _txn} file at {@code txnPath}, read without writing (tests, diagnostics). */
    static Layout layout(FileSystemFacade fs, Path txnPath) throws IOException {
        TxnFile t = new TxnFile(fs, txnPath.getParent(), 0, null);
        try (FileSystemFacade.ReadableFile in = fs.openReadable(txnPath)) {
            t.readOnly = in;
            ByteBuffer first = t.read(0, HEADER_SIZE);
            int version = first.getInt(4);
            if (version < FORMAT_VERSION_3) {
                return new Layout(version, HEADER_SIZE, first.getInt(8), 2);
            }
            ByteBuffer h = t.currentHeader(in.size(), version);
            return new Layout(version, h.getLong(24), h.getInt(8), version == FORMAT_VERSION ? h.getInt(32) : 2);
        }
    }

    /** Format version of the file as it is on disk now (1 until a version 1 file's next commit). */
    int fileVersion() {
        return fileVersion;
    }

    /** A slot whose length and CRC are valid: where it is, its bytes, and its txn (the rest not yet checked). */
    private record ValidSlot(int index, long at, ByteBuffer bytes, int length, long txn) {
    }

    private long slotOffset(long txn) {
        return slotArea + (txn % slotCount) * (long) slotCapacity;
    }

    private int recordHeader() {
        return fileVersion == FORMAT_VERSION_1 ? RECORD_HEADER_V1
                : fileVersion == FORMAT_VERSION ? RECORD_HEADER_V4 : RECORD_HEADER;
    }

    /** Slots in the current slot area (more than 2: a ring that can hold deferred commits). */
    int slotCount() {
        return slotCount;
    }

    /** The newest valid slot (highest txn), or null. */
    private static ValidSlot newest(ValidSlot[] slots) {
        ValidSlot newest = null;
        for (ValidSlot s : slots) {
            if (s != null && (newest == null || s.txn() > newest.txn())) {
                newest = s;
            }
        }
        return newest;
    }

    private static String reasons(String[] why) {
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < why.length; s++) {
            b.append(s == 0 ? "" : ", ").append("slot ").append(s).append(": ").append(why[s]);
        }
        return b.toString();
    }

    private TxnState recover(ParallelSync sync) throws IOException {
        String[][] why = new String[1][];
        ValidSlot[] slots = readSlots(why);
        ValidSlot newest = newest(slots);
        if (newest == null) {
            throw StorageErrors.corrupt("no valid commit record in txn file", path, slotArea,
                    "a slot with a valid length and crc32c", reasons(why[0]));
        }
        Decoded candidate = decodeSlot(newest);
        Map<Path, FileSystemFacade.WritableFile> opened = new LinkedHashMap<>();
        try {
            // A deferred commit's record holds its bytes: valid by its own CRC. Otherwise read the data back.
            String rejection = candidate.inline() == null && verifyAppendedRanges
                    ? verify(candidate.state(), opened) : null;
            if (rejection != null) {
                long txn = candidate.state().txn;
                int other = (int) ((txn - 1) % slotCount);
                ValidSlot previousSlot = slots[other];
                String rejected = "txn " + txn + " in slot " + newest.index() + " rejected: " + rejection;
                if (previousSlot == null) {
                    throw StorageErrors.corrupt("newest commit record's data is incomplete and the previous commit "
                            + "record is invalid", path, slotArea + (long) other * slotCapacity,
                            "a valid commit record of txn " + (txn - 1),
                            "slot " + other + ": " + why[0][other] + " (" + rejected + ")");
                }
                Decoded previous = decodeSlot(previousSlot);
                if (previous.state().txn != txn - 1) {
                    throw StorageErrors.corrupt("newest commit record's data is incomplete and the other slot does "
                            + "not hold the previous commit", path, previousSlot.at() + 8, "txn " + (txn - 1),
                            "txn " + previous.state().txn + " (" + rejected + ")");
                }
                // That commit was never acknowledged. Invalidate its slot before anything else, so it can never
                // come back (e.g. once the missing bytes happen to be rewritten identically) after later commits.
                ensurePrivate();
                file.write(ByteBuffer.allocate(8), newest.at());
                file.sync();
                candidate = previous;
            }
            if (replayDeferredCommits) {
                replay(candidate, slots, why[0], opened);
            }
            makeDurable(candidate.state(), opened, sync);
            return candidate.state();
        } finally {
            for (FileSystemFacade.WritableFile f : opened.values()) {
                f.close();
            }
        }
    }

    /**
     * Rewrites the column bytes of every deferred commit after {@code committed}'s durable watermark, up to
     * {@code committed} itself, from the inline copies in their records (oldest first), into the files they
     * appended to (left open in {@code opened}; the caller fsyncs them). Those commits were acknowledged once
     * their record alone was durable, so a power loss may have taken their column bytes; a process crash leaves
     * the same bytes, rewritten identically. A range of a partition version the committed state no longer
     * references (a later commit rewrote it) is skipped: nothing reads it again.
     */
    private void replay(Decoded committed, ValidSlot[] slots, String[] why,
                        Map<Path, FileSystemFacade.WritableFile> opened) throws IOException {
        TxnState last = committed.state();
        Set<Path> checked = new java.util.HashSet<>();
        for (long k = committed.durable() + 1; k <= last.txn; k++) {
            Decoded record;
            if (k == last.txn) {
                record = committed;
            } else {
                ValidSlot s = slots[(int) (k % slotCount)];
                if (s == null || s.txn() != k) {
                    throw StorageErrors.corrupt("commit record needed to recover deferred column bytes is missing",
                            path, slotOffset(k), "a valid record of txn " + k,
                            s == null ? why[(int) (k % slotCount)] : "txn " + s.txn());
                }
                record = decodeSlot(s);
            }
            if (record.inline() == null) {
                continue;
            }
            ByteBuffer bytes = record.inline().duplicate();
            for (TxnState.AppendedRange r : record.state().appended) {
                int length = (int) (record.state().endOf(r) - r.from());
                ByteBuffer range = bytes.slice(bytes.position(), length);
                bytes.position(bytes.position() + length);
                PartitionState p = record.state().partitions.get(r.partition());
                int i = last.find(p.key);
                if (i < 0 || last.partitions.get(i).version != p.version) {
                    continue;
                }
                Path f = fileOf(record.state(), r);
                FileSystemFacade.WritableFile handle = opened.get(f);
                if (checked.add(f)) {
                    if (!fs.exists(f)) {
                        throw StorageErrors.corrupt("column file of a deferred commit missing", f, r.from(),
                                "a file of at least " + r.from() + " bytes", "no such file");
                    }
                    // Never write into an inode a cp -al copy shares.
                    if (PrivateCopies.privatizeIfShared(fs, f, fs.size(f)) && handle != null) {
                        opened.remove(f).close();
                        handle = null;
                    }
                }
                if (handle == null) {
                    handle = fs.openWritable(f);
                    opened.put(f, handle);
                }
                handle.write(range, r.from());
            }
        }
    }

    private int headerCrc(ByteBuffer header) {
        crc.reset();
        crc.update(header.array(), header.arrayOffset(), 60);
        return (int) crc.getValue();
    }

    /**
     * Version 3: the valid header copy with the higher sequence number (sets headerCopy and headerSequence).
     * Neither valid: CORRUPT, reporting copy 0's checksum.
     */
    private ByteBuffer currentHeader(long length, int version) throws IOException {
        if (length < HEADER_AREA) {
            throw StorageErrors.corrupt("txn file too short for its header", path, 0, ">=" + HEADER_AREA + " bytes",
                    length + " bytes");
        }
        ByteBuffer best = null;
        int[] crcs = new int[2];
        int[] found = new int[2];
        for (int h = 0; h < 2; h++) {
            ByteBuffer copy = read(64L * h, HEADER_SIZE);
            crcs[h] = headerCrc(copy);
            found[h] = copy.getInt(60);
            if (copy.getInt(0) != MAGIC || copy.getInt(4) != version || crcs[h] != found[h]) {
                continue;
            }
            if (best == null || copy.getInt(12) > headerSequence) {
                best = copy;
                headerCopy = h;
                headerSequence = copy.getInt(12);
            }
        }
        if (best == null) {
            throw StorageErrors.corrupt("txn file header checksum mismatch", path, 60, crcs[0], found[0]);
        }
        return best;
    }

    /** A version 4 header copy. */
    private ByteBuffer header(int sequence, int capacity, long area, int count) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0, MAGIC).putInt(4, FORMAT_VERSION).putInt(8, capacity).putInt(12, sequence)
                .putLong(16, tableId).putLong(24, area).putInt(32, count);
        header.putInt(60, headerCrc(header));
        return header;
    }

    /** Validates the header; returns the slots with a valid length and CRC (null elsewhere, reason in why). */
    private ValidSlot[] readSlots(String[][] why) throws IOException {
        long length = input().size();
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
        // Both header copies carry the same magic and version, so a torn header write never changes these bytes.
        int version = header.getInt(4);
        long area = HEADER_SIZE;
        if (version == FORMAT_VERSION || version == FORMAT_VERSION_3) {
            header = currentHeader(length, version);
            area = header.getLong(24);
        } else {
            int expectedCrc = headerCrc(header);
            if (header.getInt(60) != expectedCrc) {
                throw StorageErrors.corrupt("txn file header checksum mismatch", path, 60, expectedCrc,
                        header.getInt(60));
            }
            if (version != FORMAT_VERSION_2 && version != FORMAT_VERSION_1) {
                throw StorageErrors.corrupt("unsupported txn file format version", path, 4,
                        FORMAT_VERSION_1 + ", " + FORMAT_VERSION_2 + ", " + FORMAT_VERSION_3 + " or " + FORMAT_VERSION,
                        version);
            }
        }
        fileVersion = version;
        int capacity = header.getInt(8);
        long minArea = version >= FORMAT_VERSION_3 ? HEADER_AREA : HEADER_SIZE;
        int count = version == FORMAT_VERSION ? header.getInt(32) : 2;
        if (count < 2 || count > MAX_SLOTS) {
            throw StorageErrors.corrupt("txn file slot count out of range", path, 64L * headerCopy + 32,
                    "2.." + MAX_SLOTS, count);
        }
        if (area < minArea || area % 64 != 0 || area > length) {
            throw StorageErrors.corrupt("txn file slot area offset out of range", path, 64L * headerCopy + 24,
                    "a multiple of 64 in [" + minArea + ", " + length + "]", area);
        }
        if (capacity < recordHeader() || length < area + (long) count * capacity) {
            throw StorageErrors.corrupt("txn file slot capacity does not match its length", path,
                    64L * headerCopy + 8, "capacity >= " + recordHeader() + " and length >= " + area
                            + " + " + count + " * capacity", "capacity " + capacity + ", length " + length);
        }
        long foundId = header.getLong(16);
        if (foundId != tableId) {
            throw StorageErrors.corrupt("txn file belongs to another table", path, 16, tableId, foundId);
        }
        slotCapacity = capacity;
        slotArea = area;
        slotCount = count;
        ValidSlot[] slots = new ValidSlot[count];
        why[0] = new String[count];
        // One read of the whole area: a ring of up to RING_BYTES, or two slots.
        ByteBuffer all = read(area, Math.multiplyExact(count, capacity));
        for (int s = 0; s < count; s++) {
            long at = area + (long) s * capacity;
            ByteBuffer slot = all.slice(s * capacity, capacity).order(ByteOrder.LITTLE_ENDIAN);
            int recordLength = slot.getInt(0);
            if (recordLength < recordHeader() || recordLength > capacity) {
                why[0][s] = "record length " + recordLength;
                continue;
            }
            crc.reset();
            crc.update(all.array(), s * capacity + 8, recordLength - 8);
            if ((int) crc.getValue() != slot.getInt(4)) {
                why[0][s] = "crc32c mismatch";
                continue;
            }
            slots[s] = new ValidSlot(s, at, slot, recordLength, slot.getLong(8));
        }
        return slots;
    }

    /**
     * A decoded record: the state, the durable watermark its commit saw ({@code durable}: every commit up to it had
     * its column bytes fsynced when the record was written; records before version 4: txn - 1) and, for a
     * deferred commit, its inline copies (the appended ranges' bytes in range order), else null.
     */
    private record Decoded(TxnState state, long durable, ByteBuffer inline) {
    }

    private Decoded decodeSlot(ValidSlot slot) {
        Decoded d = decode(slot.bytes(), slot.at(), slot.length());
        if (d.state().txn % slotCount != slot.index()) {
            throw StorageErrors.corrupt("txn record in the wrong slot", path, slot.at() + 8,
                    "txn % " + slotCount + " == " + slot.index(), d.state().txn);
        }
        return d;
    }

    private Decoded decode(ByteBuffer slot, long at, int recordLength) {
        long txn = slot.getLong(8);
        long rowCount = slot.getLong(16);
        int columns = slot.getInt(24);
        int partitionCount = slot.getInt(28);
        int rangeCount = fileVersion == FORMAT_VERSION_1 ? 0 : slot.getInt(32);
        boolean v4 = fileVersion == FORMAT_VERSION;
        int inlineBytes = v4 ? slot.getInt(36) : 0;
        long durable = v4 ? slot.getLong(40) : Math.max(0, txn - 1);
        int header = recordHeader();
        int n = schema.columnCount();
        if (columns != n) {
            throw StorageErrors.corrupt("txn record column count differs from the schema", path, at + 24, n, columns);
        }
        long perPartition = 40L + 24L * n;
        if (partitionCount < 0 || rangeCount < 0 || inlineBytes < 0 || header + partitionCount * perPartition
                + (long) rangeCount * RANGE_SIZE + inlineBytes != recordLength) {
            throw StorageErrors.corrupt("txn record length does not match its partition, range and inline byte "
                    + "counts", path, at, header + (long) partitionCount * perPartition
                    + (long) rangeCount * RANGE_SIZE + inlineBytes, recordLength);
        }
        if (durable < 0 || durable > txn || (inlineBytes > 0 && durable >= txn)) {
            throw StorageErrors.corrupt("txn record durable watermark out of range", path, at + 40,
                    "0 <= durable " + (inlineBytes > 0 ? "< " : "<= ") + txn, durable);
        }
        PartitionBy by = schema.partitionBy();
        List<PartitionState> parts = new ArrayList<>(partitionCount);
        long total = 0;
        long previousKey = 0;
        int p = header;
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
        TxnState sizes = new TxnState(txn, rowCount, parts);
        List<TxnState.AppendedRange> ranges = new ArrayList<>(rangeCount);
        for (int i = 0; i < rangeCount; i++, p += RANGE_SIZE) {
            TxnState.AppendedRange r = new TxnState.AppendedRange(slot.getInt(p), slot.getInt(p + 4),
                    slot.getInt(p + 8), slot.getLong(p + 16), slot.getInt(p + 12));
            boolean ok = r.partition() >= 0 && r.partition() < partitionCount && r.column() >= 0 && r.column() < n
                    && r.kind() >= TxnState.KIND_DATA && r.kind() <= TxnState.KIND_NULLS
                    && (r.kind() != TxnState.KIND_INDEX
                        || schema.columns().get(r.column()).type() == ColumnType.VARCHAR);
            if (ok) {
                long end = sizes.endOf(r);
                ok = (r.from() == 0 || r.from() >= ColumnFiles.HEADER_SIZE) && r.from() < end;
            }
            if (!ok) {
                throw StorageErrors.corrupt("txn record appended range out of bounds", path, at + p,
                        "partition < " + partitionCount + ", column < " + n + ", kind 0..2 (1 only for varchar), "
                                + "from 0 or 16..end-1",
                        "partition " + r.partition() + ", column " + r.column() + ", kind " + r.kind() + ", from "
                                + r.from());
            }
            ranges.add(r);
        }
        TxnState state = new TxnState(txn, rowCount, parts, ranges);
        ByteBuffer inline = null;
        if (inlineBytes > 0) {
            long sum = 0;
            for (TxnState.AppendedRange r : ranges) {
                sum += state.endOf(r) - r.from();
            }
            if (sum != inlineBytes) {
                throw StorageErrors.corrupt("txn record inline bytes do not match its appended ranges", path, at + 36,
                        sum, inlineBytes);
            }
            inline = slot.slice(p, inlineBytes);
        }
        return new Decoded(state, durable, inline);
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

    /** Path of the file an appended range belongs to. */
    private Path fileOf(TxnState state, TxnState.AppendedRange r) {
        PartitionState p = state.partitions.get(r.partition());
        return dir.resolve(p.directoryName(PartitionScheme.nameOf(schema.partitionBy(), p.key)))
                .resolve(TxnState.fileName(r.kind(), r.column()));
    }

    /**
     * Reads back every appended range of {@code state} and compares its CRC32C; returns null if all are on disk,
     * else why not. The files it opened are left in {@code opened} (the caller closes them).
     */
    private String verify(TxnState state, Map<Path, FileSystemFacade.WritableFile> opened) throws IOException {
        CRC32C rangeCrc = new CRC32C();
        ByteBuffer chunk = null;
        for (TxnState.AppendedRange r : state.appended) {
            Path f = fileOf(state, r);
            long end = state.endOf(r);
            FileSystemFacade.WritableFile handle = opened.get(f);
            if (handle == null) {
                if (!fs.exists(f)) {
                    return "file missing [file=" + f + ", committed size=" + end + "]";
                }
                handle = fs.openWritable(f);
                opened.put(f, handle);
            }
            long size = handle.size();
            if (size < end) {
                return "file shorter than its committed size [file=" + f + ", expected=>=" + end + ", found=" + size
                        + "]";
            }
            if (chunk == null) {
                chunk = ByteBuffer.allocate(VERIFY_CHUNK);
            }
            rangeCrc.reset();
            long at = r.from();
            while (at < end) {
                chunk.clear();
                chunk.limit((int) Math.min(VERIFY_CHUNK, end - at));
                ColumnFiles.readFully(handle, f, chunk, at);
                rangeCrc.update(chunk.array(), 0, chunk.position());
                at += chunk.position();
            }
            if ((int) rangeCrc.getValue() != r.crc32c()) {
                return "crc32c of the appended range differs [file=" + f + ", range=" + r.from() + ".." + end
                        + ", expected=" + Integer.toUnsignedString(r.crc32c(), 16) + ", found="
                        + Long.toHexString(rangeCrc.getValue()) + "]";
            }
        }
        return null;
    }

    /**
     * fsyncs what the verified state's commit wrote: after a process crash its bytes may be in the page cache
     * only, and a later commit that does not touch the same files would not make them durable.
     */
    private void makeDurable(TxnState state, Map<Path, FileSystemFacade.WritableFile> opened, ParallelSync sync)
            throws IOException {
        if (state.appended.isEmpty() && opened.isEmpty()) {
            return;
        }
        List<ParallelSync.SyncAction> actions = new ArrayList<>();
        for (FileSystemFacade.WritableFile f : opened.values()) {
            actions.add(f::sync);
        }
        Set<Path> dirs = new LinkedHashSet<>();
        for (TxnState.AppendedRange r : state.appended) {
            if (r.from() == 0) {
                dirs.add(fileOf(state, r).getParent()); // the commit created this file
            }
        }
        for (PartitionState p : state.partitions) {
            if (p.version == state.txn) {
                dirs.add(dir); // the commit created this partition directory
                break;
            }
        }
        for (Path d : dirs) {
            actions.add(() -> fs.syncDirectory(d));
        }
        actions.add(file::sync);
        if (sync != null) {
            sync.syncAll(actions);
        } else {
            for (ParallelSync.SyncAction a : actions) {
                a.sync();
            }
        }
    }

    private ByteBuffer read(long position, int size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        ColumnFiles.readFully(input(), path, buf, position);
        buf.flip();
        return buf;
    }

    /**
     * The fast path of a commit: writes the record of {@code next} into its slot in place, without an fsync (the
     * caller syncs it together with the column files, see {@link #sync}). Returns false, having written nothing,
     * when the record must be installed with {@link #installInNewFile} instead: it outgrows the slot, or the file
     * is of format version 1 (its records have another layout). If this throws or the caller's syncs fail, the
     * caller must {@link #invalidateAfter}.
     */
    boolean writeSlot(TxnState next, long durable) throws IOException {
        return writeSlot(next, durable, null);
    }

    /**
     * {@link #writeSlot(TxnState, long)} with {@code durable}, the durable watermark (every commit up to it has its
     * column bytes fsynced; the caller guarantees {@code durable >= next.txn + 1 - slotCount()}, so the records a
     * recovery may need are never overwritten), and for a deferred commit the inline copies of its appended ranges
     * ({@code inline}, in range order; only into a ring, see {@link #fitsDeferred}).
     */
    boolean writeSlot(TxnState next, long durable, ByteBuffer inline) throws IOException {
        if (fileVersion == FORMAT_VERSION_1 || (inline != null && !fitsDeferred(next, inline.remaining()))) {
            return false;
        }
        ByteBuffer record = encode(next, durable, inline, fileVersion == FORMAT_VERSION);
        if (record.remaining() > slotCapacity) {
            return false;
        }
        ensurePrivate();
        file.write(record, slotOffset(next.txn));
        return true;
    }

    /** Length of {@code state}'s version 4 record with {@code inlineBytes} of inline copies. */
    int recordLength(TxnState state, int inlineBytes) {
        return recordLength(state, inlineBytes, true);
    }

    /** Length of {@code state}'s record, version 4 ({@code v4}) or version 2/3, with {@code inlineBytes}. */
    private int recordLength(TxnState state, int inlineBytes, boolean v4) {
        return (v4 ? RECORD_HEADER_V4 : RECORD_HEADER) + state.partitions.size() * (40 + 24 * schema.columnCount())
                + state.appended.size() * RANGE_SIZE + inlineBytes;
    }

    /** Whether a deferred commit of {@code next} with {@code inlineBytes} of copies fits a slot of the ring. */
    boolean fitsDeferred(TxnState next, int inlineBytes) {
        return fileVersion == FORMAT_VERSION && slotCount > 2 && recordLength(next, inlineBytes) <= slotCapacity;
    }

    /**
     * Whether a deferred commit of {@code next} would fit a ring that {@link #installInNewFile} can grow to: then
     * the commit takes the fsyncing path once, growing the file into such a ring, and later ones are deferred.
     */
    boolean canGrowForDeferred(TxnState next, int inlineBytes) {
        return recordLength(next, inlineBytes) <= MAX_DEFERRED_RECORD;
    }

    /**
     * In-process recovery of the committed state {@code state} after a failed fsync of column files that deferred
     * commits appended to (the kernel may have dropped those dirty pages): their bytes are rewritten from the inline
     * copies in the records and fsynced, as an open would. Throws if that fails too.
     */
    void replayDeferred(TxnState state, ParallelSync sync) throws IOException {
        String[][] why = new String[1][];
        ValidSlot[] slots = readSlots(why);
        ValidSlot s = slots[(int) (state.txn % slotCount)];
        if (s == null || s.txn() != state.txn) {
            throw StorageErrors.corrupt("record of the committed state missing", path, slotOffset(state.txn),
                    "a valid record of txn " + state.txn, s == null ? why[0][(int) (state.txn % slotCount)]
                            : "txn " + s.txn());
        }
        Map<Path, FileSystemFacade.WritableFile> opened = new LinkedHashMap<>();
        try {
            replay(decodeSlot(s), slots, why[0], opened);
            makeDurable(state, opened, sync);
        } finally {
            for (FileSystemFacade.WritableFile f : opened.values()) {
                f.close();
            }
        }
    }

    /**
     * Hard-link safety before every in-place write: if {@code _txn} is shared with another tree (a {@code cp -al}
     * copy), it is first replaced by a private copy of the whole file (both slots: the other one holds the previous
     * commit) and the handle reopened, so the other tree's {@code _txn} never changes. One stat per commit.
     */
    private void ensurePrivate() throws IOException {
        if (fs.linkCount(path) <= 1) {
            return;
        }
        PrivateCopies.privatize(fs, path, file.size());
        FileSystemFacade.WritableFile shared = file;
        file = fs.openWritable(path);
        shared.close();
    }

    /** fdatasync of the file. */
    void sync() throws IOException {
        file.sync();
    }

    /**
     * After a failed commit of {@code txn}: zeroes the length of its slot and fsyncs, so that the record, if it
     * was written, can never become the committed state; the previous commit, in the other slot, stays it.
     */
    void invalidate(long txn) throws IOException {
        ensurePrivate();
        if (abandonedHeader >= 0) {
            file.write(ByteBuffer.allocate(HEADER_SIZE), 64L * abandonedHeader); // a failed install's header
        }
        file.write(ByteBuffer.allocate(8), slotOffset(txn));
        file.sync();
        abandonedHeader = -1;
    }

    /**
     * {@link #invalidate} after {@code failure}; if that fails too, throws {@link RecordNotInvalidatedException}
     * (with {@code failure} as cause), and the caller must not take a commit before an invalidation succeeded.
     */
    void invalidateAfter(long txn, Exception failure) throws RecordNotInvalidatedException {
        try {
            invalidate(txn);
        } catch (IOException | RuntimeException suppressed) {
            failure.addSuppressed(suppressed);
            throw new RecordNotInvalidatedException(txn, failure);
        }
    }

    /**
     * The slow path of a commit, after the column files were fsynced: installs {@code next} durably in a new slot
     * area with a large enough slot capacity (version 3: appended in place; versions 1 and 2: a new version 3
     * file, renamed over). On failure, tries to invalidate the half-installed header or slot so that a reopen
     * cannot pick up a commit the caller was told failed.
     */
    void installInNewFile(TxnState next, TxnState previous) throws IOException {
        installInNewFile(next, previous, 0);
    }

    /**
     * {@link #installInNewFile(TxnState, TxnState)}; {@code deferredLength} &gt; 0: the length of the record a
     * deferred commit of {@code next} would have written, which the new slot area must take in a ring of
     * slots. A ring stays a ring when it grows. The records written there carry no inline copies: every column
     * byte was fsynced before.
     */
    void installInNewFile(TxnState next, TxnState previous, int deferredLength) throws IOException {
        int length = Math.max(recordLength(next, 0), deferredLength);
        int capacity = slotCapacity;
        while (capacity < length * 2) {
            capacity *= 2;
        }
        int count = deferredLength > 0 || slotCount > 2
                ? Math.max(MIN_RING_SLOTS, Math.min(MAX_RING_SLOTS, ringBytes / capacity)) : 2;
        try {
            if (fileVersion == FORMAT_VERSION) {
                installInPlace(next, previous, capacity, count);
            } else {
                installNewFile(next, previous, capacity, count);
            }
        } catch (UnrecoverableCommitException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // The slot of next.txn held the state before last (or, in a new file, the new record): zeroing its
            // length makes it invalid, so the previous commit, in the other slot, stays the committed one.
            invalidateAfter(next.txn, e);
            throw e;
        }
    }

    /**
     * Thrown when the record of a failed commit may be on disk and could not be invalidated (e.g. every fsync
     * fails for a while): the table must durably invalidate slot {@code txn % 2} before it takes another commit.
     */
    static final class RecordNotInvalidatedException extends IOException {
        final long txn;

        RecordNotInvalidatedException(long txn, Throwable cause) {
            super("the record of the failed commit could not be invalidated [txn=" + txn + "]", cause);
            this.txn = txn;
        }
    }

    /** Thrown when the new _txn file was installed but could not be reopened: the table must not take commits. */
    static final class UnrecoverableCommitException extends IOException {
        UnrecoverableCommitException(Throwable cause) {
            super("installed txn file could not be reopened", cause);
        }
    }

    /**
     * The whole image of a new version 3 file: header copy 0 (sequence 1, slot area at 128), header copy 1 zero,
     * {@code previous} (may be null) and {@code next} in their slots.
     */
    private ByteBuffer image(TxnState next, TxnState previous, int capacity, int count) {
        ByteBuffer image = ByteBuffer.allocate(HEADER_AREA + count * capacity).order(ByteOrder.LITTLE_ENDIAN);
        image.put(0, header(1, capacity, HEADER_AREA, count), 0, HEADER_SIZE);
        image.put(HEADER_AREA, slots(next, previous, capacity, count), 0, count * capacity);
        return image;
    }

    /**
     * {@code count} slots of {@code capacity} bytes holding {@code previous} (may be null) and {@code next}, both
     * version 4 records without inline copies, with every earlier commit durable.
     */
    private ByteBuffer slots(TxnState next, TxnState previous, int capacity, int count) {
        ByteBuffer slots = ByteBuffer.allocate(count * capacity).order(ByteOrder.LITTLE_ENDIAN);
        if (previous != null) {
            ByteBuffer old = encode(previous, previous.txn, null, true);
            slots.put((int) (previous.txn % count) * capacity, old, old.position(), old.remaining());
        }
        ByteBuffer record = encode(next, Math.max(0, next.txn - 1), null, true);
        slots.put((int) (next.txn % count) * capacity, record, record.position(), record.remaining());
        return slots;
    }

    /**
     * Version 3 growth in place (see the class comment): a new slot area appended and fsynced, then the other
     * header copy switched to it and fsynced. No name is created, renamed or shrunk.
     */
    private void installInPlace(TxnState next, TxnState previous, int capacity, int count) throws IOException {
        ensurePrivate();
        long area = (file.size() + 63) / 64 * 64;
        file.write(slots(next, previous, capacity, count), area);
        file.sync();
        int copy = 1 - headerCopy;
        abandonedHeader = copy; // from here a failure must zero it again (invalidate)
        file.write(header(headerSequence + 1, capacity, area, count), 64L * copy);
        file.sync();
        abandonedHeader = -1;
        headerCopy = copy;
        headerSequence++;
        slotCapacity = capacity;
        slotArea = area;
        slotCount = count;
    }

    private void installNewFile(TxnState next, TxnState previous, int capacity, int count) throws IOException {
        Path temp = dir.resolve(TEMP_NAME);
        ByteBuffer image = image(next, previous, capacity, count);
        if (fs.exists(temp) && fs.linkCount(temp) > 1) {
            fs.delete(temp); // a crash leftover hard-linked into a copy (cp -al): never write into a shared inode
        }
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
        slotCount = count;
        fileVersion = FORMAT_VERSION;
        slotArea = HEADER_AREA;
        headerCopy = 0;
        headerSequence = 1;
        if (old != null) {
            old.close();
        }
        fs.syncDirectory(dir);
    }

    /**
     * Serializes a state into the reusable buffer, as a version 4 record ({@code v4}; with {@code durable} and, for a
     * deferred commit, the {@code inline} copies) or a version 2/3 one; returns it flipped (position 0, limit =
     * record length).
     */
    private ByteBuffer encode(TxnState state, long durable, ByteBuffer inline, boolean v4) {
        int n = schema.columnCount();
        int inlineBytes = inline == null ? 0 : inline.remaining();
        int length = recordLength(state, inlineBytes, v4);
        if (encoded.capacity() < length) {
            encoded = ByteBuffer.allocate(Math.max(length, encoded.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer b = encoded;
        b.clear();
        b.putInt(length).putInt(0).putLong(state.txn).putLong(state.rowCount).putInt(n)
                .putInt(state.partitions.size()).putInt(state.appended.size()).putInt(inlineBytes);
        if (v4) {
            b.putLong(durable);
        }
        for (PartitionState p : state.partitions) {
            b.putLong(p.key).putLong(p.version).putLong(p.rowCount).putLong(p.minTimestamp).putLong(p.maxTimestamp);
            for (int c = 0; c < n; c++) {
                b.putLong(p.dataSizes[c]).putLong(p.indexSizes[c]).putLong(p.nullSizes[c]);
            }
        }
        for (TxnState.AppendedRange r : state.appended) {
            b.putInt(r.partition()).putInt(r.column()).putInt(r.kind()).putInt(r.crc32c()).putLong(r.from());
        }
        if (inline != null) {
            b.put(inline.duplicate());
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
