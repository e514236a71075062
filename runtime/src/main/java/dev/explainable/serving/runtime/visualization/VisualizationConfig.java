package dev.explainable.serving.runtime.visualization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.jboss.logging.Logger;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.result.ImageFormat;

/**
 * An input's {@code visualization} settings with AI Platform's per-method defaults filled in.
 *
 * <p>Defaults (Google's documentation): Integrated Gradients -> outlines, positive, pink_green, original overlay,
 * clip 62..99.9 (99.9 is documented everywhere; the lower bound is documented as 35 in one client version and 62 in
 * later documentation, we follow the later); XRAI -> pixels, positive, viridis, grayscale overlay, no clipping
 * (0..100). overlay_multiplier 0.4, jpeg, no blur, shade_within_outlines true.
 */
public record VisualizationConfig(
        VisualizationType type,
        Polarity polarity,
        double clipBelowPercentile,
        double clipAbovePercentile,
        ColorMap colorMap,
        OverlayType overlayType,
        double overlayMultiplier,
        ImageFormat outputFormat,
        double blurSigma,
        boolean shadeWithinOutlines) {

    private static final Logger LOG = Logger.getLogger(VisualizationConfig.class);
    static final Set<String> KEYS = Set.of(
            "type",
            "polarity",
            "clip_below_percentile",
            "clip_above_percentile",
            "color_map",
            "overlay_type",
            "overlay_multiplier",
            "output_format",
            "blur_sigma",
            "shade_within_outlines");

    public static VisualizationConfig defaults(AttributionMethod method) {
        return method == AttributionMethod.XRAI
                ? new VisualizationConfig(
                        VisualizationType.PIXELS,
                        Polarity.POSITIVE,
                        0,
                        100,
                        ColorMap.VIRIDIS,
                        OverlayType.GRAYSCALE,
                        0.4,
                        ImageFormat.JPEG,
                        0,
                        true)
                : new VisualizationConfig(
                        VisualizationType.OUTLINES,
                        Polarity.POSITIVE,
                        62,
                        99.9,
                        ColorMap.PINK_GREEN,
                        OverlayType.ORIGINAL,
                        0.4,
                        ImageFormat.JPEG,
                        0,
                        true);
    }

    /** Resolves the metadata's settings for an input; every problem is listed in one exception. */
    public static VisualizationConfig resolve(String input, Map<String, Object> raw, AttributionMethod method) {
        VisualizationConfig d = defaults(method);
        if (raw == null) {
            return d;
        }
        List<String> problems = new ArrayList<>();
        for (String k : raw.keySet()) {
            if (!KEYS.contains(k)) {
                problems.add("unknown visualization key '" + k + "' (known: " + KEYS + ")");
            }
        }
        VisualizationType type =
                choice(raw, "type", VisualizationType.values(), VisualizationType::wireName, d.type(), problems);
        Polarity polarity = choice(raw, "polarity", Polarity.values(), Polarity::wireName, d.polarity(), problems);
        ColorMap colorMap = choice(raw, "color_map", ColorMap.values(), ColorMap::wireName, d.colorMap(), problems);
        OverlayType overlay =
                choice(raw, "overlay_type", OverlayType.values(), OverlayType::wireName, d.overlayType(), problems);
        ImageFormat format =
                choice(raw, "output_format", ImageFormat.values(), ImageFormat::wireName, d.outputFormat(), problems);
        double below = number(raw, "clip_below_percentile", d.clipBelowPercentile(), 0, 100, problems);
        double above = number(raw, "clip_above_percentile", d.clipAbovePercentile(), 0, 100, problems);
        double multiplier = number(raw, "overlay_multiplier", d.overlayMultiplier(), 0, 1, problems);
        double blur = number(raw, "blur_sigma", d.blurSigma(), 0, 100, problems);
        boolean shade = d.shadeWithinOutlines();
        Object s = raw.get("shade_within_outlines");
        if (s instanceof Boolean b) {
            shade = b;
        } else if (s != null) {
            problems.add("'shade_within_outlines' must be true or false");
        }
        if (below >= above) {
            problems.add("clip_below_percentile (" + below + ") must be below clip_above_percentile (" + above + ")");
        }
        if (!problems.isEmpty()) {
            throw new MetadataException(
                    "invalid visualization of input '" + input + "': " + String.join("; ", problems));
        }
        if (method == AttributionMethod.XRAI && type == VisualizationType.OUTLINES) {
            LOG.warnf(
                    "input '%s': visualization type outlines is not recommended with XRAI (AI Platform advises pixels)",
                    input);
        }
        return new VisualizationConfig(
                type, polarity, below, above, colorMap, overlay, multiplier, format, blur, shade);
    }

    private static <E extends Enum<E>> E choice(
            Map<String, Object> raw,
            String key,
            E[] allowed,
            Function<E, String> wireName,
            E dflt,
            List<String> problems) {
        Object v = raw.get(key);
        if (v == null) {
            return dflt;
        }
        String s = v.toString().toLowerCase(Locale.ROOT);
        for (E e : allowed) {
            if (wireName.apply(e).equals(s)) {
                return e;
            }
        }
        problems.add("'" + key + "' must be one of "
                + Arrays.stream(allowed).map(wireName).toList() + " (got \"" + v + "\")");
        return dflt;
    }

    private static double number(
            Map<String, Object> raw, String key, double dflt, double min, double max, List<String> problems) {
        Object v = raw.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Number n)
                || Double.isNaN(n.doubleValue())
                || n.doubleValue() < min
                || n.doubleValue() > max) {
            problems.add("'" + key + "' must be a number in [" + min + ", " + max + "] (got " + v + ")");
            return dflt;
        }
        return n.doubleValue();
    }
}
