package net.natgw.testbeds.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.natgw.testbeds.lab.Command;
import net.natgw.testbeds.lab.LabException;
import net.natgw.testbeds.natgw.NatgwProcess;

/** What the benchmarks read of a responder process: CPU time, /proc status lines, a JVM's live heap. */
public final class ProcessStats {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private ProcessStats() {}

    /** utime + stime, fields 14 and 15 of /proc/PID/stat (after the command's parentheses), in ticks of 10 ms. */
    public static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new LabException("cannot read the CPU time of " + pid, e);
        }
    }

    /**
     * Each thread's utime + stime in ticks, summed by what the thread is for: a JVM's event loop,
     * GC, JIT, or its name (the kernel's 15 characters) for anything else.
     */
    public static java.util.Map<String, Long> threadTicks(long pid) {
        var ticks = new java.util.TreeMap<String, Long>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended between the listing and the read
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.merge(role(name), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
            }
        } catch (IOException e) {
            throw new LabException("cannot read the threads of " + pid, e);
        }
        return ticks;
    }

    private static String role(String thread) {
        if (thread.startsWith("multiThreadIo")) {
            return "event loop";
        }
        if (thread.startsWith("GC Thread") || thread.startsWith("G1 ")) {
            return "GC";
        }
        if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) {
            return "JIT";
        }
        return thread.replaceAll("[0-9#]+$", "");
    }

    /** The ticks each role spent between two {@link #threadTicks} readings, largest first, as "role 80%, ...". */
    public static String threadShares(java.util.Map<String, Long> before, java.util.Map<String, Long> after) {
        var spent = new java.util.HashMap<String, Long>();
        after.forEach((role, t) -> spent.put(role, t - before.getOrDefault(role, 0L)));
        long total = spent.values().stream().mapToLong(Long::longValue).sum();
        if (total <= 0) {
            return "no CPU";
        }
        return spent.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(5)
                .map(e -> String.format(java.util.Locale.ROOT, "%s %.0f%%", e.getKey(), 100.0 * e.getValue() / total))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    public static long rssKb(long pid) {
        return status(pid, "VmRSS:");
    }

    public static long threads(long pid) {
        return status(pid, "Threads:");
    }

    /** A number of /proc/PID/status: the line starting with {@code key}. */
    public static long status(long pid, String key) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith(key))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst()
                    .orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new LabException("cannot read " + key + " of " + pid, e);
        }
    }

    /** A natgw process's live heap after a full collection, as jcmd reports it. */
    public static long heapKb(long pid) {
        String jcmd = Path.of(NatgwProcess.java()).resolveSibling("jcmd").toString();
        Command.run(List.of(jcmd, Long.toString(pid), "GC.run"));
        Matcher m = HEAP_USED.matcher(Command.run(List.of(jcmd, Long.toString(pid), "GC.heap_info")));
        if (!m.find()) {
            throw new LabException("jcmd printed no heap figure for " + pid);
        }
        return Long.parseLong(m.group(1));
    }
}
