/**
 * The table storage engine behind {@link io.stillpoint.storage.Engine}: {@link io.stillpoint.storage.table.TableEngine}
 * (entry point, registry, layout), the table registry file, per-table {@code _txn} commit records, append-only
 * column files, committed snapshots and the write path.
 *
 * <p>Commit protocol, per commit of one table (commits of a table serialize on its commit lock): encode the
 * buffered rows column-wise into reusable buffers, with the CRC32C of what each touched file gets appended; one
 * positional write per touched file at its committed size (bytes past it, left by a failed or crashed commit, are
 * simply overwritten); one in-place write of the new state, with those appended ranges and CRCs, into the
 * {@code _txn} slot of the state before last; then one phase of concurrent fsyncs of all touched files, the
 * {@code _txn} file and any directory in which a file or directory was created; then publish the state to readers.
 * At open, the newest {@code _txn} record is accepted only if its appended ranges read back with matching CRCs;
 * otherwise it was never acknowledged and the previous commit is the committed state. A reader pins one published
 * state and never reads past its sizes.
 */
package io.stillpoint.storage.table;
