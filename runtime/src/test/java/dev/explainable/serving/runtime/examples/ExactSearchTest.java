package dev.explainable.serving.runtime.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Exact search against closed forms and against sorting every distance. */
class ExactSearchTest {

    @Test
    void pointsOnALineAreFoundInOrderOfTheirSquaredDistance() {
        Embeddings e = new Embeddings(1, Distance.SQUARED_L2, 100);
        for (int i = 0; i < 100; i++) {
            e.add(new float[] {i});
        }
        List<Hit> hits = new ExactSearch(e).nearest(new float[] {41.25f}, 5);
        assertEquals(
                List.of(41, 42, 40, 43, 39), hits.stream().map(Hit::ordinal).toList());
        double[] expected = {0.25 * 0.25, 0.75 * 0.75, 1.25 * 1.25, 1.75 * 1.75, 2.25 * 2.25};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], hits.get(i).distance(), 1e-12);
        }
    }

    @Test
    void cosineDistanceIsOneMinusTheCosineOfTheAngle() {
        Embeddings e = new Embeddings(2, Distance.COSINE, 10);
        double[] angles = {0, 0.5, 1.0, 2.0, Math.PI};
        for (double a : angles) {
            // lengths differ: cosine compares directions only
            double r = 1 + a;
            e.add(new float[] {(float) (r * Math.cos(a)), (float) (r * Math.sin(a))});
        }
        List<Hit> hits = new ExactSearch(e).nearest(Distance.COSINE.prepare(new float[] {3, 0}), 5);
        assertEquals(List.of(0, 1, 2, 3, 4), hits.stream().map(Hit::ordinal).toList());
        for (int i = 0; i < angles.length; i++) {
            assertEquals(1 - Math.cos(angles[i]), hits.get(i).distance(), 1e-6);
        }
    }

    @Test
    void equalDistancesGiveTheEarlierExampleFirst() {
        Embeddings e = new Embeddings(1, Distance.SQUARED_L2, 10);
        for (float v : new float[] {2, -2, 1, -1, 1}) {
            e.add(new float[] {v});
        }
        assertEquals(
                List.of(2, 3, 4, 0, 1),
                new ExactSearch(e)
                        .nearest(new float[] {0}, 5).stream().map(Hit::ordinal).toList());
    }

    @Test
    void asksForMoreThanTheSetHoldsGetsTheWholeSet() {
        Embeddings e = new Embeddings(3, Distance.SQUARED_L2, 10);
        e.add(new float[] {1, 2, 3});
        e.add(new float[] {0, 0, 0});
        assertEquals(2, new ExactSearch(e).nearest(new float[] {0, 0, 0}, 100).size());
        assertEquals(0, new ExactSearch(e).nearest(new float[] {0, 0, 0}, 0).size());
    }

    @Property(tries = 50)
    void theNearestAreTheFirstOfAllDistancesSorted(
            @ForAll @IntRange(min = 1, max = 300) int n,
            @ForAll @IntRange(min = 1, max = 12) int dimensions,
            @ForAll @IntRange(min = 1, max = 20) int k,
            @ForAll long seed) {
        Random random = new Random(seed);
        for (Distance distance : Distance.values()) {
            Embeddings e = new Embeddings(dimensions, distance, n);
            List<float[]> raw = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float[] v = gaussian(random, dimensions);
                raw.add(v);
                e.add(v);
            }
            float[] q = gaussian(random, dimensions);
            List<Hit> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(new Hit(i, reference(distance, q, raw.get(i))));
            }
            all.sort(Comparator.naturalOrder());
            List<Hit> found = new ExactSearch(e).nearest(distance.prepare(q), k);
            assertEquals(Math.min(k, n), found.size());
            for (int i = 0; i < found.size(); i++) {
                assertEquals(all.get(i).distance(), found.get(i).distance(), 1e-5, distance + " rank " + i);
            }
        }
    }

    /** The distance as written in its definition, in doubles. */
    static double reference(Distance distance, float[] a, float[] b) {
        if (distance == Distance.SQUARED_L2) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
                s += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            }
            return s;
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
    }

    static float[] gaussian(Random random, int dimensions) {
        float[] v = new float[dimensions];
        for (int i = 0; i < dimensions; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
