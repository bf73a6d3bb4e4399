package io.stillpoint.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Simulates a power loss. Every mutating call (write, fsync, directory fsync, rename, directory or file
 * creation) is counted; the {@code crashAt}-th one fails (a write first writes half its bytes) and so do all
 * later ones. {@link #loseUnsyncedState()} then undoes what a real crash may lose: file writes not followed by
 * an fsync of that file, files and directories whose creation was not followed by an fsync of their parent,
 * renames not followed by an fsync of the parent. Without that call the test sees the other legal outcome
 * (everything reached the disk). {@link #loseUnsyncedStateExceptWritesTo} sees a third one: the unsynced writes
 * of some files reached the disk and those of the others did not (e.g. a commit record but not its data). Single-threaded use only is assumed for the bookkeeping order, but calls from
 * the engine's fsync threads are safe (methods are synchronized). It never calls a real fsync.
 */
public final class CrashSimulatingFileSystem implements FileSystemFacade {

    private final FileSystemFacade real = FileSystemFacade.real();
    private final long crashAt;
    private long operations;
    private boolean crashed;

    private record WriteUndo(Path file, long position, byte[] oldBytes, long oldLength) {}

    private record RenameUndo(Path from, Path to, Path backupOfOldTarget) {}

    private final Map<Path, List<WriteUndo>> unsyncedWrites = new HashMap<>();
    private final List<Path> unsyncedCreations = new ArrayList<>();
    private final List<RenameUndo> unsyncedRenames = new ArrayList<>();
    private final Path backups;
    private int backupCounter;

    /** @param crashAt 1-based index of the mutating call that crashes; Long.MAX_VALUE never crashes */
    public CrashSimulatingFileSystem(long crashAt, Path backups) {
        this.crashAt = crashAt;
        this.backups = backups;
    }

    public synchronized long operations() {
        return operations;
    }

    public synchronized boolean crashed() {
        return crashed;
    }

    private void step(String what) throws IOException {
        if (crashed) {
            throw new IOException("simulated crash happened before [op=" + what + "]");
        }
        if (++operations == crashAt) {
            crashed = true;
            throw new IOException("simulated crash [op=" + what + "]");
        }
    }

    @Override
    public synchronized WritableFile openWritable(Path file) throws IOException {
        if (!Files.exists(file)) {
            step("create " + file);
            unsyncedCreations.add(file);
        }
        return new File(real.openWritable(file), file);
    }

    @Override
    public ReadableFile openReadable(Path file) throws IOException {
        return real.openReadable(file);
    }

    @Override
    public boolean exists(Path path) {
        return real.exists(path);
    }

    @Override
    public long size(Path file) throws IOException {
        return real.size(file);
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            step("mkdir " + p);
            real.createDirectories(p);
            unsyncedCreations.add(p);
        }
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        return real.list(dir);
    }

    @Override
    public synchronized void rename(Path from, Path to) throws IOException {
        step("rename " + from);
        Path backup = null;
        if (Files.exists(to)) {
            backup = backups.resolve("backup-" + backupCounter++);
            Files.copy(to, backup, StandardCopyOption.REPLACE_EXISTING);
        }
        real.rename(from, to);
        unsyncedRenames.add(new RenameUndo(from, to, backup));
        // The writes of the renamed file travel with it.
        List<WriteUndo> writes = unsyncedWrites.remove(from);
        if (writes != null) {
            List<WriteUndo> moved = new ArrayList<>();
            for (WriteUndo w : writes) {
                moved.add(new WriteUndo(to, w.position(), w.oldBytes(), w.oldLength()));
            }
            unsyncedWrites.put(to, moved);
        }
    }

    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        step("dirsync " + dir);
        // No real fsync: durability is what this class simulates, and real fsyncs would make tests slow.
        unsyncedCreations.removeIf(p -> dir.equals(p.getParent()));
        unsyncedRenames.removeIf(r -> dir.equals(r.to().getParent()));
    }

    @Override
    public synchronized void delete(Path path) throws IOException {
        step("delete " + path);
        real.delete(path);
    }

    /** A truncate fsyncs the file (see the facade), so it is durable at once, earlier unsynced writes with it. */
    @Override
    public synchronized void truncate(Path file, long size) throws IOException {
        step("truncate " + file);
        real.truncate(file, size);
        unsyncedWrites.remove(file);
    }

    @Override
    public FileLockHandle tryLock(Path file) throws IOException {
        return real.tryLock(file);
    }

    /** Undoes everything not made durable, newest first. Call after the crash, before reopening. */
    public synchronized void loseUnsyncedState() throws IOException {
        loseUnsyncedStateExceptWritesTo(p -> false);
    }

    /**
     * Like {@link #loseUnsyncedState()}, but the unsynced writes to files matching {@code survives} are kept (they
     * happened to reach the disk before the power went), as a disk that writes back in its own order may do.
     */
    public synchronized void loseUnsyncedStateExceptWritesTo(java.util.function.Predicate<Path> survives)
            throws IOException {
        for (int i = unsyncedRenames.size() - 1; i >= 0; i--) {
            RenameUndo r = unsyncedRenames.get(i);
            if (Files.exists(r.to())) {
                Files.move(r.to(), r.from(), StandardCopyOption.REPLACE_EXISTING);
            }
            if (r.backupOfOldTarget() != null) {
                Files.copy(r.backupOfOldTarget(), r.to(), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (List<WriteUndo> writes : unsyncedWrites.values()) {
            if (!writes.isEmpty() && survives.test(writes.get(0).file())) {
                continue;
            }
            for (int i = writes.size() - 1; i >= 0; i--) {
                WriteUndo w = writes.get(i);
                if (!Files.exists(w.file())) {
                    continue;
                }
                try (FileChannel ch = FileChannel.open(w.file(), StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(w.oldBytes()), w.position());
                    ch.truncate(w.oldLength());
                }
            }
        }
        for (int i = unsyncedCreations.size() - 1; i >= 0; i--) {
            Path p = unsyncedCreations.get(i);
            if (Files.exists(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(q);
                    }
                }
            }
        }
    }

    private final class File implements WritableFile {
        private final WritableFile file;
        private final Path path;

        File(WritableFile file, Path path) {
            this.file = file;
            this.path = path;
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            synchronized (CrashSimulatingFileSystem.this) {
                long oldLength = file.size();
                int length = src.remaining();
                byte[] old = new byte[(int) Math.max(0, Math.min(length, oldLength - position))];
                file.read(ByteBuffer.wrap(old), position);
                WriteUndo undo = new WriteUndo(path, position, old, oldLength);
                boolean crashedBefore = crashed;
                try {
                    step("write " + path);
                } catch (IOException e) {
                    if (!crashedBefore) {
                        // The crashing write tears: half of it happened. Writes refused after the crash did not.
                        unsyncedWrites.computeIfAbsent(path, k -> new ArrayList<>()).add(undo);
                        ByteBuffer half = src.duplicate();
                        half.limit(src.position() + length / 2);
                        file.write(half, position);
                    }
                    throw e;
                }
                unsyncedWrites.computeIfAbsent(path, k -> new ArrayList<>()).add(undo);
                file.write(src, position);
            }
        }

        @Override
        public void sync() throws IOException {
            synchronized (CrashSimulatingFileSystem.this) {
                step("sync " + path);
                unsyncedWrites.remove(path);
            }
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
