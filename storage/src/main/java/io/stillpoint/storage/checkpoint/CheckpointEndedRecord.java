package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.fs.FileSystemFacade;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Owner of {@code <root>/.checkpoint-ended} (format version {@value #FORMAT_VERSION}): the durable record that the
 * last checkpoint ended on its own (lease expired, disk guard) and no RELEASE has been called since, so that the
 * first RELEASE after it, even after a restart, tells the backup script that its copy is not valid. Written
 * before the checkpoint directory is removed; deleted by that RELEASE or by the next CREATE. Little-endian:
 * <pre>
 *   0  int    magic 0x53504345 "SPCE"
 *   4  int    format version (1)
 *   8  int    file length in bytes
 *   12 long   ended at, microseconds since the epoch (UTC)
 *   20 long   started at (the ended checkpoint's creation), microseconds since the epoch (UTC)
 *   28 string reason ({@code lease expired} or {@code disk guard}): int byte length + UTF-8 bytes
 *   .. int    CRC32C of every byte before it; the file ends here
 * </pre>
 * Replaced atomically: written to {@code .checkpoint-ended.tmp}, fsynced, renamed, root fsynced.
 *
 * @param reason          why the checkpoint ended
 * @param endedAtMicros   when it ended
 * @param startedAtMicros when it had been created
 */
public record CheckpointEndedRecord(String reason, long endedAtMicros, long startedAtMicros) {

    public static final String NAME = ".checkpoint-ended";
    static final String TEMP_NAME = ".checkpoint-ended.tmp";
    public static final int FORMAT_VERSION = 1;
    static final int MAGIC = 0x53504345;

    /** Writes the record durably. @throws StorageException IO or DISK_FULL */
    public void write(FileSystemFacade fs, Path root) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        int length = 28 + 4 + r.length + 4;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(FORMAT_VERSION).putInt(length).putLong(endedAtMicros).putLong(startedAtMicros)
                .putInt(r.length).put(r);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        Path temp = root.resolve(TEMP_NAME);
        try {
            if (fs.exists(temp)) {
                fs.delete(temp); // a leftover of a crash; never reuse its tail
            }
            try (FileSystemFacade.WritableFile out = fs.openWritable(temp)) {
                out.write(b, 0);
                out.sync();
            }
            fs.rename(temp, root.resolve(NAME));
            fs.syncDirectory(root);
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot write checkpoint ended record", root.resolve(NAME), e);
        }
    }

    /** Deletes the record (and a leftover temp file) if present, durably. @throws StorageException IO */
    public static void clear(FileSystemFacade fs, Path root) {
        try {
            boolean any = false;
            for (String name : new String[]{NAME, TEMP_NAME}) {
                if (fs.exists(root.resolve(name))) {
                    fs.delete(root.resolve(name));
                    any = true;
                }
            }
            if (any) {
                fs.syncDirectory(root);
            }
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot delete checkpoint ended record", root.resolve(NAME), e);
        }
    }

    /**
     * Reads the record, or null if there is none.
     *
     * @throws StorageException CORRUPT naming file, offset, expected and found
     */
    public static CheckpointEndedRecord read(FileSystemFacade fs, Path root) {
        Path path = root.resolve(NAME);
        if (!fs.exists(path)) {
            return null;
        }
        ByteBuffer b;
        try (FileSystemFacade.ReadableFile in = fs.openReadable(path)) {
            long size = in.size();
            if (size > 1 << 20) {
                throw CheckpointErrors.corrupt("checkpoint ended record too large", path, 0, "< 1 MiB",
                        size + " bytes");
            }
            b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
            long at = 0;
            while (b.hasRemaining()) {
                int n = in.read(b, at);
                if (n < 0) {
                    break;
                }
                at += n;
            }
            b.flip();
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot read checkpoint ended record", path, e);
        }
        int length = b.limit();
        if (length >= 4 && b.getInt(0) != MAGIC) {
            throw CheckpointErrors.corrupt("not a stillpoint checkpoint ended record, bad magic", path, 0,
                    CheckpointErrors.hex(MAGIC), CheckpointErrors.hex(b.getInt(0)));
        }
        if (length >= 8 && b.getInt(4) != FORMAT_VERSION) {
            throw CheckpointErrors.corrupt("unsupported checkpoint ended record format version", path, 4,
                    FORMAT_VERSION, b.getInt(4));
        }
        if (length < 12 || b.getInt(8) != length) {
            throw CheckpointErrors.corrupt("checkpoint ended record length differs from its header", path, 8,
                    length < 12 ? ">= 12 bytes" : b.getInt(8) + " bytes", length + " bytes");
        }
        if (length < 36) {
            throw CheckpointErrors.corrupt("checkpoint ended record truncated", path, length, ">= 36 bytes",
                    length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, length - 4);
        if (b.getInt(length - 4) != (int) crc.getValue()) {
            throw CheckpointErrors.corrupt("checkpoint ended record checksum mismatch", path, length - 4,
                    CheckpointErrors.hex((int) crc.getValue()), CheckpointErrors.hex(b.getInt(length - 4)));
        }
        try {
            b.position(12).limit(length - 4);
            long ended = b.getLong();
            long started = b.getLong();
            int n = b.getInt();
            if (n < 0 || n != b.remaining()) {
                throw CheckpointErrors.corrupt("checkpoint ended record reason length out of range", path, 28,
                        b.remaining(), n);
            }
            String reason = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
            return new CheckpointEndedRecord(reason, ended, started);
        } catch (BufferUnderflowException e) {
            throw CheckpointErrors.corrupt("checkpoint ended record truncated", path, b.position(), "more bytes",
                    "the checksum");
        }
    }
}
