package dev.mlflowknative.camel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;

/**
 * The admission policy of long operations, in one place: an endpoint's own threads run at most maxConcurrent of them,
 * at most maxQueued more wait, and any beyond is refused at once ({@link TooManyOperationsException}) instead of
 * holding its caller. The threads come from Camel's executor service manager (named, shut down with the context).
 */
final class OperationExecutor {

    private final CamelContext context;
    private final ExecutorService threads;
    // running + waiting: counted here, so that a refusal is exact (the pool's own queue never fills)
    private final Semaphore admitted;
    private final int maxConcurrent;
    private final int maxQueued;

    OperationExecutor(CamelContext context, Object owner, String name, int maxConcurrent, int maxQueued) {
        if (maxConcurrent < 1 || maxQueued < 0) {
            throw new IllegalArgumentException("maxConcurrentOperations must be at least 1 and maxQueuedOperations at"
                                               + " least 0 (they are " + maxConcurrent + " and " + maxQueued + ")");
        }
        this.context = context;
        this.maxConcurrent = maxConcurrent;
        this.maxQueued = maxQueued;
        this.admitted = new Semaphore(maxConcurrent + maxQueued);
        ThreadPoolProfile profile = new ThreadPoolProfile(name);
        profile.setPoolSize(maxConcurrent);
        profile.setMaxPoolSize(maxConcurrent);
        // unbounded here (0 would hand over only to an idle thread): the semaphore bounds what gets in
        profile.setMaxQueueSize(Integer.MAX_VALUE);
        profile.setAllowCoreThreadTimeOut(true);
        profile.setKeepAliveTime(60L);
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        this.threads = context.getExecutorServiceManager().newThreadPool(owner, name, profile);
    }

    /**
     * Runs the operation on one of the endpoint's threads, or refuses it at once.
     *
     * @param what what is refused, for the message (e.g. "deploy")
     */
    void submit(String what, Runnable operation) {
        if (!admitted.tryAcquire()) {
            throw refused(what);
        }
        try {
            threads.execute(() -> {
                try {
                    operation.run();
                } finally {
                    admitted.release();
                }
            });
        } catch (RejectedExecutionException stopping) {
            admitted.release();
            throw new TooManyOperationsException("Cannot start " + what + ": the mlflow-knative endpoint is stopping."
                                                 + " Nothing was done.");
        }
    }

    private TooManyOperationsException refused(String what) {
        return new TooManyOperationsException("Too many operations in flight: " + what + " was refused and nothing"
                                              + " was done (at most " + maxConcurrent + " run at once"
                                              + (maxQueued > 0 ? " and " + maxQueued + " wait" : "")
                                              + ": maxConcurrentOperations, maxQueuedOperations). Try again later.");
    }

    /** Lets the operations in flight finish (Camel's graceful shutdown has already waited for the routes' exchanges). */
    void shutdown() {
        context.getExecutorServiceManager().shutdownGraceful(threads);
    }
}
