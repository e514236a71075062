package dev.explainable.serving.runtime.tensor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.work.InvalidInstanceException;
import dev.explainable.serving.runtime.work.LimitExceededException;

/**
 * Turns one JSON instance of an AI Platform request into a value per model input: scalars, (nested) lists,
 * objects of named inputs, {@code {"b64": ...}} bytes, and JPEG/PNG bytes for float image inputs.
 */
public final class InstanceDecoder {

    private final List<TensorSpec> inputs;
    /** Alternative names accepted for an input (the metadata's input keys). */
    private final Map<String, String> aliases;
    /** Sparse inputs: three signature inputs each, decoded together. */
    private final List<SparseSpec> sparse;

    private final long maxImagePixels;
    private final long maxFreeDimension;
    private final long maxValues;

    /** With the default limits (explain.limits.max-image-pixels and max-free-dimension). */
    public InstanceDecoder(List<TensorSpec> inputs, Map<String, String> aliases) {
        this(inputs, aliases, 4_194_304L, 4096, 1_048_576L);
    }

    /**
     * @param inputs           the model's inputs, in signature order
     * @param aliases          extra accepted name -> input key (for example metadata input keys)
     * @param maxImagePixels   most pixels of an image, read from its header before decoding
     * @param maxFreeDimension largest size a request may give a free dimension
     * @param maxValues        most input values of one instance (no model run could take more)
     */
    public InstanceDecoder(
            List<TensorSpec> inputs,
            Map<String, String> aliases,
            long maxImagePixels,
            long maxFreeDimension,
            long maxValues) {
        this(inputs, aliases, List.of(), maxImagePixels, maxFreeDimension, maxValues);
    }

    /**
     * @param sparse the sparse inputs among {@code inputs}: each instance gives their values, indices and dense shape
     *     (see {@link SparseTensors#check})
     */
    public InstanceDecoder(
            List<TensorSpec> inputs,
            Map<String, String> aliases,
            List<SparseSpec> sparse,
            long maxImagePixels,
            long maxFreeDimension,
            long maxValues) {
        this.inputs = List.copyOf(inputs);
        this.aliases = Map.copyOf(aliases);
        this.sparse = List.copyOf(sparse);
        this.maxImagePixels = maxImagePixels;
        this.maxFreeDimension = maxFreeDimension;
        this.maxValues = maxValues;
    }

    /**
     * Decodes instance {@code index}; keys of the result are input keys. Throws InvalidInstanceException on any problem, and refuses an
     * instance larger than one model run may take as soon as it is decoded: the request's other instances are not
     * decoded and held for a refusal that would come anyway.
     */
    public Map<String, HostTensor> decode(JsonNode instance, int index) {
        Map<String, HostTensor> values = decodeInputs(instance, index);
        long size = 0;
        for (HostTensor t : values.values()) {
            size += t.size();
        }
        if (size > maxValues) {
            throw new LimitExceededException("instance " + index + " has " + size + " input values, more than the "
                    + maxValues + " one model run may take (explain.limits.max-batch-elements)");
        }
        return values;
    }

