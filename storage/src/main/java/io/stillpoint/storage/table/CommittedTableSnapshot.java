package io.stillpoint.storage.table;

import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TableSnapshot} on one committed {@link TxnState}; pins its table incarnation and, by its txn, the
 * partition versions that state references, until closed (see {@link Table#openSnapshot}).
 */
final class CommittedTableSnapshot implements TableSnapshot {

    private final Table table;
    private final TxnState state;
    private final List<PartitionSnapshot> partitions;
    private boolean closed;

    CommittedTableSnapshot(Table table, TxnState state) {
        this.table = table;
        this.state = state;
        List<PartitionSnapshot> list = new ArrayList<>(state.partitions.size());
        for (PartitionState p : state.partitions) {
            list.add(new CommittedPartitionSnapshot(table, p, this));
        }
        this.partitions = List.copyOf(list);
    }

    @Override
    public TableSchema schema() {
        return table.schema;
    }

    @Override
    public long txn() {
        return state.txn;
    }

    @Override
    public long rowCount() {
        return state.rowCount;
    }

    @Override
    public List<PartitionSnapshot> partitions() {
        return partitions;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            table.unpin(state.txn);
        }
    }
}
