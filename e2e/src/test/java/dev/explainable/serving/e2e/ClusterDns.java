package dev.explainable.serving.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.InitialDirContext;

import dev.explainable.serving.testkit.LocalProcesses;

/**
 * The cluster's DNS: CoreDNS with its {@code kubernetes} plugin against the test control plane, built from its Go
 * module by tools/k8s/build-coredns.sh on first use and cached under ~/.cache/explainable-serving/coredns. It answers
 * for {@value #DOMAIN} only (Services as {@code <service>.<namespace>.svc.cluster.local}, which the pods' search
 * path completes from {@code <service>} or, as the runtime asks, {@code <service>.<namespace>.svc}) on port 53 of one address of this machine: for the end-to-end test, this
 * machine's end of the node's veth pair, which the kubelet gives the pods as their nameserver. It forwards nothing:
 * any other name is refused, so no query leaves the machine.
 */
final class ClusterDns implements AutoCloseable {

    static final String DOMAIN = "cluster.local";

    private final Process process;
    private final String address;

    private ClusterDns(Process process, String address) {
        this.process = process;
        this.address = address;
    }

    /** CoreDNS's binary, building it first if needed (tools/k8s/build-coredns.sh prints it). */
    static Path binary() throws Exception {
        List<String> out = LocalProcesses.build("tools/k8s/build-coredns.sh", "CoreDNS");
        return Path.of(out.get(out.size() - 1));
    }

    /**
     * Starts CoreDNS on {@code address}:53, watching the Services of the control plane that {@code kubeconfig}
     * reaches, and waits until its {@code ready} plugin says the kubernetes plugin has synced. Its Corefile and log
     * go to {@code work}.
     */
    static ClusterDns start(String address, Path kubeconfig, Path work) throws Exception {
        Path binary = binary();
        int readyPort = LocalProcesses.freePort(address);
        Path corefile = work.resolve("Corefile");
        Files.writeString(corefile, """
                %1$s:53 {
                    bind %2$s
                    errors
                    ready %2$s:%3$d
                    kubernetes %1$s {
                        kubeconfig %4$s
                    }
                }
                """.formatted(DOMAIN, address, readyPort, kubeconfig));
        Process p = new ProcessBuilder(binary.toString(), "-conf", corefile.toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("coredns.log").toFile())
                .start();
        ClusterDns dns = new ClusterDns(p, address);
        try {
            dns.awaitReady("http://" + address + ":" + readyPort + "/ready");
        } catch (Exception e) {
            dns.close();
            throw e;
        }
        return dns;
    }

    private void awaitReady(String ready) throws Exception {
        if (!LocalProcesses.awaitOk(process, ready, Duration.ofSeconds(60))) {
            throw new IllegalStateException("CoreDNS did not become ready at " + ready + " (alive: " + process.isAlive()
                    + "); see coredns.log");
        }
    }

    /**
     * The A records for {@code name} once CoreDNS answers with some, asked again until {@code within} has passed: its
     * {@code ready} endpoint can answer before the DNS server itself listens (on a first run on busy cores the UDP
     * port was still closed: PortUnreachableException), and what the pods need is an answer, not readiness.
     */
    List<String> awaitLookUp(String name, Duration within) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        Exception last = null;
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IllegalStateException("CoreDNS exited (" + process.exitValue() + "); see coredns.log");
            }
            try {
                List<String> addresses = lookUp(name);
                if (!addresses.isEmpty()) {
                    return addresses;
                }
            } catch (NamingException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("CoreDNS gave no address for " + name + " within " + within.toSeconds()
                + " s (last: " + last + "); see coredns.log");
    }

    /** The A records CoreDNS answers for {@code name}, asked directly (UDP to this server, no search path). */
    List<String> lookUp(String name) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", "dns://" + address);
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        InitialDirContext ctx = new InitialDirContext(env);
        try {
            List<String> addresses = new ArrayList<>();
            Attribute a = ctx.getAttributes(name, new String[] {"A"}).get("A");
            if (a != null) {
                NamingEnumeration<?> all = a.getAll();
                while (all.hasMore()) {
                    addresses.add(all.next().toString());
                }
            }
            return addresses;
        } finally {
            ctx.close();
        }
    }

    /** Where the pods' nameserver is. */
    String address() {
        return address;
    }

    @Override
    public void close() {
        LocalProcesses.stop(process);
    }
}
