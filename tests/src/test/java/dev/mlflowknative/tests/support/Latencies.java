package dev.mlflowknative.tests.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Latency samples of a benchmark, in milliseconds, and their percentiles (nearest rank). Thread-safe to add to. */
public final class Latencies {

    private final List<Double> millis = Collections.synchronizedList(new ArrayList<>());

    public void add(double value) {
        millis.add(value);
    }

    /** Adds the time since {@code startedNanos} (from {@link System#nanoTime()}). */
    public void since(long startedNanos) {
        add((System.nanoTime() - startedNanos) / 1e6);
    }

    public int count() {
        return millis.size();
    }

    /** The p-th percentile (0 < p ≤ 100), NaN without samples. */
    public double percentile(double p) {
        List<Double> sorted;
        synchronized (millis) {
            sorted = new ArrayList<>(millis);
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }

    /** "p50 x ms, p99 y ms, max z ms (n samples)". */
    public String summary() {
        return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)", percentile(50),
                percentile(99), percentile(100), count());
    }
}
