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
 * own inliner names it; nested calls compose ({@code c/inner_call/n}). The copies live under {@link #PREFIX}
 * because TensorFlow's runtime inliner uses the plain {@code c/n} names itself when the original call runs.
 * The original call ops stay in the graph, untouched.
 */
public final class FunctionInliner {

    /** Name scope of the inlined copies. */
    public static final String PREFIX = "explain_inlined/";

    private static final Set<String> CALL_OPS = Set.of("StatefulPartitionedCall", "PartitionedCall");
    private static volatile Map<String, OpDef> registeredOps;

    private final Graph graph;
    private final Map<String, FunctionDef> library = new HashMap<>();
    /** The graph's nodes as loaded, before any inlining: where call ops' attributes are read. */
    private final Map<String, NodeDef> outerNodes = new HashMap<>();
    /** Outer call op name -> its inlined outputs. */
    private final Map<String, Output<?>[]> inlinedCalls = new HashMap<>();

    public FunctionInliner(Graph graph) {
        this.graph = graph;
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
            GraphOperation inner = graph.operation(PREFIX + opName);
            if (inner != null) {
                return inner.output(index);
            }
        }
        throw new IllegalArgumentException("tensor " + name + " is not in the model's graph");
    }

    /** True when the op is a function call this class can inline. */
    public boolean isCall(GraphOperation op) {
        return CALL_OPS.contains(op.type()) || library.containsKey(op.type());
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
        Output<?>[] outputs = inlinedCalls.get(op.name());
        if (outputs == null) {
            List<Output<?>> args = new ArrayList<>();
            for (int i = 0; i < op.numInputs(); i++) {
                args.add(inlined(op.input(i)));
            }
            NodeDef def = outerNodes.get(op.name());
            if (def == null) {
                throw new IllegalStateException("call " + op.name() + " was not in the graph as loaded");
            }
            outputs = inlineFunction(functionName(op.type(), def.getAttrMap()), PREFIX + op.name() + "/", args);
            inlinedCalls.put(op.name(), outputs);
        }
        return outputs[tensor.index()];
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

    private Output<?>[] inlineFunction(String name, String prefix, List<Output<?>> args) {
        FunctionDef fn = library.get(name);
        if (fn == null) {
            throw new IllegalStateException("function " + name + " is not in the graph's library");
        }
        return new Body(fn, prefix, args).outputs();
    }

    /** One function body being copied. */
    private final class Body {
        private final FunctionDef fn;
        private final String prefix;
        private final Map<String, Output<?>> args = new HashMap<>();
        private final Map<String, NodeDef> nodes = new HashMap<>();
        private final Map<String, GraphOperation> builtOps = new HashMap<>();
        private final Map<String, Output<?>[]> builtCalls = new HashMap<>();

        Body(FunctionDef fn, String prefix, List<Output<?>> callArgs) {
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

        Output<?>[] outputs() {
            List<OpDef.ArgDef> outs = fn.getSignature().getOutputArgList();
            Output<?>[] result = new Output<?>[outs.size()];
            for (int i = 0; i < outs.size(); i++) {
                result[i] = resolve(fn.getRetOrThrow(outs.get(i).getName()));
            }
            return result;
        }

        /** A data reference inside the body: {@code arg} or {@code node:output_arg:index}. */
        private Output<?> resolve(String ref) {
            String[] parts = ref.split(":");
            if (parts.length == 1) {
                Output<?> arg = args.get(ref);
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
            Output<?>[] call = builtCalls.get(node);
            if (call != null) {
                List<OpDef.ArgDef> outs = library.get(functionName(def.getOp(), def.getAttrMap()))
                        .getSignature()
                        .getOutputArgList();
                if (CALL_OPS.contains(def.getOp())) {
                    return call[index]; // the call's single list output "output"
                }
                for (int i = 0; i < outs.size(); i++) {
                    if (outs.get(i).getName().equals(outArg)) {
                        return call[i + index];
                    }
                }
                throw new IllegalStateException("no output " + outArg + " on call " + node);
            }
            GraphOperation op = builtOps.get(node);
            return op.output(flatOutputIndex(opDef(def.getOp()), def.getAttrMap(), outArg, index));
        }

        private void build(String name) {
            if (builtOps.containsKey(name) || builtCalls.containsKey(name)) {
                return;
            }
            NodeDef def = nodes.get(name);
            List<Output<?>> inputs = new ArrayList<>();
            List<String> controls = new ArrayList<>();
            for (String in : def.getInputList()) {
                if (in.startsWith("^")) {
                    controls.add(in.substring(1));
                } else {
                    inputs.add(resolve(in));
                }
            }
            if (CALL_OPS.contains(def.getOp()) || library.containsKey(def.getOp())) {
                // Control inputs of a nested call are dropped: inference bodies only order reads after
                // variable creation, which the restored session has already done.
                builtCalls.put(
                        name, inlineFunction(functionName(def.getOp(), def.getAttrMap()), prefix + name + "/", inputs));
                return;
            }
            if (SparseOps.isSubstituted(def.getOp())) {
                // control inputs dropped, as for nested calls: these ops read no state
                GraphOperation copy = SparseOps.substitute(graph, def, prefix + name, inputs);
                if (copy != null) {
                    builtOps.put(name, copy);
                    return;
                }
            }
            OpDef opDef = opDef(def.getOp());
            GraphOperationBuilder b = graph.opBuilder(def.getOp(), prefix + name, graph.baseScope());
            int next = 0;
            for (OpDef.ArgDef arg : opDef.getInputArgList()) {
                int n = argLength(arg, def.getAttrMap());
                if (isList(arg)) {
                    b.addInputList(inputs.subList(next, next + n).toArray(new Output<?>[0]));
                } else {
                    b.addInput(inputs.get(next));
                }
                next += n;
            }
            for (Map.Entry<String, AttrValue> a : def.getAttrMap().entrySet()) {
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
            builtOps.put(name, b.build());
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
