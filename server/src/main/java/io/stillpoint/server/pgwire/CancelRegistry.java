package io.stillpoint.server.pgwire;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps the process id a connection announced in BackendKeyData to that connection, so a CancelRequest arriving on
 * another socket can find it. A request is honoured only when the secret key matches too.
 */
final class CancelRegistry {
    /** What a cancel request acts on. */
    interface Cancellable {
        int secretKey();

        void cancel();
    }

    private final ConcurrentHashMap<Integer, Cancellable> byProcessId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /** Registers the connection under a fresh random positive process id and returns that id. */
    int register(Cancellable target) {
        while (true) {
            int pid = 1 + random.nextInt(Integer.MAX_VALUE - 1);
            if (byProcessId.putIfAbsent(pid, target) == null) {
                return pid;
            }
        }
    }

    int newSecretKey() {
        return random.nextInt();
    }

    void unregister(int processId) {
        byProcessId.remove(processId);
    }

    /** Cancels the connection's running statement; returns false if pid or secret do not match. */
    boolean cancel(int processId, int secretKey) {
        Cancellable target = byProcessId.get(processId);
        if (target == null || target.secretKey() != secretKey) {
            return false;
        }
        target.cancel();
        return true;
    }
}
