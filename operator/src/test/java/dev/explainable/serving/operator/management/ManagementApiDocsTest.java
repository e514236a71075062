package dev.explainable.serving.operator.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

import dev.explainable.serving.operator.management.ml.MlRoutes;
import dev.explainable.serving.operator.management.vertex.VertexRoutes;

/**
 * docs/api.md's "Management API" section against the routes the operator serves: every endpoint written there out
 * in full is one of them (the runtime's DocsMatchCodeTest checks the rest of api.md against the runtime's).
 */
class ManagementApiDocsTest {

    static final Pattern ENDPOINT = Pattern.compile("`(GET|POST|PUT|PATCH|DELETE) (/[^`\\s\\[]*)");
    static Vertx vertx;
    static Router router;

    @BeforeAll
    static void routes() {
        vertx = Vertx.vertx();
        router = Router.router(vertx);
        ManagementRoutes routes = new ManagementRoutes(
                router,
                new CallerClients(
                        new ConfigBuilder().withMasterUrl("http://127.0.0.1:1").build()));
        MlRoutes.install(routes);
        VertexRoutes.install(routes, java.util.List.of("us-central1"));
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    @Test
    void everyDocumentedManagementEndpointIsServed() throws Exception {
        List<String> lines = Files.readAllLines(
                Path.of(System.getProperty("crds.dir", "../crds")).getParent().resolve("docs/api.md"));
        int start = lines.indexOf(lines.stream()
                .filter(l -> l.startsWith("## Management API"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("docs/api.md has no ## Management API section")));
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            for (Matcher m = ENDPOINT.matcher(line); m.find(); ) {
                checked++;
                String method = m.group(1);
                String path = m.group(2).replaceAll("\\{[^}]+\\}", "x1");
                boolean served = router.getRoutes().stream()
                        .anyMatch(r -> r.methods() != null
                                && r.methods().stream().anyMatch(x -> x.name().equals(method))
                                && matches(r, path));
                if (!served) {
                    problems.add(method + " " + path + " (docs/api.md: " + line.trim() + ")");
                }
            }
        }
        assertThat(checked).as("endpoints found in the section").isGreaterThanOrEqualTo(15);
        assertThat(problems).as("documented but not served").isEmpty();
    }

    /** A Vert.x route path with :params as a regular expression; {@code :x} matches one segment. */
    static boolean matches(Route r, String path) {
        if (r.getPath() == null) {
            return false;
        }
        String regex = Pattern.quote(r.getPath()).replaceAll(":[A-Za-z]+", "\\\\E[^/]+\\\\Q");
        return path.matches(regex);
    }
}
