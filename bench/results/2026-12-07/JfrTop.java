import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Summary of a JFR recording (settings=profile) for the restructure-2 comparison: CPU samples by thread group, top
 * self frames, top project frames (first dev.outpost frame on the stack, "inclusive-ish"), allocation (sampled
 * weight) by allocated class and by first project frame, GC pause total.
 * <p>
 * Usage: {@code java JfrTop.java FILE.jfr [TOP [FOCUS]]} or {@code java JfrTop.java FILE.jfr line} (one summary line)
 * (JDK 17 single-file source launch).
 */
public final class JfrTop
{
    public static void main(final String[] args) throws Exception
    {
        final boolean line = args.length > 1 && "line".equals(args[1]);
        final int top = args.length > 1 && !line ? Integer.parseInt(args[1]) : 25;
        final String focus = args.length > 2 ? args[2] : null;
        final Map<String, Long> focusLines = new HashMap<>();
        final Map<String, Long> byThread = new HashMap<>();
        final Map<String, Long> selfFrame = new HashMap<>();
        final Map<String, Long> projectFrame = new HashMap<>();
        final Map<String, Long> projectAny = new HashMap<>();
        final Map<String, Long> allocClass = new HashMap<>();
        final Map<String, Long> allocProject = new HashMap<>();
        final Map<String, Long> allocThread = new HashMap<>();
        final Map<Long, Long> threadAllocated = new HashMap<>(); // exact: last jdk.ThreadAllocationStatistics
        final Map<Long, String> threadGroup = new HashMap<>();
        long samples = 0;
        long allocTotal = 0;
        long gcPauseNs = 0;
        long gcCount = 0;
        for (final RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0])))
        {
            final String type = e.getEventType().getName();
            switch (type)
            {
                case "jdk.ExecutionSample" ->
                {
                    samples++;
                    final RecordedThread t = e.getThread("sampledThread");
                    byThread.merge(group(t), 1L, Long::sum);
                    final RecordedStackTrace st = e.getStackTrace();
                    if (st == null || st.getFrames().isEmpty())
                    {
                        continue;
                    }
                    final List<RecordedFrame> frames = st.getFrames();
                    selfFrame.merge(name(frames.get(0)), 1L, Long::sum);
                    if (focus != null)
                    {
                        // samples whose stack holds a method matching FOCUS: the top frames (with line numbers)
                        // down to the first matching one
                        for (int i = 0; i < frames.size(); i++)
                        {
                            if (name(frames.get(i)).contains(focus))
                            {
                                // the matching frame, then up to three frames nearest the top of the stack
                                final StringBuilder b = new StringBuilder();
                                b.append(shortName(frames.get(i))).append(':').append(frames.get(i).getLineNumber());
                                for (int k = Math.min(i - 1, 2); k >= 0; k--)
                                {
                                    b.append(" > ").append(shortName(frames.get(k))).append(':')
                                        .append(frames.get(k).getLineNumber());
                                }
                                focusLines.merge(b.toString(), 1L, Long::sum);
                                break;
                            }
                        }
                    }
                    projectFrame.merge(firstProject(frames), 1L, Long::sum);
                    final java.util.Set<String> seen = new java.util.HashSet<>();
                    for (final RecordedFrame f : frames)
                    {
                        final String n = name(f);
                        if (n.startsWith("dev.outpost") && seen.add(n))
                        {
                            projectAny.merge(n, 1L, Long::sum);
                        }
                    }
                }
                case "jdk.ObjectAllocationSample" ->
                {
                    final long w = e.getLong("weight");
                    allocTotal += w;
                    allocClass.merge(e.getClass("objectClass").getName(), w, Long::sum);
                    allocThread.merge(group(e.getThread("eventThread")), w, Long::sum);
                    final RecordedStackTrace st = e.getStackTrace();
                    if (st != null)
                    {
                        allocProject.merge(firstProject(st.getFrames()) + " <- " +
                            e.getClass("objectClass").getName(), w, Long::sum);
                    }
                }
                case "jdk.ThreadAllocationStatistics" ->
                {
                    final RecordedThread t = e.getThread("thread");
                    if (t != null)
                    {
                        threadAllocated.merge(t.getJavaThreadId(), e.getLong("allocated"), Math::max);
                        threadGroup.put(t.getJavaThreadId(), group(t));
                    }
                }
                case "jdk.GarbageCollection" ->
                {
                    gcCount++;
                    gcPauseNs += e.getLong("sumOfPauses");
                }
                default ->
                {
                }
            }
        }
        final Map<String, Long> exact = new HashMap<>();
        threadAllocated.forEach((id, bytes) -> exact.merge(threadGroup.get(id), bytes, Long::sum));
        final long exactAll = exact.values().stream().mapToLong(Long::longValue).sum();
        if (line)
        {
            System.out.printf("%s exact_alloc_MB %.1f loop %.1f writer %.1f pool %.1f%n", args[0], exactAll / 1e6,
                exact.getOrDefault("vert.x-eventloop-thread", 0L) / 1e6, exact.getOrDefault("outpost-writer", 0L) / 1e6,
                exact.getOrDefault("outpost-download", 0L) / 1e6);
            // one line: FILE samples(all, event loops, writers, download pool, main) allocation MB(all, event loops,
            // writers) GC pauses ms
            System.out.printf("%s samples %d loop %d writer %d pool %d main %d alloc_MB %.1f loop %.1f writer %.1f " +
                "gc_pause_ms %.0f%n", args[0], samples, byThread.getOrDefault("vert.x-eventloop-thread", 0L),
                byThread.getOrDefault("outpost-writer", 0L), byThread.getOrDefault("outpost-download", 0L),
                byThread.getOrDefault("main", 0L), allocTotal / 1e6,
                allocThread.getOrDefault("vert.x-eventloop-thread", 0L) / 1e6,
                allocThread.getOrDefault("outpost-writer", 0L) / 1e6, gcPauseNs / 1e6);
            return;
        }
        System.out.printf("execution samples %d; allocation sampled %.1f MB; GCs %d, pauses %.1f ms%n", samples,
            allocTotal / 1e6, gcCount, gcPauseNs / 1e6);
        printBytes("allocated bytes by thread group (exact, jdk.ThreadAllocationStatistics)", exact, top, exactAll);
        print("samples by thread group", byThread, top, samples);
        print("top self frames", selfFrame, top, samples);
        print("first project frame on the stack", projectFrame, top, samples);
        print("project method anywhere on the stack (inclusive)", projectAny, top, samples);
        if (focus != null)
        {
            print("samples under " + focus + " (its line > ... > top frame:line)", focusLines, top, samples);
        }
        printBytes("allocation by thread group", allocThread, top, allocTotal);
        printBytes("allocation by class", allocClass, top, allocTotal);
        printBytes("allocation by first project frame <- class", allocProject, top, allocTotal);
    }

    private static String group(final RecordedThread t)
    {
        if (t == null)
        {
            return "?";
        }
        final String n = t.getJavaName() != null ? t.getJavaName() : t.getOSName();
        return n == null ? "?" : n.replaceAll("[-#]?\\d+$", "").replaceAll("-\\d+-", "-N-");
    }

    private static String name(final RecordedFrame f)
    {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static String shortName(final RecordedFrame f)
    {
        final String t = f.getMethod().getType().getName();
        return t.substring(t.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    private static String firstProject(final List<RecordedFrame> frames)
    {
        for (final RecordedFrame f : frames)
        {
            final String n = name(f);
            if (n.startsWith("dev.outpost"))
            {
                return n;
            }
        }
        return "(no project frame) " + (frames.isEmpty() ? "" : name(frames.get(frames.size() - 1)));
    }

    private static void print(final String title, final Map<String, Long> m, final int top, final long total)
    {
        System.out.println("== " + title);
        m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
            .forEach(e -> System.out.printf("%7d %5.1f%%  %s%n", e.getValue(), 100.0 * e.getValue() / total,
                e.getKey()));
    }

    private static void printBytes(final String title, final Map<String, Long> m, final int top, final long total)
    {
        System.out.println("== " + title);
        m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
            .forEach(e -> System.out.printf("%9.2f MB %5.1f%%  %s%n", e.getValue() / 1e6,
                100.0 * e.getValue() / total, e.getKey()));
    }
}
