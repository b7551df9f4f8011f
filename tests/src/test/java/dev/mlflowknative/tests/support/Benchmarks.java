package dev.mlflowknative.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;

/**
 * Helpers for the on-demand benchmarks (JUnit tag "benchmark", run by tests/bin/benchmark): heap peaks and the
 * results file tests/BENCHMARKS.md.
 */
public final class Benchmarks {

    public static final Path RESULTS = Path.of("BENCHMARKS.md").toAbsolutePath();

    private Benchmarks() {
    }

    public static void resetHeapPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The sum of the heap pools' peaks since the last reset, in MiB. */
    public static long heapPeakMiB() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed())
                .sum() / (1024 * 1024);
    }

    public static long maxHeapMiB() {
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    /** Appends a section: title, date, machine, command, then the given markdown body. */
    public static void record(String title, String command, String body) {
        String section = "\n## " + title + "\n\n"
                         + "- date: " + LocalDate.now() + "\n"
                         + "- machine: " + machine() + "\n"
                         + "- load: " + loadAverage() + "\n"
                         + "- command: `" + command + "`\n\n"
                         + body.strip() + "\n";
        try {
            if (!Files.exists(RESULTS)) {
                Files.writeString(RESULTS, "# Benchmarks\n\nEach section was appended by the benchmark that measured"
                                           + " it (tests/bin/benchmark). Absolute times vary across these shared"
                                           + " machines; compare the ratios measured within one run.\n");
            }
            Files.writeString(RESULTS, section, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println(section);
    }

    /**
     * The load averages (1, 5, 15 min) when the figures were recorded: on a shared machine they say how far the
     * absolute times are from a quiet run; ratios measured in one run are what compares.
     */
    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + ", " + fields[1] + ", " + fields[2] + " (1, 5, 15 min) on "
                   + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String machine() {
        String cpu = "unknown cpu";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException ignored) {
            // not Linux: keep the placeholder
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), Java "
               + System.getProperty("java.version") + ", max heap " + maxHeapMiB() + " MiB";
    }
}
