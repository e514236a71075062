package dev.explainable.serving.runtime.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Copies the bodies of function calls ({@code StatefulPartitionedCall}, {@code PartitionedCall}, direct
 * function ops) into the outer graph, recursively.
 *
 * <p>Why: TF2 Keras SavedModels run their whole body inside a {@code StatefulPartitionedCall}. The C++
 * gradient of a function call is a {@code SymbolicGradient} that fails at run time when the call takes
 * resource (variable) inputs, and no custom gradient can replace it from Java. Once the body is inlined,
 * {@link Graph#addGradients} sees ordinary ops with registered gradients. The session keeps the restored
 * variables because the inlined ops read the same resource handles.
 *
 * <p>Two sparse ops without a C++ gradient are copied as differentiable equivalents ({@link SparseOps}).
 *
 * <p>Naming: a node {@code n} of the function called by outer op {@code c} becomes {@code c/n}, as TensorFlow's
 * own inliner names it; nested calls compose ({@code c/inner_call/n}). The copies live under
 * {@link InlinedNames#PREFIX} because TensorFlow's runtime inliner uses the plain {@code c/n} names itself when the
 * original call runs. The original call ops stay in the graph, untouched.
 *
 * <p>Loops: given the restored session, {@code While} loops whose condition does not depend on the request are
 * unrolled into the copy by {@link LoopUnroller}, a pass of its own that this class asks first about every op it
 * copies. Without a session loops are copied as they are.
 */
public final class FunctionInliner {

    private static final Set<String> CALL_OPS = Set.of("StatefulPartitionedCall", "PartitionedCall");
    private static volatile Map<String, OpDef> registeredOps;

    private final Graph graph;
    private final Map<String, FunctionDef> library = new HashMap<>();
    /** The graph's nodes as loaded, before any inlining: where call ops' attributes are read. */
    private final Map<String, NodeDef> outerNodes = new HashMap<>();
    /** Outer call op name -> its inlined outputs. */
    private final Map<String, Object[]> inlinedCalls = new HashMap<>();
    /** Unrolls loops with a static number of steps; null: loops are copied, not unrolled. */
    private final LoopUnroller loops;

    /** An inliner that copies loops as they are (listing tensors, forward-only use). */
    public FunctionInliner(Graph graph) {
        this(graph, null);
    }

    /** An inliner that unrolls loops with a static number of steps, evaluating their conditions in {@code session}. */
    public FunctionInliner(Graph graph, Session session) {
        this.graph = graph;
        this.loops = session == null ? null : new LoopUnroller(graph, session);
        GraphDef def = graph.toGraphDef();
        for (FunctionDef f : def.getLibrary().getFunctionList()) {
            library.put(f.getSignature().getName(), f);
        }
        for (NodeDef n : def.getNodeList()) {
            outerNodes.put(n.getName(), n);
        }
    }

    /**
     * Resolves a tensor name as a user writes it: a tensor of the loaded graph, or one inside a function body
     * named {@code call/node:index} (TensorFlow's inlined naming), inlining what is needed to reach it.
     */
    public Output<?> tensor(String name) {
        String opName = name.contains(":") ? name.substring(0, name.lastIndexOf(':')) : name;
        int index = name.contains(":") ? Integer.parseInt(name.substring(name.lastIndexOf(':') + 1)) : 0;
        GraphOperation op = graph.operation(opName);
        if (op != null) {
            return inlined(op.output(index));
        }
        // Inside a function: inline the outer call named by the first path segment, then look again.
        int slash = opName.indexOf('/');
        GraphOperation call = slash > 0 ? graph.operation(opName.substring(0, slash)) : null;
        if (call != null && isCall(call)) {
            inlined(call.output(0));
            GraphOperation inner = graph.operation(InlinedNames.PREFIX + opName);
            if (inner != null) {
                return inner.output(index);
            }
        }
        throw new IllegalArgumentException("tensor " + name + " is not in the model's graph");
    }

    /** True when the op is a function call this class can inline. */
    public boolean isCall(GraphOperation op) {
        return isFunctionCall(op.type());
    }

    private boolean isFunctionCall(String opType) {
        return CALL_OPS.contains(opType) || library.containsKey(opType);
    }

    /** Why loops were copied as loops rather than unrolled (empty when every loop was unrolled). */
    public Set<String> loopsNotUnrolled() {
        return loops == null ? Set.of() : loops.loopsNotUnrolled();
    }

    /**
     * The tensor that computes the same value as {@code tensor} without going through a function call:
     * inlines the call that produces it (and any call feeding that one), once per call op.
     */
    public Output<?> inlined(Output<?> tensor) {
        GraphOperation op = (GraphOperation) tensor.op();
        if (!isCall(op)) {
            return tensor;
        }
        Object[] outputs = inlinedCalls.get(op.name());
        if (outputs == null) {
            List<Object> args = new ArrayList<>();
            for (int i = 0; i < op.numInputs(); i++) {
                args.add(inlined(op.input(i)));
            }
            NodeDef def = outerNodes.get(op.name());
            if (def == null) {
                throw new IllegalStateException("call " + op.name() + " was not in the graph as loaded");
            }
            outputs = inlineFunction(
                    functionName(op.type(), def.getAttrMap()), InlinedNames.PREFIX + op.name() + "/", args);
            inlinedCalls.put(op.name(), outputs);
        }
        return LoopUnroller.outputsOf(List.of(outputs[tensor.index()])).get(0);
    }

    private String functionName(String opType, Map<String, AttrValue> attrs) {
        if (CALL_OPS.contains(opType)) {
            AttrValue f = attrs.get("f");
            if (f == null || !f.hasFunc()) {
                throw new IllegalStateException(opType + " without a function attribute");
            }
            return f.getFunc().getName();
        }
        return opType;
    }

    private Object[] inlineFunction(String name, String prefix, List<?> args) {
        FunctionDef fn = library.get(name);
        if (fn == null) {
            throw new IllegalStateException("function " + name + " is not in the graph's library");
        }
        return new Body(fn, prefix, args).outputs();
    }

    /** One function body being copied. */
    private final class Body implements LoopUnroller.Copy {
        private final FunctionDef fn;
        private final String prefix;
        private final Map<String, Object> args = new HashMap<>();
        private final Map<String, NodeDef> nodes = new HashMap<>();
        private final Map<String, GraphOperation> builtOps = new HashMap<>();
        /** Calls, unrolled loops and list ops: their outputs as values (tensors or {@link TensorListValue}s). */
        private final Map<String, Object[]> builtValues = new HashMap<>();

        Body(FunctionDef fn, String prefix, List<?> callArgs) {
            this.fn = fn;
            this.prefix = prefix;
            List<OpDef.ArgDef> inputArgs = fn.getSignature().getInputArgList();
            if (inputArgs.size() != callArgs.size()) {
                throw new IllegalStateException("function " + fn.getSignature().getName() + " takes " + inputArgs.size()
                        + " inputs, call passes " + callArgs.size());
            }
            for (int i = 0; i < inputArgs.size(); i++) {
                args.put(inputArgs.get(i).getName(), callArgs.get(i));
            }
            for (NodeDef n : fn.getNodeDefList()) {
                nodes.put(n.getName(), n);
            }
        }

        Object[] outputs() {
            List<OpDef.ArgDef> outs = fn.getSignature().getOutputArgList();
            Object[] result = new Object[outs.size()];
            for (int i = 0; i < outs.size(); i++) {
                result[i] = resolve(fn.getRetOrThrow(outs.get(i).getName()));
            }
            return result;
        }

        /** A data reference inside the body: {@code arg} or {@code node:output_arg:index}. */
        private Object resolve(String ref) {
            String[] parts = ref.split(":");
            if (parts.length == 1) {
                Object arg = args.get(ref);
                if (arg == null) {
                    throw new IllegalStateException("unknown reference " + ref + " in "
                            + fn.getSignature().getName());
                }
                return arg;
            }
            String node = parts[0];
            String outArg = parts[1];
            int index = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
            NodeDef def = nodes.get(node);
            if (def == null) {
                throw new IllegalStateException(
                        "unknown node " + node + " in " + fn.getSignature().getName());
            }
            build(node);
            Object[] values = builtValues.get(node);
            if (values != null) {
                if (!isFunctionCall(def.getOp())) {
                    return values[flatOutputIndex(opDef(def.getOp()), def.getAttrMap(), outArg, index)];
                }
                if (CALL_OPS.contains(def.getOp())) {
                    return values[index]; // the call's single list output "output"
                }
                List<OpDef.ArgDef> outs =
                        library.get(def.getOp()).getSignature().getOutputArgList();
                for (int i = 0; i < outs.size(); i++) {
                    if (outs.get(i).getName().equals(outArg)) {
                        return values[i + index];
                    }
                }
                throw new IllegalStateException("no output " + outArg + " on call " + node);
            }
            GraphOperation op = builtOps.get(node);
            return op.output(flatOutputIndex(opDef(def.getOp()), def.getAttrMap(), outArg, index));
        }

        private void build(String name) {
            if (builtOps.containsKey(name) || builtValues.containsKey(name)) {
                return;
            }
            NodeDef def = nodes.get(name);
            List<Object> inputs = new ArrayList<>();
            List<String> controls = new ArrayList<>();
            for (String in : def.getInputList()) {
                if (in.startsWith("^")) {
                    controls.add(in.substring(1));
                } else {
                    inputs.add(resolve(in));
                }
            }
            if (isFunctionCall(def.getOp())) {
                // Control inputs of a nested call are dropped: inference bodies only order reads after
                // variable creation, which the restored session has already done.
                builtValues.put(
                        name, inlineFunction(functionName(def.getOp(), def.getAttrMap()), prefix + name + "/", inputs));
                return;
            }
            if (SparseOps.isSubstituted(def.getOp())) {
                // control inputs dropped, as for nested calls: these ops read no state
                GraphOperation copy = SparseOps.substitute(graph, def, prefix + name, LoopUnroller.outputsOf(inputs));
                if (copy != null) {
                    builtOps.put(name, copy);
                    return;
                }
            }
            Object[] virtual = loops == null ? null : loops.virtualOp(this, name, def, inputs);
            if (virtual != null) {
                builtValues.put(name, virtual);
                return;
            }
            builtOps.put(
                    name,
                    buildOp(def.getOp(), prefix + name, def.getAttrMap(), LoopUnroller.outputsOf(inputs), controls));
        }

        private GraphOperation buildOp(
                String type,
                String opName,
                Map<String, AttrValue> attrs,
                List<Output<?>> inputs,
                List<String> controls) {
            OpDef opDef = opDef(type);
            GraphOperationBuilder b = graph.opBuilder(type, opName, graph.baseScope());
            int next = 0;
            for (OpDef.ArgDef arg : opDef.getInputArgList()) {
                int n = argLength(arg, attrs);
                if (isList(arg)) {
                    b.addInputList(inputs.subList(next, next + n).toArray(new Output<?>[0]));
                } else {
                    b.addInput(inputs.get(next));
                }
                next += n;
            }
            for (Map.Entry<String, AttrValue> a : attrs.entrySet()) {
                if (!a.getKey().startsWith("_")) { // "_" attrs are runtime hints, not op attributes
                    b.setAttr(a.getKey(), a.getValue());
                }
            }
            for (String c : controls) {
                build(c);
                GraphOperation dep = builtOps.get(c);
                if (dep != null) {
                    b.addControlInput(dep);
                }
            }
            return b.build();
        }

        @Override
        public String prefix() {
            return prefix;
        }

        @Override
        public GraphOperation buildOp(
                String type, String opName, Map<String, AttrValue> attrs, List<Output<?>> inputs) {
            return buildOp(type, opName, attrs, inputs, List.of());
        }

        @Override
        public Object[] inline(String function, String prefix, List<?> args) {
            return inlineFunction(function, prefix, args);
        }
    }

    static OpDef opDef(String type) {
        Map<String, OpDef> ops = registeredOps;
        if (ops == null) {
            Map<String, OpDef> m = new HashMap<>();
            for (OpDef d : TensorFlow.registeredOpList().getOpList()) {
                m.put(d.getName(), d);
            }
            registeredOps = ops = m;
        }
        OpDef d = ops.get(type);
        if (d == null) {
            throw new IllegalStateException("op " + type + " is not registered in this TensorFlow build");
        }
        return d;
    }

    private static boolean isList(OpDef.ArgDef arg) {
        return !arg.getNumberAttr().isEmpty() || !arg.getTypeListAttr().isEmpty();
    }

    private static int argLength(OpDef.ArgDef arg, Map<String, AttrValue> attrs) {
        if (!arg.getNumberAttr().isEmpty()) {
            return (int) attrs.get(arg.getNumberAttr()).getI();
        }
        if (!arg.getTypeListAttr().isEmpty()) {
            return attrs.get(arg.getTypeListAttr()).getList().getTypeCount();
        }
        return 1;
    }

    /** Position of {@code outArg[index]} among the op's flattened outputs. */
    static int flatOutputIndex(OpDef opDef, Map<String, AttrValue> attrs, String outArg, int index) {
        int offset = 0;
        for (OpDef.ArgDef arg : opDef.getOutputArgList()) {
            if (arg.getName().equals(outArg)) {
                return offset + index;
            }
            offset += argLength(arg, attrs);
        }
        throw new IllegalStateException("op " + opDef.getName() + " has no output " + outArg);
    }
}
