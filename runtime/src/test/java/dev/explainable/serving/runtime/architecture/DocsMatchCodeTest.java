package dev.explainable.serving.runtime.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

import dev.explainable.serving.runtime.api.aiplatform.PredictionResource;
import dev.explainable.serving.runtime.config.ExplainConfig;

/**
 * The docs ({@code README.md}, {@code docs/*.md}) name only what exists:
 *
 * <ul>
 * <li>every {@code explain.*} property and {@code EXPLAIN_*} variable is a setting of the runtime's
 * {@link ExplainConfig} (or a group of them, or {@code .*} of a group); every {@code explainable.operator.*} and
 * {@code EXPLAINABLE_OPERATOR_*} name, every row of configuration.md's operator settings table and every "the
 * operator's {@code x}" is a setting of the operator's {@code OperatorConfig}; the few other such names are in
 * {@link #NOT_SETTINGS}, each with the file that defines it and why;
 * <li>every repository path written in backticks (inline or in a code block) exists, globs and {@code .../}
 * elisions matching at least one file; build outputs ({@code target/}, {@code node_modules/}) are not checked;
 * <li>every relative link and image exists, and a link's {@code #anchor} is a heading of its target (GitHub's slugs);
 * <li>development.md's package tables list the runtime's and the operator's packages, no more, no fewer;
 * <li>every endpoint of api.md's tables is a JAX-RS resource method of the runtime (same HTTP method, path matching
 * its template), a file the runtime serves statically, or a Quarkus extension's endpoint in {@link #EXTENSION_PATHS}.
 * </ul>
 *
 * Reads files only: no network, no Quarkus. The operator is not on this module's classpath, so its mapping is read
 * from its source by {@link MappingSource}, a small parser that is checked here against the reflective reading of
 * {@link ExplainConfig}.
 */
class DocsMatchCodeTest {

    /** The repository: Surefire runs in the module's folder. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static final Path OPERATOR_CONFIG =
            Path.of("operator/src/main/java/dev/explainable/serving/operator/config/OperatorConfig.java");
    static final Path EXPLAIN_CONFIG =
            Path.of("runtime/src/main/java/dev/explainable/serving/runtime/config/ExplainConfig.java");

    /** What a repository path in the docs may start with; each must exist, so that a removed one is caught too. */
    static final List<String> TOP_LEVEL = List.of(
            ".ci", ".mvn", "contract", "crds", "docs", "e2e", "examples", "helm", "operator", "runtime", "tools");

    record Allowed(String definedIn, String why) {}

    /** Names that look like settings but are no property of either mapping; each must still be in its file. */
    static final Map<String, Allowed> NOT_SETTINGS = Map.of(
            "EXPLAIN_MODEL_URI",
            new Allowed(
                    "operator/src/main/java/dev/explainable/serving/operator/dependent/DesiredConfigMap.java",
                    "a key of a version's ConfigMap that the operator keeps from the runtime's environment: the model's"
                            + " URI, there so that the config hash covers it; no setting of the runtime"),
            "EXPLAINABLE_CACHE",
            new Allowed(
                    "tools/k8s/build-control-plane.sh",
                    "the build's cache folder, read by the tools' scripts and a test, not a setting of either program"));

    /** Endpoints a Quarkus extension serves, not a resource class of ours: the extension must be a dependency. */
    static final Map<String, String> EXTENSION_PATHS = Map.of(
            "/q/health/live", "quarkus-smallrye-health",
            "/q/health/ready", "quarkus-smallrye-health",
            "/q/metrics", "quarkus-micrometer-registry-prometheus",
            "/q/openapi", "quarkus-smallrye-openapi");

    static final Path STATIC_RESOURCES = Path.of("runtime/src/main/resources/META-INF/resources");

    record Line(Path doc, int number, String text, boolean code) {
        String where() {
            return ROOT.relativize(doc) + ":" + number;
        }
    }

