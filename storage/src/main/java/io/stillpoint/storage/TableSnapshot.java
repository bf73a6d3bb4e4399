package io.stillpoint.storage;

import java.util.List;

/**
 * A reader's view of one committed {@code _txn} state of one table. It pins the partition versions it
 * references until {@link #close()}; it never sees rows committed after it was opened, nor any byte past the
 * committed sizes. Close it on every path (normal end, error, client gone). Thread-confined.
 */
public interface TableSnapshot extends AutoCloseable {

    TableSchema schema();

    /** The commit number of the state this snapshot shows. */
    long txn();

    long rowCount();

    /** Partitions in ascending time order (one partition, named "default", for PARTITION BY NONE). */
    List<PartitionSnapshot> partitions();

    /** Releases the pin. Idempotent. */
    @Override
    void close();
}
