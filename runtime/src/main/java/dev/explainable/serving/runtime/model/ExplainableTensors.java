package dev.explainable.serving.runtime.model;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.proto.DataType;

/**
 * Lists the tensors of a SavedModel that explanation metadata can name ({@code input_tensor_name},
 * {@code encoded_tensor_name}, {@code output_tensor_name}), as the runtime resolves them: the signature's tensors and,
 * inside the functions Keras exports, {@code call/node:index}. Keras 3 exports hide their layers inside such calls,
 * so their names are hard to guess. Run with {@code tools/list-tensors.sh DIR [FILTER]}.
 */
public final class ExplainableTensors {

    /** One listed tensor: its name as metadata writes it, dtype, shape (without batch: -1 is free) and op. */
    public record Entry(String name, String dtype, String shape, String op) {}

    private ExplainableTensors() {}

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ExplainableTensors SAVED_MODEL_DIR [FILTER]  (FILTER: a substring of names)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            System.err.println("no SavedModel at " + dir + " (saved_model.pb is missing)");
            System.exit(1);
        }
        print(list(dir, args.length > 1 ? args[1] : ""), System.out);
    }

    static void print(List<Entry> entries, PrintStream out) {
        out.printf("%-70s %-8s %-16s %s%n", "name", "dtype", "shape", "op");
        for (Entry e : entries) {
            out.printf("%-70s %-8s %-16s %s%n", e.name(), e.dtype(), e.shape(), e.op());
        }
    }

    /**
     * The serving signature's tensors first, then every float tensor inside the functions they call (inlined as the runtime
     * does), in graph order. Only names containing {@code filter} are listed.
     */
    public static List<Entry> list(Path dir, String filter) {
        List<Entry> entries = new ArrayList<>();
        try (SavedModelBundle bundle =
                SavedModelBundle.loader(dir.toString()).withTags("serve").load()) {
            Graph graph = bundle.graph();
            FunctionInliner inliner = new FunctionInliner(graph);
            // the serving signature (what the runtime serves by default); every signature when it has none
            List<Signature> signatures = bundle.signatures().stream()
                    .filter(s -> s.key().equals("serving_default"))
                    .toList();
            for (Signature s : signatures.isEmpty() ? bundle.signatures() : signatures) {
                s.getInputs()
                        .forEach((key, d) ->
                                add(entries, graph, d.name, "signature " + s.key() + " input " + key, filter));
                s.getOutputs().forEach((key, d) -> {
                    add(entries, graph, d.name, "signature " + s.key() + " output " + key, filter);
                    try {
                        inliner.tensor(d.name); // inlines the calls behind the output, recursively
                    } catch (RuntimeException e) {
                        System.err.println("cannot look inside " + d.name + ": " + e.getMessage());
                    }
                });
            }
            Iterator<GraphOperation> ops = graph.operations();
            while (ops.hasNext()) {
                GraphOperation op = ops.next();
                if (!op.name().startsWith(InlinedNames.PREFIX)) {
                    continue;
                }
                String name = op.name().substring(InlinedNames.PREFIX.length());
                for (int i = 0; i < op.numOutputs(); i++) {
                    Output<?> o = op.output(i);
                    if (o.dataType() == DataType.DT_FLOAT && name.contains(filter)) {
                        entries.add(new Entry(name + ":" + i, "float32", shape(o), op.type()));
                    }
                }
            }
        }
        return entries;
    }

    private static void add(List<Entry> entries, Graph graph, String name, String role, String filter) {
        if (!name.contains(filter)) {
            return;
        }
        String opName = name.contains(":") ? name.substring(0, name.lastIndexOf(':')) : name;
        int index = name.contains(":") ? Integer.parseInt(name.substring(name.lastIndexOf(':') + 1)) : 0;
        GraphOperation op = graph.operation(opName);
        Output<?> o = op.output(index);
        String dtype = Tensors.dtype(o.dataType())
                .map(t -> t.displayName())
                .orElse(o.dataType().name().substring(3).toLowerCase(Locale.ROOT));
        entries.add(new Entry(name, dtype, shape(o), role));
    }

    private static String shape(Output<?> o) {
        long[] s = Tensors.withoutBatch(o.shape());
        return s == null ? "unknown" : java.util.Arrays.toString(s).replace(" ", "");
    }
}
