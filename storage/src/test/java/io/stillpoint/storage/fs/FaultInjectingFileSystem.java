package io.stillpoint.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FileSystemFacade} that delegates to another one and fails chosen calls: the nth fsync (file or
 * directory), the fsync of a chosen path, the nth write (after writing half of the bytes, like a torn write), the
 * nth rename, or makes a write fail with ENOSPC. Counters start at the moment a fault is armed; each armed fault
 * fires once. It also keeps a log of writes and fsyncs, in the order they started.
 */
public final class FaultInjectingFileSystem implements FileSystemFacade {

    private final FileSystemFacade delegate;
    private final AtomicInteger syncs = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger renames = new AtomicInteger();
    private volatile int failSyncAt;
    private volatile int failWriteAt;
    private volatile int failRenameAt;
    private volatile int failDeletes;
    private volatile boolean diskFull;
    private final AtomicInteger totalSyncs = new AtomicInteger();
    private final AtomicInteger totalDirSyncs = new AtomicInteger();
    private final AtomicInteger totalWrites = new AtomicInteger();
    private volatile Predicate<Path> failSyncOf;
    private volatile boolean failEverySync;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    public FaultInjectingFileSystem(FileSystemFacade delegate) {
        this.delegate = delegate;
    }

    public FaultInjectingFileSystem() {
        this(FileSystemFacade.real());
    }

    /** The {@code n}th (1-based) fsync from now, of a file or a directory, fails with an IOException. */
    public void failNthSync(int n) {
        syncs.set(0);
        failSyncAt = n;
    }

    /** The next fsync of a file or directory matching {@code target} fails with an IOException. */
    public void failSyncOf(Predicate<Path> target) {
        failSyncOf = target;
    }

    private volatile Predicate<Path> holdSyncOf;
    private volatile java.util.concurrent.CountDownLatch syncHeld;
    private volatile java.util.concurrent.CountDownLatch releaseSync;

    /**
     * The next fsync of a file matching {@code target} waits until {@code release} is counted down (a slow disk);
     * the returned latch is counted down once that fsync has started waiting.
     */
    public java.util.concurrent.CountDownLatch holdSyncOf(Predicate<Path> target,
                                                         java.util.concurrent.CountDownLatch release) {
        syncHeld = new java.util.concurrent.CountDownLatch(1);
        releaseSync = release;
        holdSyncOf = target;
        return syncHeld;
    }

    private void maybeHoldSync(Path what) throws IOException {
        Predicate<Path> target = holdSyncOf;
        if (target == null || !target.test(what)) {
            return;
        }
        synchronized (this) {
            if (holdSyncOf != target) {
                return;
            }
            holdSyncOf = null;
        }
        syncHeld.countDown();
        try {
            releaseSync.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while held [target=" + what + "]");
        }
    }

    /** While on, every fsync of a file or directory fails with an IOException (a disk that stopped syncing). */
    public void failEverySync(boolean on) {
        failEverySync = on;
    }

    /** "write &lt;path&gt;", "sync &lt;path&gt;" and "dirsync &lt;path&gt;" entries so far, in the order the calls began. */
    public List<String> log() {
        synchronized (log) {
            return new ArrayList<>(log);
        }
    }

    /** The {@code n}th write from now writes half of its bytes and then fails. */
    public void failNthWrite(int n) {
        writes.set(0);
        diskFull = false;
        failWriteAt = n;
    }

    /** The {@code n}th write from now fails with "No space left on device" after writing half of its bytes. */
    public void diskFullOnNthWrite(int n) {
        writes.set(0);
        diskFull = true;
        failWriteAt = n;
    }

    public void failNthRename(int n) {
        renames.set(0);
        failRenameAt = n;
    }

    /** The next {@code n} deletes fail. */
    public void failNextDeletes(int n) {
        failDeletes = n;
    }

    public void disarm() {
        failSyncAt = 0;
        failWriteAt = 0;
        failRenameAt = 0;
        failSyncOf = null;
        failEverySync = false;
    }

    /** fsyncs of files so far (fdatasync of column files and _txn). */
    public int fileSyncCount() {
        return totalSyncs.get();
    }

    public int directorySyncCount() {
        return totalDirSyncs.get();
    }

    public int writeCount() {
        return totalWrites.get();
    }

    private void maybeFailSync(Path what) throws IOException {
        if (failEverySync) {
            throw new IOException("injected fsync failure [target=" + what + "]");
        }
        Predicate<Path> target = failSyncOf;
        if (target != null && target.test(what)) {
            synchronized (this) {
                if (failSyncOf == target) {
                    failSyncOf = null;
                    throw new IOException("injected fsync failure [target=" + what + "]");
                }
            }
        }
        if (failSyncAt > 0 && syncs.incrementAndGet() == failSyncAt) {
            failSyncAt = 0;
            throw new IOException("injected fsync failure [target=" + what + "]");
        }
    }

    private volatile Long usableSpace;

    /** From now on {@link #usableSpace} reports {@code bytes} (a filling disk); null goes back to the delegate's. */
    public void setUsableSpace(Long bytes) {
        usableSpace = bytes;
    }

    @Override
    public long usableSpace(Path path) throws IOException {
        Long fixed = usableSpace;
        return fixed != null ? fixed : delegate.usableSpace(path);
    }

    @Override
    public WritableFile openWritable(Path file) throws IOException {
        return new FaultyFile(delegate.openWritable(file), file);
    }

    @Override
    public ReadableFile openReadable(Path file) throws IOException {
        return delegate.openReadable(file);
    }

    @Override
    public boolean exists(Path path) {
        return delegate.exists(path);
    }

    @Override
    public long size(Path file) throws IOException {
        return delegate.size(file);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        delegate.createDirectories(dir);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        if (failRenameAt > 0 && renames.incrementAndGet() == failRenameAt) {
            failRenameAt = 0;
            throw new IOException("injected rename failure [from=" + from + "]");
        }
        delegate.rename(from, to);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        totalDirSyncs.incrementAndGet();
        log.add("dirsync " + dir);
        maybeFailSync(dir);
        delegate.syncDirectory(dir);
    }

    @Override
    public void delete(Path path) throws IOException {
        if (failDeletes > 0) {
            failDeletes--;
            throw new IOException("injected delete failure [path=" + path + "]");
        }
        delegate.delete(path);
    }

    @Override
    public FileLockHandle tryLock(Path file) throws IOException {
        return delegate.tryLock(file);
    }

    private final class FaultyFile implements WritableFile {
        private final WritableFile file;
        private final Path path;

        FaultyFile(WritableFile file, Path path) {
            this.file = file;
            this.path = path;
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            totalWrites.incrementAndGet();
            log.add("write " + path);
            if (failWriteAt > 0 && writes.incrementAndGet() == failWriteAt) {
                failWriteAt = 0;
                ByteBuffer half = src.duplicate();
                half.limit(src.position() + src.remaining() / 2);
                file.write(half, position);
                throw new IOException(diskFull ? "No space left on device" : "injected write failure [file=" + path + "]");
            }
            file.write(src, position);
        }

        @Override
        public void sync() throws IOException {
            totalSyncs.incrementAndGet();
            log.add("sync " + path);
            maybeFailSync(path);
            maybeHoldSync(path);
            file.sync();
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
