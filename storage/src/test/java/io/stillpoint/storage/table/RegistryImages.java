package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.TableSchema;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/** Registry images as earlier engines wrote them, for the tests that read or restore them. */
public final class RegistryImages {

    private RegistryImages() {
    }

    /**
     * A registry image of format version 1 (no TTL fields, schema format 1), as the engine wrote it before TTLs;
     * any TTL in the entries' schemas is left out.
     */
    public static byte[] versionOne(long nextId, List<TableEngine.MetadataFormats.RegistryEntry> entries) {
        ByteBuffer body = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        body.putLong(nextId).putInt(entries.size());
        for (TableEngine.MetadataFormats.RegistryEntry e : entries) {
            TableSchema s = e.schema();
            body.putLong(e.id()).putInt(TableRegistry.SCHEMA_FORMAT_VERSION_1);
            putString(body, s.name());
            putString(body, e.directory());
            body.putInt(s.partitionBy().ordinal()).putInt(s.timestampIndex()).putInt(s.columnCount());
            for (ColumnSpec c : s.columns()) {
                putString(body, c.name());
                body.putInt(c.type().ordinal());
            }
        }
        body.flip();
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        ByteBuffer image = ByteBuffer.allocate(16 + body.limit()).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(TableRegistry.MAGIC).putInt(TableRegistry.IMAGE_FORMAT_VERSION_1).putInt(body.limit())
                .putInt((int) crc.getValue()).put(body);
        return image.array();
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(bytes.length).put(bytes);
    }
}
