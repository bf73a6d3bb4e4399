package io.stillpoint.server.exec;

import io.stillpoint.storage.CheckpointFile;
import io.stillpoint.storage.CheckpointStatus;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.Engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table functions that show the engine's own state, next to {@code tables()}: {@code checkpoint_status()}
 * (one row, QuestDB's two columns first) and {@code checkpoint_files()} (one row per file the active checkpoint
 * depends on). {@link SelectPlan} reads them like any other source, so WHERE, column lists and ORDER BY work on
 * them; they are also found without parentheses ({@code SELECT * FROM checkpoint_status}), as in QuestDB, when no
 * table of that name exists.
 */
final class SystemFunctions {

    /** The columns of {@code checkpoint_status()}, in this order. */
    static final List<ColumnSpec> CHECKPOINT_STATUS_COLUMNS = List.of(
            new ColumnSpec("in_progress", ColumnType.BOOLEAN),
            new ColumnSpec("started_at", ColumnType.TIMESTAMP),
            new ColumnSpec("expires_at", ColumnType.TIMESTAMP),
            new ColumnSpec("tables", ColumnType.INT),
            new ColumnSpec("pinned_bytes", ColumnType.LONG),
            new ColumnSpec("last_release_reason", ColumnType.VARCHAR));

    /** The columns of {@code checkpoint_files()}. */
    static final List<ColumnSpec> CHECKPOINT_FILES_COLUMNS = List.of(
            new ColumnSpec("path", ColumnType.VARCHAR),
            new ColumnSpec("committed_length", ColumnType.LONG));

    private SystemFunctions() {
    }

    /** The columns of the function of that name (any case), or null if there is none. */
    static List<ColumnSpec> columns(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "checkpoint_status" -> CHECKPOINT_STATUS_COLUMNS;
            case "checkpoint_files" -> CHECKPOINT_FILES_COLUMNS;
            default -> null;
        };
    }

    /** The function's rows now, one Object[] per row in the order of {@link #columns}. */
    static List<Object[]> rows(String name, Engine engine) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "checkpoint_status": {
                CheckpointStatus s = engine.checkpoints().status();
                List<Object[]> rows = new ArrayList<>(1);
                rows.add(new Object[] {s.inProgress(), s.startedAt(), s.expiresAt(), s.tables(), s.pinnedBytes(),
                        s.lastReleaseReason()});
                return rows;
            }
            case "checkpoint_files": {
                List<CheckpointFile> files = engine.checkpoints().files();
                List<Object[]> rows = new ArrayList<>(files.size());
                for (CheckpointFile f : files) {
                    rows.add(new Object[] {f.path(), f.committedLength()});
                }
                return rows;
            }
            default:
                throw new IllegalArgumentException("not a system function [function=" + name + "]");
        }
    }
}
