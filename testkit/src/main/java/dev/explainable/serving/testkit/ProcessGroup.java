package dev.explainable.serving.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * Local servers started together (the control plane's components, the end-to-end test's node), each logging to
 * {@code <logs>/<name>.log}: waits that give up as soon as one of them has exited, and a stop in reverse order.
 */
public final class ProcessGroup implements AutoCloseable {

    private final Path logs;
    private final String what;
    private final List<Process> processes = new ArrayList<>();

    /** {@code what} names the group in errors ("control-plane", "node"). */
    public ProcessGroup(Path logs, String what) {
        this.logs = logs;
        this.what = what;
    }

    /** Starts {@code command}, its output and errors to {@code <logs>/<name>.log}. */
    public Process launch(String name, String... command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile())
                .start();
        processes.add(p);
        return p;
    }

    /** The processes in the order they were launched. */
    public List<Process> processes() {
        return List.copyOf(processes);
    }

    /**
     * Waits until {@code check} holds, every 250 ms (an exception counts as "not yet"); fails as soon as one of the
     * group's processes has exited, or after {@code timeout}, the logs' folder in the message.
     */
    public void await(Duration timeout, Callable<Boolean> check, String condition) {
        try {
            Awaitility.await(condition)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .failFast(() -> processes.stream().anyMatch(p -> !p.isAlive()))
                    .until(check);
        } catch (TerminalFailureException e) {
            throw new IllegalStateException(
                    "a " + what + " process exited while waiting for " + condition + "; logs in " + logs);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(
                    "timed out after " + timeout + " waiting for " + condition + "; logs in " + logs, e);
        }
    }

    /** Stops the processes, the last launched first ({@link LocalProcesses#stop}). */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            LocalProcesses.stop(processes.get(i));
        }
    }
}
