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
        return constant(FunctionInliner.PREFIX + "static/folded_" + folded++, t.dataType(), v.getAsLong());
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