    private Map<String, HostTensor> decodeInputs(JsonNode instance, int index) {
        Map<String, HostTensor> values = new LinkedHashMap<>();
        if (instance.isObject() && !isB64(instance)) {
            Iterator<Map.Entry<String, JsonNode>> fields = instance.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                TensorSpec spec = find(f.getKey());
                if (spec == null) {
                    throw new InvalidInstanceException(
                            "instance " + index + ": unknown input '" + f.getKey() + "'; the model takes " + names());
                }
                String where = "instance " + index + ", input '" + f.getKey() + "'";
                if (values.containsKey(spec.key())) {
                    throw new InvalidInstanceException(where + ": input '" + spec.key() + "' is given twice");
                }
                // a sparse input's parts have shapes of their own: checked together below
                values.put(spec.key(), decodeValue(f.getValue(), isSparsePart(spec) ? anyShape(spec) : spec, where));
            }
            List<String> missing = new ArrayList<>();
            for (TensorSpec s : inputs) {
                if (!values.containsKey(s.key())) {
                    missing.add(s.key());
                }
            }
            if (!missing.isEmpty()) {
                throw new InvalidInstanceException("instance " + index + ": missing input(s) " + missing);
            }
            for (SparseSpec s : sparse) {
                HostTensor[] parts = SparseTensors.check(
                        s,
                        values.get(s.valuesKey()),
                        values.get(s.indicesKey()),
                        values.get(s.denseShapeKey()),
                        maxFreeDimension,
                        "instance " + index + ", sparse input '" + s.key() + "'");
                values.put(s.valuesKey(), parts[0]);
                values.put(s.indicesKey(), parts[1]);
                values.put(s.denseShapeKey(), parts[2]);
            }
            return values;
        }
        if (inputs.size() != 1) {
            throw new InvalidInstanceException("instance " + index + ": the model takes several inputs " + names()
                    + "; send each instance as an object of named inputs");
        }
        TensorSpec only = inputs.get(0);
        values.put(only.key(), decodeValue(instance, only, "instance " + index));
        return values;
    }

    private boolean isSparsePart(TensorSpec spec) {
        return sparse.stream().anyMatch(s -> s.isPart(spec.key()));
    }

    private static TensorSpec anyShape(TensorSpec spec) {
        return new TensorSpec(spec.key(), spec.tensorName(), spec.dtype(), null);
    }

    private String names() {
        List<String> n = new ArrayList<>();
        inputs.forEach(s -> n.add(s.key()));
        aliases.forEach((alias, key) -> {
            if (!n.contains(alias)) {
                n.add(alias);
            }
        });
        return n.toString();
    }

    private TensorSpec find(String name) {
        String key = aliases.getOrDefault(name, name);
        for (TensorSpec s : inputs) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        return null;
    }

    static boolean isB64(JsonNode node) {
        return node.isObject() && node.size() == 1 && node.has("b64");
    }

    static byte[] b64(JsonNode node, String where) {
        JsonNode v = node.get("b64");
        if (!v.isTextual()) {
            throw new InvalidInstanceException(where + ": \"b64\" must be a base64 string");
        }
        try {
            return Base64.getMimeDecoder().decode(strictBase64(v.asText(), where));
        } catch (IllegalArgumentException e) {
            throw new InvalidInstanceException(where + ": invalid base64 data (" + e.getMessage() + ")");
        }
    }

    /** The MIME decoder skips foreign characters silently; reject them so a typo is an error, not garbage. */
    private static String strictBase64(String s, String where) {
        String url =
                s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? s.replace('-', '+').replace('_', '/') : s;
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '+'
                    || c == '/'
                    || c == '='
                    || c == '\n'
                    || c == '\r';
            if (!ok) {
                throw new InvalidInstanceException(where + ": invalid base64 data (illegal character '" + c + "')");
            }
        }
        String compact = url.replace("\n", "").replace("\r", "");
        int unpadded = compact.replace("=", "").length();
        if (unpadded % 4 == 1) {
            throw new InvalidInstanceException(where + ": invalid base64 data (truncated)");
        }
        return compact;
    }

    /** Decodes a value for one input; {@code where} prefixes error messages. */
    private HostTensor decodeValue(JsonNode value, TensorSpec spec, String where) {
        if (isB64(value) && spec.dtype() != DType.STRING) {
            return decodeImage(b64(value, where), spec, where);
        }
        List<Long> dims = new ArrayList<>();
        shapeOf(value, dims, where);
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        if (!spec.accepts(shape)) {
            throw new InvalidInstanceException(where + ": expected shape " + spec.describeShape() + " but got "
                    + java.util.Arrays.toString(shape));
        }
        checkFreeDimensions(shape, spec, where);
        List<JsonNode> leaves = new ArrayList<>();
        flatten(value, leaves);
        int n = leaves.size();
        Object data = switch (spec.dtype()) {
            case FLOAT -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) number(leaves.get(i), where);
                    if (!Float.isFinite(f[i])) {
                        throw new InvalidInstanceException(
                                where + ": value " + leaves.get(i) + " is out of float32 range");
                    }
                }
                yield f;
            }
            case DOUBLE -> {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = number(leaves.get(i), where);
                }
                yield d;
            }
            case INT32 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    long l = integer(leaves.get(i), where);
                    if (l != (int) l) {
                        throw new InvalidInstanceException(where + ": " + l + " does not fit in int32");
                    }
                    v[i] = (int) l;
                }
                yield v;
            }
            case INT64 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = integer(leaves.get(i), where);
                }
                yield v;
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    if (!leaves.get(i).isBoolean()) {
                        throw new InvalidInstanceException(where + ": expected true or false, got " + leaves.get(i));
                    }
                    v[i] = leaves.get(i).booleanValue();
                }
                yield v;
            }
            case STRING -> {
                byte[][] v = new byte[n][];
                for (int i = 0; i < n; i++) {
                    JsonNode leaf = leaves.get(i);
                    if (isB64(leaf)) {
                        v[i] = b64(leaf, where);
                        // image bytes a graph decodes itself (tf.io.decode_image) get the same pixel bound
                        ImageDecoder.checkPixels(v[i], maxImagePixels, where);
                    } else if (leaf.isTextual()) {
                        v[i] = leaf.asText().getBytes(StandardCharsets.UTF_8);
                    } else {
                        throw new InvalidInstanceException(
                                where + ": expected a string or {\"b64\": ...}, got " + leaf);
                    }
                }
                yield v;
            }
        };
        return new HostTensor(spec.dtype(), shape, data);
    }

    private void checkFreeDimensions(long[] shape, TensorSpec spec, String where) {
        for (int i = 0; i < shape.length; i++) {
            boolean free = spec.shape() == null || spec.shape()[i] < 0;
            if (free && shape[i] > maxFreeDimension) {
                throw new LimitExceededException(where + ": dimension " + i + " has size " + shape[i]
                        + ", more than the limit of " + maxFreeDimension + " (explain.limits.max-free-dimension)");
            }
        }
    }

    private HostTensor decodeImage(byte[] bytes, TensorSpec spec, String where) {
        long[] s = spec.shape();
        if (spec.dtype() != DType.FLOAT
                || s == null
                || s.length < 2
                || s.length > 3
                || (s.length == 3 && s[2] != 3 && s[2] != 1)) {
            throw new InvalidInstanceException(where + ": {\"b64\": ...} needs a string input or a float image input"
                    + " of shape [height, width, 3]; this input is "
                    + spec.dtype().displayName() + " " + spec.describeShape());
        }
        try {
            HostTensor image =
                    ImageDecoder.decode(bytes, s[0], s[1], s.length == 3 ? (int) s[2] : 0, maxImagePixels, where);
            checkFreeDimensions(image.shape(), spec, where);
            return image;
        } catch (IllegalArgumentException e) {
            throw new InvalidInstanceException(where + ": " + e.getMessage());
        }
    }

    private static void shapeOf(JsonNode node, List<Long> dims, String where) {
        // the shape along the first elements, then every element checked against it without allocating: an image
        // is thousands of nested lists; only a ragged one is walked again, for the message that says where
        List<Long> first = new ArrayList<>();
        for (JsonNode n = node; n.isArray(); n = n.get(0)) {
            first.add((long) n.size());
            if (n.isEmpty()) {
                break;
            }
        }
        if (matches(node, first, 0)) {
            dims.addAll(first);
        } else {
            raggedShapeOf(node, dims, where);
        }
    }

    /** True when {@code node}, at depth {@code depth}, has the shape {@code dims} from that depth on. */
    private static boolean matches(JsonNode node, List<Long> dims, int depth) {
        if (depth == dims.size()) {
            return !node.isArray();
        }
        if (!node.isArray() || node.size() != dims.get(depth)) {
            return false;
        }
        for (JsonNode child : node) {
            if (!matches(child, dims, depth + 1)) {
                return false;
            }
        }
        return true;
    }

    /** The shape, comparing every element's: the ragged element's message. */
    private static void raggedShapeOf(JsonNode node, List<Long> dims, String where) {
        if (!node.isArray()) {
            return;
        }
        dims.add((long) node.size());
        if (node.size() == 0) {
            return;
        }
        List<Long> first = new ArrayList<>();
        raggedShapeOf(node.get(0), first, where);
        for (int i = 1; i < node.size(); i++) {
            List<Long> other = new ArrayList<>();
            raggedShapeOf(node.get(i), other, where);
            if (!other.equals(first)) {
                throw new InvalidInstanceException(where + ": ragged nested list (element 0 has shape " + first
                        + ", element " + i + " has shape " + other + ")");
            }
        }
        dims.addAll(first);
    }

    private static void flatten(JsonNode node, List<JsonNode> out) {
        if (node.isArray()) {
            node.forEach(n -> flatten(n, out));
        } else {
            out.add(node);
        }
    }

    private static double number(JsonNode leaf, String where) {
        if (leaf.isBoolean()) {
            return leaf.booleanValue() ? 1 : 0;
        }
        if (!leaf.isNumber()) {
            throw new InvalidInstanceException(where + ": expected a number, got " + abbreviate(leaf));
        }
        double d = leaf.doubleValue();
        if (!Double.isFinite(d)) {
            throw new InvalidInstanceException(where + ": " + leaf + " is not a finite number");
        }
        return d;
    }

    private static long integer(JsonNode leaf, String where) {
        if (leaf.isIntegralNumber() && leaf.canConvertToLong()) {
            return leaf.longValue();
        }
        double d = number(leaf, where);
        if (d != Math.rint(d)) {
            throw new InvalidInstanceException(where + ": expected an integer, got " + leaf);
        }
        return (long) d;
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
