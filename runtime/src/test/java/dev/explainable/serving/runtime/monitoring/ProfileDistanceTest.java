package dev.explainable.serving.runtime.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The distances between profiles against closed forms worked by hand. */
class ProfileDistanceTest {

    static AttributionProfile.Label label(long count, Object... featureAndMean) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < featureAndMean.length; i += 2) {
            m.put((String) featureAndMean[i], ((Number) featureAndMean[i + 1]).doubleValue());
        }
        return new AttributionProfile.Label(count, m);
    }

    @Test
    void theSameProfileIsAtNoDistance() {
        AttributionProfile.Label p = label(10, "a", 3, "b", 2, "c", 1);
        ProfileDistance d = ProfileDistance.between(p, p);
        assertEquals(0, d.jensenShannon(), 1e-12);
        assertEquals(1, d.ndcg(), 1e-12);
        assertEquals(Map.of("a", 0.0, "b", 0.0, "c", 0.0), d.shareChange());
    }

    @Test
    void jensenShannonDistanceIsBaseTwoFromZeroToOne() {
        assertEquals(
                1, ProfileDistance.between(label(1, "a", 1), label(1, "b", 1)).jensenShannon(), 1e-12, "disjoint");
        // p = (1/2, 1/2), q = (1, 0): m = (3/4, 1/4); KL(p||m) = 1/2 log2(2/3) + 1/2 log2 2, KL(q||m) = log2(4/3)
        double jsd = 0.5 * (0.5 * Math.log(2.0 / 3) / Math.log(2) + 0.5) + 0.5 * Math.log(4.0 / 3) / Math.log(2);
        assertEquals(
                Math.sqrt(jsd),
                ProfileDistance.between(label(1, "a", 1, "b", 1), label(1, "a", 5, "b", 0))
                        .jensenShannon(),
                1e-12);
    }

    @Test
    void ndcgIsSageMakersRankingScore() {
        // relevance a=3, b=2, c=1; current order c, b, a
        double dcg = 1 / log2(2) + 2 / log2(3) + 3 / log2(4);
        double idcg = 3 / log2(2) + 2 / log2(3) + 1 / log2(4);
        assertEquals(
                dcg / idcg, ProfileDistance.ndcg(Map.of("a", 3.0, "b", 2.0, "c", 1.0), List.of("c", "b", "a")), 1e-12);
        assertEquals(
                dcg / idcg,
                ProfileDistance.between(label(4, "a", 3, "b", 2, "c", 1), label(4, "a", 1, "b", 2, "c", 3))
                        .ndcg(),
                1e-12);
    }

    @Test
    void aFeaturesChangeIsOfTheReferencesTotalSoOthersStayAtZero() {
        ProfileDistance d = ProfileDistance.between(label(8, "a", 3, "b", 1), label(8, "a", 3, "b", 5));
        assertEquals(0, d.shareChange().get("a"), 1e-12);
        assertEquals(1, d.shareChange().get("b"), 1e-12); // (5 - 1) / (3 + 1)
    }

    @Test
    void profilesMergeAsTheirExplanationsTogether() {
        AttributionProfile a = new AttributionProfile(Map.of("y", label(1, "f", 2.0)));
        AttributionProfile b = new AttributionProfile(Map.of("y", label(3, "f", 6.0, "g", 4.0)));
        AttributionProfile.Label m = a.merge(b).labels().get("y");
        assertEquals(4, m.count());
        assertEquals((2.0 + 3 * 6.0) / 4, m.meanAbsAttribution().get("f"), 1e-12);
        assertEquals(3 * 4.0 / 4, m.meanAbsAttribution().get("g"), 1e-12);
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
