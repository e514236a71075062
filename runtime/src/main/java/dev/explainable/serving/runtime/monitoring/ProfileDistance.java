package dev.explainable.serving.runtime.monitoring;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How far one label's profile is from a reference (the training baseline for skew, the previous window for drift), as
 * documented statistics. Per feature: the change of its mean absolute attribution, as a share of the reference's
 * total (so a feature whose attributions did not change scores 0 however much another one's grew). Overall: the
 * Jensen–Shannon distance between the two share distributions (base 2, so from 0, the same, to 1, disjoint), and the
 * nDCG of the current ranking against the reference's (SageMaker Clarify's rule: relevance is the reference's mean
 * absolute attribution; 1 when the order is kept, below 0.9 its alarm). Pure.
 */
public record ProfileDistance(double jensenShannon, double ndcg, Map<String, Double> shareChange) {

    public static ProfileDistance between(AttributionProfile.Label reference, AttributionProfile.Label current) {
        Map<String, Double> p = reference.shares();
        Map<String, Double> q = current.shares();
        Set<String> features = new LinkedHashSet<>(p.keySet());
        features.addAll(q.keySet());
        Map<String, Double> before = reference.meanAbsAttribution();
        Map<String, Double> after = current.meanAbsAttribution();
        double total = before.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> change = new LinkedHashMap<>();
        for (String f : features) {
            double d = Math.abs(after.getOrDefault(f, 0.0) - before.getOrDefault(f, 0.0));
            change.put(f, total > 0 ? d / total : d);
        }
        return new ProfileDistance(
                jensenShannon(p, q, features), ndcg(reference.meanAbsAttribution(), current.ranking()), change);
    }

    /** sqrt(JSD) with log base 2: a metric between 0 and 1. */
    static double jensenShannon(Map<String, Double> p, Map<String, Double> q, Set<String> features) {
        double d = 0;
        for (String f : features) {
            double a = p.getOrDefault(f, 0.0);
            double b = q.getOrDefault(f, 0.0);
            double m = (a + b) / 2;
            d += kl(a, m) / 2 + kl(b, m) / 2;
        }
        return Math.sqrt(Math.max(0, Math.min(1, d)));
    }

    private static double kl(double a, double m) {
        return a > 0 ? a * (Math.log(a / m) / Math.log(2)) : 0;
    }

    /**
     * DCG of {@code currentOrder} with the reference's values as relevance, over the ideal DCG (the reference's own
     * order): sum rel(f_i) / log2(i + 1), i from 1. Features the reference lacks have relevance 0. 1 when the
     * reference has no attribution at all.
     */
    static double ndcg(Map<String, Double> relevance, List<String> currentOrder) {
        List<Double> ideal = relevance.values().stream()
                .sorted((x, y) -> Double.compare(y, x))
                .toList();
        double idcg = 0;
        for (int i = 0; i < ideal.size(); i++) {
            idcg += ideal.get(i) / (Math.log(i + 2) / Math.log(2));
        }
        if (idcg <= 0) {
            return 1.0;
        }
        double dcg = 0;
        for (int i = 0; i < currentOrder.size(); i++) {
            dcg += relevance.getOrDefault(currentOrder.get(i), 0.0) / (Math.log(i + 2) / Math.log(2));
        }
        return dcg / idcg;
    }
}