    static List<Path> docs;
    static List<Line> lines;
    static Mapping runtime;
    static Mapping operator;

    @BeforeAll
    static void read() throws IOException {
        assertTrue(Files.isRegularFile(ROOT.resolve("pom.xml")), "run from the runtime module: " + ROOT);
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            docs = Stream.concat(
                            Stream.of(ROOT.resolve("README.md")),
                            s.filter(p -> p.toString().endsWith(".md")))
                    .sorted()
                    .toList();
        }
        lines = new ArrayList<>();
        for (Path doc : docs) {
            lines.addAll(linesOf(doc));
        }
        runtime = Mapping.of(ExplainConfig.class);
        operator = MappingSource.parse(Files.readString(ROOT.resolve(OPERATOR_CONFIG)));
    }

    static List<Line> linesOf(Path doc) {
        List<Line> out = new ArrayList<>();
        boolean fenced = false;
        int n = 0;
        for (String text : read(doc).split("\n", -1)) {
            n++;
            if (text.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            out.add(new Line(doc, n, text, fenced));
        }
        return out;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertNone(List<String> problems) {
        assertTrue(problems.isEmpty(), problems.size() + " in the docs:\n" + String.join("\n", problems));
    }

    // ---- settings ----------------------------------------------------------------------------------------------

    /** Property names and groups of a config mapping, with the environment names SmallRye maps to them. */
    record Mapping(String prefix, Set<String> properties, Set<String> groups) {

        static Mapping of(Class<?> root) {
            String prefix = root.getAnnotation(ConfigMapping.class).prefix();
            Mapping m = new Mapping(prefix, new TreeSet<>(), new TreeSet<>());
            m.groups.add(prefix);
            m.walk(root, prefix);
            return m;
        }

        private void walk(Class<?> group, String path) {
            for (Method method : group.getMethods()) {
                if (method.isDefault()
                        || Modifier.isStatic(method.getModifiers())
                        || method.getParameterCount() > 0
                        || method.getDeclaringClass() == Object.class) {
                    continue;
                }
                WithName withName = method.getAnnotation(WithName.class);
                String key = path + "." + (withName != null ? withName.value() : kebab(method.getName()));
                Class<?> type = method.getReturnType();
                if (type == Optional.class && method.getGenericReturnType() instanceof ParameterizedType p) {
                    Type inner = p.getActualTypeArguments()[0];
                    type = inner instanceof Class<?> c ? c : Object.class;
                }
                if (type.isInterface() && type.getName().startsWith("dev.explainable.")) {
                    groups.add(key);
                    walk(type, key);
                } else {
                    properties.add(key);
                }
            }
        }

        /** SmallRye's default naming of mapping methods: {@code maxQueueWait} is {@code max-queue-wait}. */
        static String kebab(String method) {
            return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        }

        /** What SmallRye's environment source maps to {@code name}: upper case, every other character {@code _}. */
        static String env(String property) {
            return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        }

        boolean hasProperty(String name) {
            if (name.endsWith(".*")) {
                return groups.contains(name.substring(0, name.length() - 2));
            }
            return properties.contains(name) || groups.contains(name);
        }

        boolean hasEnv(String name) {
            if (name.endsWith("*")) {
                String start = name.substring(0, name.length() - 1);
                return properties.stream().map(Mapping::env).anyMatch(e -> e.startsWith(start));
            }
            return properties.stream().map(Mapping::env).anyMatch(name::equals);
        }
    }

    /**
     * Reads a {@code @ConfigMapping} interface from its Java source: nested interfaces are groups when a method
     * returns them, other abstract methods are properties, {@code @WithName} or the method's name kebab-cased.
     */
    static final class MappingSource {

        static Mapping parse(String java) {
            List<String> strings = new ArrayList<>();
            String src = withoutCommentsAndStrings(java, strings);
            Matcher prefix = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"#(\\d+)\"")
                    .matcher(src);
            assertTrue(prefix.find(), "no @ConfigMapping(prefix = ...)");
            Map<String, String> interfaces = new LinkedHashMap<>();
            Matcher decl = Pattern.compile("\\binterface\\s+(\\w+)[^{]*\\{").matcher(src);
            String root = null;
            while (decl.find()) {
                int end = closing(src, decl.end() - 1);
                interfaces.put(decl.group(1), withoutBlocks(src.substring(decl.end(), end)));
                root = root == null ? decl.group(1) : root;
            }
            Mapping m = new Mapping(strings.get(Integer.parseInt(prefix.group(1))), new TreeSet<>(), new TreeSet<>());
            m.groups().add(m.prefix());
            walk(m, interfaces, strings, root, m.prefix());
            return m;
        }

        private static final Pattern MEMBER =
                Pattern.compile("^(?:public\\s+|abstract\\s+)*([\\w.<>,?\\s\\[\\]]+?)\\s+(\\w+)\\s*\\(\\s*\\)$");
        private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\\s*\"#(\\d+)\"\\s*\\)");
        private static final Pattern ANNOTATION = Pattern.compile("@[\\w.]+(\\s*\\([^()]*\\))?");

        private static void walk(
                Mapping m, Map<String, String> interfaces, List<String> strings, String group, String path) {
            for (String member : interfaces.get(group).split(";")) {
                Matcher name = WITH_NAME.matcher(member);
                String named = name.find() ? strings.get(Integer.parseInt(name.group(1))) : null;
                String declaration = ANNOTATION.matcher(member).replaceAll(" ").strip();
                Matcher d = MEMBER.matcher(declaration);
                if (declaration.startsWith("default ") || declaration.startsWith("static ") || !d.matches()) {
                    continue;
                }
                String key = path + "." + (named != null ? named : Mapping.kebab(d.group(2)));
                String type = d.group(1).replaceAll("\\s", "");
                Matcher optional =
                        Pattern.compile("^(?:java\\.util\\.)?Optional<(.+)>$").matcher(type);
                if (optional.matches()) {
                    type = optional.group(1);
                }
                String simple = type.substring(type.lastIndexOf('.') + 1);
                if (interfaces.containsKey(simple)) {
                    m.groups().add(key);
                    walk(m, interfaces, strings, simple, key);
                } else {
                    m.properties().add(key);
                }
            }
        }

        /** Comments removed; string literals replaced by {@code "#n"}, n their index in {@code strings}. */
        static String withoutCommentsAndStrings(String java, List<String> strings) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < java.length(); i++) {
                char c = java.charAt(i);
                if (java.startsWith("//", i)) {
                    int eol = java.indexOf('\n', i);
                    i = (eol < 0 ? java.length() : eol) - 1;
                } else if (java.startsWith("/*", i)) {
                    i = java.indexOf("*/", i) + 1;
                    out.append(' ');
                } else if (c == '"') {
                    StringBuilder s = new StringBuilder();
                    for (i++; java.charAt(i) != '"'; i++) {
                        if (java.charAt(i) == '\\') {
                            i++;
                        }
                        s.append(java.charAt(i));
                    }
                    out.append("\"#").append(strings.size()).append('"');
                    strings.add(s.toString());
                } else if (c == '\'') {
                    int end = java.indexOf('\'', i + (java.charAt(i + 1) == '\\' ? 3 : 2));
                    out.append("' '");
                    i = end;
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        static int closing(String src, int open) {
            int depth = 0;
            for (int i = open; i < src.length(); i++) {
                depth += src.charAt(i) == '{' ? 1 : src.charAt(i) == '}' ? -1 : 0;
                if (depth == 0) {
                    return i;
                }
            }
            throw new IllegalArgumentException("unbalanced braces");
        }

        /** Every {@code {...}} (nested interfaces, default methods' bodies) replaced by {@code ;}. */
        static String withoutBlocks(String body) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < body.length(); i++) {
                if (body.charAt(i) == '{') {
                    i = closing(body, i);
                    out.append(';');
                } else {
                    out.append(body.charAt(i));
                }
            }
            return out.toString();
        }
    }

    @Test
    void theSourceParserReadsTheRuntimeMappingAsReflectionDoes() throws IOException {
        Mapping parsed = MappingSource.parse(Files.readString(ROOT.resolve(EXPLAIN_CONFIG)));
        assertEquals(runtime.prefix(), parsed.prefix());
        assertEquals(difference(runtime.properties(), parsed.properties()), Set.of(), "only by reflection");
        assertEquals(difference(parsed.properties(), runtime.properties()), Set.of(), "only in the parsed source");
        assertEquals(runtime.groups(), parsed.groups());
        assertTrue(runtime.properties().size() > 50, runtime.properties().toString());
        assertTrue(
                operator.properties().contains("explainable.operator.runtime-image")
                        && operator.properties().contains("explainable.operator.policy.allowed-model-paths")
                        && operator.properties().contains("explainable.operator.ingress.class-name"),
                operator.properties().toString());
    }

    static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    static final Pattern RUNTIME_PROPERTY =
            Pattern.compile("(?<![\\w:/.-])explain\\.(?:\\*|[a-z][a-z0-9-]*(?:\\.[a-z][a-z0-9-]*)*(?:\\.\\*)?)");
    static final Pattern OPERATOR_PROPERTY = Pattern.compile(
            "(?<![\\w:/.-])explainable\\.operator\\.(?:\\*|[a-z][a-z0-9-]*(?:\\.[a-z][a-z0-9-]*)*(?:\\.\\*)?)");
    static final Pattern ENV = Pattern.compile("\\bEXPLAIN(?:ABLE)?_[A-Z0-9_]*(?:\\*|[A-Z0-9])");
    /** "the operator's {@code default-cpu}": an operator setting by its name below {@code explainable.operator}. */
    static final Pattern OPERATOR_SHORT = Pattern.compile("the operator's `([a-z][a-z0-9.-]*)`");

    @Test
    void everySettingTheDocsNameExists() {
        List<String> problems = new ArrayList<>();
        boolean operatorTable = false;
        for (Line line : lines) {
            Consumer<String> problem = p -> problems.add(line.where() + ": " + p);
            for (Matcher m = RUNTIME_PROPERTY.matcher(line.text()); m.find(); ) {
                if (!runtime.hasProperty(m.group())) {
                    problem.accept(m.group() + " is no runtime setting (ExplainConfig)");
                }
            }
            for (Matcher m = OPERATOR_PROPERTY.matcher(line.text()); m.find(); ) {
                if (!operator.hasProperty(m.group())) {
                    problem.accept(m.group() + " is no operator setting (OperatorConfig)");
                }
            }
            for (Matcher m = ENV.matcher(line.text()); m.find(); ) {
                String env = m.group();
                boolean exists = NOT_SETTINGS.containsKey(env)
                        || (env.startsWith("EXPLAINABLE_") ? operator.hasEnv(env) : runtime.hasEnv(env));
                if (!exists) {
                    problem.accept(env + " is the variable of no setting (and not in NOT_SETTINGS)");
                }
            }
            for (Matcher m = OPERATOR_SHORT.matcher(line.text()); m.find(); ) {
                if (!operator.hasProperty(operator.prefix() + "." + m.group(1))) {
                    problem.accept("the operator's " + m.group(1) + " is no operator setting");
                }
            }
            // configuration.md's table of operator settings: property names below explainable.operator
            if (line.text().startsWith("## ")) {
                operatorTable = line.text().equals("## Operator settings");
            }
            Matcher row = Pattern.compile("^\\| `([a-z][a-z0-9.-]*)` \\|").matcher(line.text());
            if (operatorTable && row.find() && !operator.hasProperty(operator.prefix() + "." + row.group(1))) {
                problem.accept(row.group(1) + " in the operator settings table is no operator setting");
            }
        }
        assertNone(problems);
    }

    @Test
    void everyNameOutsideTheMappingsIsStillWhereItsEntrySays() {
        NOT_SETTINGS.forEach((name, allowed) -> {
            assertTrue(
                    read(ROOT.resolve(allowed.definedIn())).contains(name),
                    name + " is no longer in " + allowed.definedIn() + ": remove it from NOT_SETTINGS");
            assertTrue(
                    !runtime.hasEnv(name) && !operator.hasEnv(name),
                    name + " is a setting now: remove it from NOT_SETTINGS");
        });
    }

    // ---- repository paths --------------------------------------------------------------------------------------

    static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    /** A word of a code span or block: up to a space or punctuation, {@code {a,b}} and {@code {name}} kept whole. */
    static final Pattern TOKEN = Pattern.compile("(?:\\{[^{}\\s]*\\}|[^\\s,;()=\"'|{}])+");

    /** The repository paths a line names: in backticks in prose, any token of a code block. */
    static List<String> pathsIn(Line line) {
        List<String> texts = new ArrayList<>();
        if (line.code()) {
            texts.add(line.text());
        } else {
            for (Matcher m = CODE_SPAN.matcher(line.text()); m.find(); ) {
                texts.add(m.group(1));
            }
        }
        List<String> paths = new ArrayList<>();
        for (String text : texts) {
            for (Matcher t = TOKEN.matcher(text); t.find(); ) {
                String token = t.group().replaceAll("[.:]+$", "");
                String first = token.contains("/") ? token.substring(0, token.indexOf('/')) : "";
                if (TOP_LEVEL.contains(first)) {
                    paths.add(token);
                }
            }
        }
        return paths;
    }

    @Test
    void everyRepositoryPathTheDocsNameExists() {
        for (String top : TOP_LEVEL) {
            assertTrue(Files.isDirectory(ROOT.resolve(top)), top + " is gone: take it out of TOP_LEVEL");
        }
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Line line : lines) {
            for (String path : pathsIn(line)) {
                checked++;
                if (!exists(path)) {
                    problems.add(line.where() + ": " + path + " does not exist");
                }
            }
        }
        assertTrue(checked > 50, "found only " + checked + " paths: is the parsing broken?");
        assertNone(problems);
    }

    /**
     * Whether a repository path exists: {@code *}, {@code ?} and {@code {a,b}} as globs, {@code ...} for any folders,
     * a placeholder ({@code <version>}, {@code {name}}) for anything below the folder before it, a trailing {@code /}
     * for a folder. Build outputs are not in the repository and not checked.
     */
    static boolean exists(String path) {
        List<String> segments = List.of(path.split("/"));
        if (segments.contains("target") || segments.contains("node_modules")) {
            return true;
        }
        StringBuilder known = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            if (s.contains("<") || (s.contains("{") && !s.contains(","))) {
                return Files.isDirectory(ROOT.resolve(known.toString()));
            }
            if (s.equals("...") || s.matches(".*[*?{].*")) {
                String glob = path.replace("...", "**").replaceAll("/$", "");
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                try (Stream<Path> walk = Files.walk(ROOT.resolve(known.toString()))) {
                    return walk.map(ROOT::relativize).anyMatch(matcher::matches);
                } catch (IOException e) {
                    return false;
                }
            }
            known.append(i == 0 ? "" : "/").append(s);
        }
        Path p = ROOT.resolve(path);
        return path.endsWith("/") ? Files.isDirectory(p) : Files.exists(p);
    }

    // ---- package tables ----------------------------------------------------------------------------------------

    @Test
    void developmentMdListsEveryPackageOfTheRuntimeAndTheOperator() throws IOException {
        Map<String, Path> tables = Map.of(
                "### The runtime's packages", Path.of("runtime/src/main/java/dev/explainable/serving/runtime"),
                "### The operator's packages", Path.of("operator/src/main/java/dev/explainable/serving/operator"));
        for (var table : tables.entrySet()) {
            Set<String> listed = new TreeSet<>();
            String section = null;
            for (Line line : lines) {
                if (!line.doc().endsWith("development.md") || line.code()) {
                    continue;
                }
                if (line.text().startsWith("#")) {
                    section = line.text();
                }
                Matcher row = Pattern.compile("^\\| `(\\w+)` \\|").matcher(line.text());
                if (table.getKey().equals(section) && row.find()) {
                    listed.add(row.group(1));
                }
            }
            Set<String> packages = new TreeSet<>();
            try (Stream<Path> s = Files.list(ROOT.resolve(table.getValue()))) {
                s.filter(Files::isDirectory)
                        .forEach(p -> packages.add(p.getFileName().toString()));
            }
            assertEquals(packages, listed, "the table under " + table.getKey() + " in docs/development.md");
        }
    }

    // ---- links and anchors -------------------------------------------------------------------------------------

    static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)|(?:src|href)=\"([^\"]+)\"");

    @Test
    void everyLinkReachesAFileAndEveryAnchorAHeading() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Line line : lines) {
            if (line.code()) {
                continue;
            }
            for (Matcher m = LINK.matcher(line.text()); m.find(); ) {
                String target = m.group(1) != null ? m.group(1) : m.group(2);
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // https:, mailto:
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty()
                        ? line.doc()
                        : line.doc().getParent().resolve(file).normalize();
                if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
                    problems.add(line.where() + ": link " + target + ": no such file");
                } else if (hash >= 0) {
                    String anchor = target.substring(hash + 1);
                    if (!resolved.toString().endsWith(".md")) {
                        problems.add(line.where() + ": link " + target + ": an anchor into a file that is no doc");
                    } else if (!anchors(resolved).contains(anchor)) {
                        problems.add(line.where() + ": link " + target + ": no heading with that anchor in "
                                + ROOT.relativize(resolved) + " " + anchors(resolved));
                    }
                }
            }
        }
        assertTrue(checked > 50, "found only " + checked + " links: is the parsing broken?");
        assertNone(problems);
    }

    static final Map<Path, Set<String>> ANCHORS = new LinkedHashMap<>();

    /** The anchors GitHub gives a doc's headings (duplicates numbered), and explicit {@code <a id|name>}. */
    static Set<String> anchors(Path doc) {
        return ANCHORS.computeIfAbsent(doc, d -> {
            Set<String> anchors = new TreeSet<>();
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (Line line : linesOf(d)) {
                Matcher explicit =
                        Pattern.compile("<a (?:id|name)=\"([^\"]+)\"").matcher(line.text());
                while (!line.code() && explicit.find()) {
                    anchors.add(explicit.group(1));
                }
                Matcher heading = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$").matcher(line.text());
                if (line.code() || !heading.matches()) {
                    continue;
                }
                String slug = slug(heading.group(1));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
            return anchors;
        });
    }

    /** github-slugger: the heading's text lower-cased, all but letters, digits, {@code _ -} and spaces dropped. */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
                .replace(' ', '-');
    }

    @Test
    void slugsFollowGitHub() {
        assertEquals("a-target-approx_error-extension", slug("A target `approx_error` (extension)"));
        assertEquals("on-kubernetes-explainablemodel", slug("On Kubernetes: ExplainableModel"));
        assertEquals("model-description-runtime-specific", slug("Model description (runtime-specific)"));
        assertEquals("from-ai-platform--vertex", slug("From [AI Platform](https://x) — Vertex"));
    }

    // ---- endpoints ---------------------------------------------------------------------------------------------

    static final Pattern ENDPOINT = Pattern.compile("`(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/[^`\\s]*)`");

    record Route(String method, Pattern path) {}

    @Test
    void everyEndpointOfTheApiReferenceIsServed() throws IOException {
        List<Route> routes = routes();
        String pom = read(ROOT.resolve("runtime/pom.xml"));
        List<String> problems = new ArrayList<>();
        int checked = 0;
        boolean operators = false;
        for (Line line : lines) {
            if (line.doc().endsWith("api.md") && line.text().startsWith("## ")) {
                // the operator serves the management API; its own test (ManagementApiDocsTest) checks that section
                operators = line.text().startsWith("## Management API");
            }
            if (!line.doc().endsWith("api.md")
                    || operators
                    || line.code()
                    || !line.text().startsWith("|")) {
                continue;
            }
            for (Matcher m = ENDPOINT.matcher(line.text()); m.find(); ) {
                checked++;
                String method = m.group(1);
                String path = m.group(2);
                List<String> concrete = new ArrayList<>(List.of(concrete(path)));
                if (line.text().contains("also under `/v1beta1`")) {
                    concrete.add(concrete(path).replaceFirst("^/v1/", "/v1beta1/"));
                }
                for (String c : concrete) {
                    boolean served = routes.stream()
                                    .anyMatch(r -> r.method().equals(method)
                                            && r.path().matcher(c).matches())
                            || (method.equals("GET") && servedStatically(c))
                            || (EXTENSION_PATHS.containsKey(c)
                                    && pom.contains("<artifactId>" + EXTENSION_PATHS.get(c) + "</artifactId>"));
                    if (!served) {
                        problems.add(line.where() + ": " + method + " " + c + " (from " + path + ") is not served");
                    }
                }
            }
        }
        assertTrue(checked >= 10, "found only " + checked + " endpoints in api.md: is the parsing broken?");
        assertNone(problems);
    }

    /** A documented path with a value for each {@code {placeholder}}. */
    static String concrete(String documented) {
        return documented.replaceAll("\\{[^}]+\\}", "x1");
    }

    static boolean servedStatically(String path) {
        Path dir = ROOT.resolve(STATIC_RESOURCES);
        return Files.isRegularFile(dir.resolve(path.equals("/") ? "index.html" : path.substring(1)));
    }

    /** The runtime's JAX-RS resource methods: HTTP method and the path template as a regular expression. */
    static List<Route> routes() throws IOException {
        Path classes;
        try {
            classes = Path.of(PredictionResource.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Route> routes = new ArrayList<>();
        List<Path> classFiles;
        try (Stream<Path> walk = Files.walk(classes)) {
            classFiles = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path file : classFiles) {
            String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
            Class<?> c;
            try {
                c = Class.forName(name, false, DocsMatchCodeTest.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            jakarta.ws.rs.Path base = c.getAnnotation(jakarta.ws.rs.Path.class);
            if (base == null) {
                continue;
            }
            for (Method method : c.getDeclaredMethods()) {
                String http = httpMethod(method);
                if (http != null) {
                    jakarta.ws.rs.Path sub = method.getAnnotation(jakarta.ws.rs.Path.class);
                    String template = base.value() + (sub == null ? "" : "/" + sub.value());
                    routes.add(new Route(http, template(template.replaceAll("/+", "/"))));
                }
            }
        }
        assertTrue(!routes.isEmpty(), "no resource methods found in " + classes);
        // the one Vert.x route of ours on the management port (AttributionMonitoringTest calls it)
        routes.add(new Route(
                "GET", template(dev.explainable.serving.runtime.api.description.AttributionAlertsRoute.PATH)));
        return routes;
    }

    static String httpMethod(Method m) {
        for (var a : List.of(GET.class, POST.class, PUT.class, PATCH.class, DELETE.class, HEAD.class, OPTIONS.class)) {
            if (m.isAnnotationPresent(a)) {
                return a.getSimpleName();
            }
        }
        return null;
    }

    /** {@code {name}} one segment, {@code {name: regex}} its regex, the rest literally. */
    static Pattern template(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("\\{\\s*\\w+\\s*(?::\\s*([^}]+))?\\}").matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            regex.append(m.group(1) == null ? "[^/]+" : "(?:" + m.group(1).strip() + ")");
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last))).append("/?");
        return Pattern.compile(regex.toString());
    }
}
