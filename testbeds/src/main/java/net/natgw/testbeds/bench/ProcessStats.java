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

    private ProcessStats() {
    }

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
                    .filter(l -> l.startsWith(key)).map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst().orElseThrow();
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
