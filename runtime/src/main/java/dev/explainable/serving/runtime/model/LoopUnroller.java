package dev.explainable.serving.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * The loop pass of the inliner: unrolls {@code While} loops whose condition does not depend on the request (the
 * recurrent layers of Keras exports with a fixed sequence length) into the body being copied, and turns their
 * TensorList reads and writes into plain tensors ({@link TensorListValue}), so that recurrent models get gradients.
 * Other loops are copied as they are, and why is kept for the load error ({@link #loopsNotUnrolled}).
 *
 * <p>Why a pass of its own: inlining and unrolling are separate rewrites, as in TensorFlow's Grappler
 * ({@code function_optimizer.cc} and {@code loop_optimizer.cc}). {@link FunctionInliner} copies function bodies and
 * asks this class first about every op it copies ({@link #virtualOp}); this class copies loop bodies, one per step,
 * through the inliner ({@link Copy#inline}).
 */
final class LoopUnroller {

    /** Beyond this many steps a loop stays a {@code While}: the unrolled graph grows with every step. */
    static final int MAX_UNROLLED_STEPS = 1024;

    /** The function body being copied, as this pass builds into it. */
    interface Copy {

        /** The name scope of the body's copies ({@code .../call/}). */
        String prefix();

        /** Builds {@code type} as a real op named {@code opName} from resolved inputs, without control inputs. */
        GraphOperation buildOp(String type, String opName, Map<String, AttrValue> attrs, List<Output<?>> inputs);

        /** Copies the body of {@code function} under {@code prefix}, called with {@code args}: its outputs as values. */
        Object[] inline(String function, String prefix, List<?> args);
    }

    private final Graph graph;
    /** Evaluates loop conditions, trip counts and list indices. */
    private final StaticValues statics;
    /** Why loops stayed loops, for the error when their gradient is missing. */
    private final Set<String> notUnrolled = new LinkedHashSet<>();

    /** Evaluates the static values loops depend on in {@code session}, the restored session of {@code graph}. */
    LoopUnroller(Graph graph, Session session) {
        this.graph = graph;
        this.statics = new StaticValues(graph, session);
    }

    /** Why loops were copied as loops rather than unrolled (empty when every loop was unrolled). */
    Set<String> loopsNotUnrolled() {
        return Set.copyOf(notUnrolled);
    }

    /**
     * The ops an unrolled loop replaces by plain tensors: {@code While} loops with a static trip count, and the
     * TensorList ops they read and write; null for every other op, which the body copies as it is.
     */
    Object[] virtualOp(Copy body, String name, NodeDef def, List<Object> inputs) {
        String type = def.getOp();
        String prefix = body.prefix();
        return switch (type) {
            case "While", "StatelessWhile" -> unrolledOrReal(body, name, def, inputs);
            case "Identity" -> inputs.get(0) instanceof TensorListValue ? new Object[] {inputs.get(0)} : null;
            case "TensorListReserve" -> {
                GraphOperation real = body.buildOp(type, prefix + name, def.getAttrMap(), outputsOf(inputs));
                OptionalLong n = statics.scalar((Output<?>) inputs.get(1));
                yield new Object[] {
                    n.isPresent() && n.getAsLong() >= 0 && n.getAsLong() <= MAX_UNROLLED_STEPS
                            ? TensorListValue.of(real.output(0), (int) n.getAsLong())
                            : new TensorListValue(real.output(0), null)
                };
            }
            case "TensorListFromTensor" -> {
                GraphOperation real = body.buildOp(type, prefix + name, def.getAttrMap(), outputsOf(inputs));
                Output<?> tensor = (Output<?>) inputs.get(0);
                long n = tensor.shape().numDimensions() > 0 ? tensor.shape().size(0) : -1;
                if (n < 0 || n > MAX_UNROLLED_STEPS) {
                    yield new Object[] {new TensorListValue(real.output(0), null)};
                }
                GraphOperation unstack = graph.opBuilder("Unpack", prefix + name + "/unstacked", graph.baseScope())
                        .addInput(tensor)
                        .setAttr("num", n)
                        .setAttr("axis", 0L)
                        .build();
                List<Output<?>> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(unstack.output(i));
                }
                yield new Object[] {new TensorListValue(real.output(0), items)};
            }
            case "TensorListGetItem" -> {
                TensorListValue list = knownList(inputs.get(0), def);
                int i = staticIndex(inputs.get(1), def, list.items().size());
                Output<?> item = list.items().get(i);
                if (item == null) {
                    throw new NotUnrollable(def.getName() + " reads item " + i + " before it is written");
                }
                yield new Object[] {item};
            }
            case "TensorListSetItem" -> {
                TensorListValue list = knownList(inputs.get(0), def);
                boolean grows = def.getAttrMap().containsKey("resize_if_index_out_of_bounds")
                        && def.getAttrMap().get("resize_if_index_out_of_bounds").getB();
                int i = staticIndex(
                        inputs.get(1),
                        def,
                        grows ? MAX_UNROLLED_STEPS : list.items().size());
                yield new Object[] {list.with(i, (Output<?>) inputs.get(2))};
            }
            case "TensorListLength" -> {
                TensorListValue list = knownList(inputs.get(0), def);
                yield new Object[] {
                    statics.constant(
                            prefix + name, DataType.DT_INT32, list.items().size())
                };
            }
            case "TensorListStack" -> {
                if (!(inputs.get(0) instanceof TensorListValue list) || list.handle() != null) {
                    yield null; // a real list: the real op
                }
                if (list.items().isEmpty() || list.items().contains(null)) {
                    throw new NotUnrollable(def.getName() + " stacks a list with items never written");
                }
                GraphOperation pack = graph.opBuilder("Pack", prefix + name, graph.baseScope())
                        .addInputList(list.items().toArray(new Output<?>[0]))
                        .setAttr("axis", 0L)
                        .build();
                yield new Object[] {pack.output(0)};
            }
            default -> null;
        };
    }

    /**
     * Unrolls a loop whose condition is static at every step: the body is copied once per step, its loop
     * variables threaded through. Why: TensorFlow's C++ gradient registry has no gradient for {@code While} nor
     * the TensorList ops (Python builds the backward loop itself), while every op of an unrolled recurrent cell
     * has one. A loop that cannot be unrolled stays a {@code While}; its reason is kept for the load error.
     */
    private Object[] unrolledOrReal(Copy body, String name, NodeDef def, List<Object> inputs) {
        String cond = def.getAttrMap().get("cond").getFunc().getName();
        String step = def.getAttrMap().get("body").getFunc().getName();
        String prefix = body.prefix();
        Object[] vars = inputs.toArray();
        try {
            for (int n = 0; ; n++) {
                Object c = body.inline(cond, prefix + name + "/cond_" + n + "/", List.of(vars))[0];
                OptionalLong goOn = c instanceof Output<?> o ? statics.scalar(o) : OptionalLong.empty();
                if (goOn.isEmpty()) {
                    throw new NotUnrollable("the number of steps of loop " + def.getName()
                            + " depends on the input (a sequence length not fixed in the signature)");
                }
                if (goOn.getAsLong() == 0) {
                    return vars;
                }
                if (n == MAX_UNROLLED_STEPS) {
                    throw new NotUnrollable(
                            "loop " + def.getName() + " runs more than " + MAX_UNROLLED_STEPS + " steps");
                }
                vars = body.inline(step, prefix + name + "/step_" + n + "/", List.of(vars));
                for (int i = 0; i < vars.length; i++) {
                    if (vars[i] instanceof Output<?> o) {
                        vars[i] = statics.folded(o);
                    }
                }
            }
        } catch (NotUnrollable e) {
            notUnrolled.add(e.getMessage());
            GraphOperation loop = body.buildOp(def.getOp(), prefix + name, def.getAttrMap(), outputsOf(inputs));
            return Arrays.copyOf(loop.outputList(0, inputs.size()), inputs.size(), Object[].class);
        }
    }

    private static TensorListValue knownList(Object value, NodeDef def) {
        if (value instanceof TensorListValue list && list.itemsKnown()) {
            return list;
        }
        throw new NotUnrollable(def.getName() + " (" + def.getOp() + ") works on a list of unknown length");
    }

    private int staticIndex(Object value, NodeDef def, int size) {
        OptionalLong i = value instanceof Output<?> o ? statics.scalar(o) : OptionalLong.empty();
        if (i.isEmpty() || i.getAsLong() < 0 || i.getAsLong() >= size) {
            throw new NotUnrollable(def.getName() + " (" + def.getOp() + ") has no static index within the list");
        }
        return (int) i.getAsLong();
    }

    /** The values as graph tensors: a list that exists only unrolled has none, and stops the unrolling around it. */
    static List<Output<?>> outputsOf(List<Object> values) {
        List<Output<?>> outputs = new ArrayList<>(values.size());
        for (Object v : values) {
            if (v instanceof TensorListValue list) {
                if (list.handle() == null) {
                    throw new NotUnrollable("a list built by an unrolled loop reaches an op that cannot be unrolled");
                }
                outputs.add(list.handle());
            } else if (v instanceof Object[] many) {
                throw new IllegalStateException("unexpected nested outputs " + many.length);
            } else {
                outputs.add((Output<?>) v);
            }
        }
        return outputs;
    }

    /** Why a loop stays a {@code While}. */
    private static final class NotUnrollable extends RuntimeException {
        NotUnrollable(String message) {
            super(message, null, false, false);
        }
    }
}
