package io.stillpoint.storage.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * What is on disk under a root, as the tests of versioned storage see it: every regular file with its size, a
 * CRC32C of a file's first bytes, and the total size. Walks the real file system, not the engine's facade, so the
 * engine cannot hide anything from these checks.
 */
final class DiskFiles {

    /** Metadata rewritten by design (not data): the double-buffered {@code _txn}, the registry, the lock file. */
    static boolean isMetadata(Path relative) {
        String name = relative.getFileName().toString();
        return name.equals(TxnFile.NAME) || name.equals(TxnFile.TEMP_NAME) || name.startsWith("_tables")
                || name.equals(TableEngine.LOCK_FILE);
    }

    private DiskFiles() {
    }

    /**
     * Every regular file under {@code root}, path relative to it (with '/'), to its size. A file or directory the
     * housekeeping thread deletes during the walk is simply not counted.
     */
    static Map<String, Long> sizes(Path root) {
        Map<String, Long> sizes = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        sizes.put(root.relativize(file).toString().replace('\\', '/'), attributes.size());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // deleted while walking
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sizes;
    }

    /** Sum of the sizes of every regular file under {@code root}. */
    static long totalBytes(Path root) {
        return sizes(root).values().stream().mapToLong(Long::longValue).sum();
    }

    /** CRC32C of the first {@code length} bytes of {@code file}; fails if the file is shorter. */
    static long crc32c(Path file, long length) {
        CRC32C crc = new CRC32C();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            long left = length;
            long position = 0;
            while (left > 0) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new IllegalStateException("file shorter than recorded [file=" + file + ", length="
                            + length + ", read=" + position + "]");
                }
                buffer.flip();
                crc.update(buffer);
                position += n;
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return crc.getValue();
    }
}
