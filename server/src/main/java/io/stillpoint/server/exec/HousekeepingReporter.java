package io.stillpoint.server.exec;

import io.stillpoint.storage.Engine;
import io.stillpoint.storage.housekeeping.Housekeeping;
import io.stillpoint.storage.table.TableEngine;

import java.util.List;

/**
 * Where {@code housekeeping_status()} finds the engine's housekeeping jobs. The storage {@link Engine} interface
 * does not expose housekeeping ({@link TableEngine#housekeeping()} does), so an engine wrapper the server puts in
 * front of it (the commit-metering one) implements this to hand the inner engine's jobs through.
 */
public interface HousekeepingReporter {

    /** One entry per housekeeping job, as {@link Housekeeping#status()} reports them. */
    List<Housekeeping.JobStatus> housekeepingStatus();

    /**
     * The jobs of {@code engine}: its own report if it is a reporter, a {@link TableEngine}'s housekeeping
     * otherwise; null if the engine has neither.
     */
    static List<Housekeeping.JobStatus> statusOf(Engine engine) {
        if (engine instanceof HousekeepingReporter r) {
            return r.housekeepingStatus();
        }
        if (engine instanceof TableEngine t) {
            return t.housekeeping().status();
        }
        return null;
    }
}
