package dev.explainable.serving.runtime.model;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Integer and boolean scalars of the loaded graph that do not depend on any request: loop counters, trip counts and
 * list indices of recurrent layers, evaluated once at load time by running the restored session.
 *
 * <p>Why: unrolling a {@code While} loop needs its condition's value at every step. A tensor is static when no
 * placeholder and no random op lies among its inputs; such a tensor has the same value in every run.
 */
final class StaticValues {

    private final Graph graph;
    private final Session session;
    private final Map<String, Boolean> staticOps = new HashMap<>();
    private final Map<String, Long> values = new HashMap<>();
    private int folded;

    StaticValues(Graph graph, Session session) {
        this.graph = graph;
        this.session = session;
    }

    /** The scalar's value, when it is an int32, int64 or bool scalar that no request can change. */
    OptionalLong scalar(Output<?> t) {
        DataType type = t.dataType();
        if ((type != DataType.DT_INT32 && type != DataType.DT_INT64 && type != DataType.DT_BOOL)
                || !isStatic((GraphOperation) t.op())) {
            return OptionalLong.empty();
        }
        Long known = interpreted(t);
        if (known != null) {
            return OptionalLong.of(known);
        }
        try (Result r = session.runner().fetch(t).run()) {
            Tensor v = r.get(0);
            if (v.shape().numDimensions() != 0) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(
                    switch (type) {
                        case DT_INT32 -> ((TInt32) v).getInt();
                        case DT_INT64 -> ((TInt64) v).getLong();
                        default -> ((TBool) v).getBoolean() ? 1 : 0;
                    });
        }
    }

    /**
     * A constant with the static scalar's value, so that the next step's condition does not re-run the chain of
     * additions that computed it; the tensor itself where it is not a static integer scalar.
     */
    Output<?> folded(Output<?> t) {
        if (t.dataType() != DataType.DT_INT32 && t.dataType() != DataType.DT_INT64) {
            return t;
        }
        OptionalLong v = scalar(t);
        if (v.isEmpty()) {
            return t;
        }
        return constant(InlinedNames.PREFIX + "static/folded_" + folded++, t.dataType(), v.getAsLong());
    }

    /** An int32 or int64 scalar constant op named {@code name}. */
    Output<?> constant(String name, DataType type, long value) {
        try (Tensor t = type == DataType.DT_INT32 ? TInt32.scalarOf((int) value) : TInt64.scalarOf(value)) {
            return graph.opBuilder("Const", name, graph.baseScope())
                    .setAttr("dtype", type)
                    .setAttr("value", t)
                    .build()
                    .output(0);
        }
    }

    /**
     * The scalar computed in Java for the few ops loop conditions and counters use, or null. Why: each session run on
     * a graph that grew since the last one copies the graph into the session, which made unrolling quadratic in its
     * steps; the session remains the fallback for every other op.
     */
    private Long interpreted(Output<?> t) {
        if (t.shape().numDimensions() != 0) {
            return null;
        }
        String key = t.op().name() + ":" + t.index();
        if (values.containsKey(key)) {
            return values.get(key);
        }
        GraphOperation op = (GraphOperation) t.op();
        Long v = switch (op.type()) {
            case "Const" -> constantScalar(op);
            case "Identity", "Max", "Min" -> interpreted(op.input(0)); // a reduction of a scalar is itself
            case "AddV2", "Add" -> both(op, (a, b) -> a + b);
            case "Sub" -> both(op, (a, b) -> a - b);
            case "Mul" -> both(op, (a, b) -> a * b);
            case "Maximum" -> both(op, Math::max);
            case "Minimum" -> both(op, Math::min);
            case "Less" -> both(op, (a, b) -> a < b ? 1L : 0L);
            case "LessEqual" -> both(op, (a, b) -> a <= b ? 1L : 0L);
            case "Greater" -> both(op, (a, b) -> a > b ? 1L : 0L);
            case "GreaterEqual" -> both(op, (a, b) -> a >= b ? 1L : 0L);
            case "Equal" -> both(op, (a, b) -> a.equals(b) ? 1L : 0L);
            case "NotEqual" -> both(op, (a, b) -> a.equals(b) ? 0L : 1L);
            case "LogicalAnd" -> both(op, (a, b) -> a != 0 && b != 0 ? 1L : 0L);
            case "LogicalOr" -> both(op, (a, b) -> a != 0 || b != 0 ? 1L : 0L);
            case "LogicalNot" -> {
                Long a = interpreted(op.input(0));
                yield a == null ? null : a == 0 ? 1L : 0L;
            }
            default -> null;
        };
        values.put(key, v);
        return v;
    }

    private Long both(GraphOperation op, java.util.function.BinaryOperator<Long> f) {
        Long a = interpreted(op.input(0));
        Long b = a == null ? null : interpreted(op.input(1));
        return b == null ? null : f.apply(a, b);
    }

    private static Long constantScalar(GraphOperation op) {
        try (Tensor v = op.attributes().getAttrTensor("value")) {
            if (v.shape().numDimensions() != 0) {
                return null;
            }
            return switch (v.dataType()) {
                case DT_INT32 -> (long) v.asRawTensor().data().asInts().getInt(0);
                case DT_INT64 -> v.asRawTensor().data().asLongs().getLong(0);
                case DT_BOOL -> v.asRawTensor().data().getByte(0) != 0 ? 1L : 0L;
                default -> null;
            };
        }
    }

    private boolean isStatic(GraphOperation op) {
        Boolean known = staticOps.get(op.name());
        if (known != null) {
            return known;
        }
        boolean result = !op.type().contains("Placeholder") && !op.type().contains("Random");
        for (int i = 0; result && i < op.numInputs(); i++) {
            result = isStatic((GraphOperation) op.input(i).op());
        }
        staticOps.put(op.name(), result);
        return result;
    }
}
