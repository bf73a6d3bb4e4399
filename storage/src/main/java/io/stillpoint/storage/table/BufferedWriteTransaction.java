package io.stillpoint.storage.table;

import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.WriteTransaction;

/**
 * A {@link WriteTransaction}: rows buffered column-wise in memory for one table until {@link #commit()}.
 * After commit or rollback it is empty and may be used again for a next transaction.
 */
final class BufferedWriteTransaction implements WriteTransaction {

    private final TableEngine engine;
    private Table table;
    private RowBuffer rows;

    BufferedWriteTransaction(TableEngine engine) {
        this.engine = engine;
    }

    @Override
    public void insert(String tableName, Object[] values) {
        if (table == null) {
            Table t = engine.liveTable(tableName);
            if (rows == null || rows.schema != t.schema) {
                rows = new RowBuffer(t.schema);
            }
            table = t;
        } else if (!table.schema.name().equals(tableName)) {
            throw new StorageException(StorageException.Kind.UNSUPPORTED,
                    "a transaction may write to one table only [tables=" + table.schema.name() + "," + tableName + "]");
        }
        rows.add(values);
    }

    @Override
    public long rewrite(String tableName, io.stillpoint.storage.PartitionRewriter rewriter) {
        if (pendingRows() > 0) {
            throw new StorageException(StorageException.Kind.UNSUPPORTED, "a rewrite cannot follow buffered inserts "
                    + "in the same transaction [table=" + tableName + ", pendingRows=" + pendingRows() + "]");
        }
        Table t = engine.liveTable(tableName);
        return t.rewrite(rewriter, engine.housekeeping());
    }

    @Override
    public long pendingRows() {
        return rows == null || table == null ? 0 : rows.size();
    }

    @Override
    public long commit() {
        if (table == null || rows.size() == 0) {
            table = null;
            return -1;
        }
        try {
            return table.commit(rows, engine.housekeeping());
        } finally {
            rows.clear();
            table = null;
        }
    }

    @Override
    public void rollback() {
        if (rows != null) {
            rows.clear();
        }
        table = null;
    }

    @Override
    public void close() {
        rollback();
    }
}
