package dev.explainable.serving.runtime.explain.xrai;

import java.util.List;

/**
 * XRAI's settings (explain.xrai.*), whose defaults are PAIR saliency's (v0.2.x): segmentation on the image min-max scaled to [-1, 1]
 * and resized to 224 x 224, Felzenszwalb at scales 50, 100, 150, 250, 500 and 1200 with sigma 0.8 and minimum
 * segment 150 pixels, segments dilated by a disk of radius 5, masks adding fewer than 50 new pixels skipped,
 * regions added until the whole image (area threshold 1.0) is covered.
 */
public record XraiParameters(
        int segmentationSize,
        List<Double> scales,
        double sigma,
        int minSegmentSize,
        int dilationRadius,
        int minPixelDiff,
        double areaThreshold) {}
