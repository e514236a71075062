package dev.explainable.serving.runtime.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One batch shard as a real separate process: {@code java} on this test JVM's class path running {@link BatchMain}
 * (what {@code quarkus-run.jar batch} hands over to), its settings in {@code EXPLAIN_*} variables, its temporary files
 * in a folder of its own ({@code java.io.tmpdir}) so that a test can watch its progress, stdout and stderr in a log.
 */
final class ShardProcess {

    final Process process;
    final Path tmp;
    final Path log;

    private ShardProcess(Process process, Path tmp, Path log) {
        this.process = process;
        this.tmp = tmp;
        this.log = log;
    }

    /** Starts a shard with {@code env} (added to this process's), {@code jvmOptions} before the main class. */
    static ShardProcess start(Path dir, Map<String, String> env, List<String> jvmOptions) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempDirectory(dir, "tmp");
        Path log = Files.createTempFile(dir, "shard", ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BatchMain.class.getName());
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().keySet().removeIf(k -> k.startsWith("EXPLAIN_") || k.equals("JOB_COMPLETION_INDEX"));
        b.environment().putAll(env);
        b.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        return new ShardProcess(b.start(), tmp, log);
    }

    /** Bytes written so far into the shard's temporary results file, empty while there is none. */
    OptionalLong resultsBytes() throws IOException {
        try (var files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().contains(".results-"))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0; // moved or deleted meanwhile
                        }
                    })
                    .max();
        }
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }
}
