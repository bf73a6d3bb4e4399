package io.stillpoint.server.exec;

import io.stillpoint.storage.ColumnChunk;

/**
 * A run of result rows as whole column chunks, for consumers that format primitives straight from storage (COPY
 * TO) instead of boxed rows: the selected rows are {@code row(0)..row(size()-1)}, indexes into every column's
 * chunk, and result column {@code c}'s values are {@code column(c)} at those indexes, the same values (and NULLs)
 * {@link RowCursor#next} would return boxed. Valid until the cursor's next call.
 */
public interface RowBatch {

    /** How many rows of the chunks are in the result. */
    int size();

    /** The chunk index of the {@code k}-th result row of this batch. */
    int row(int k);

    /** The chunk of result column {@code c}. */
    ColumnChunk column(int c);
}
