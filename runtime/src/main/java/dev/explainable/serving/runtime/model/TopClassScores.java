package dev.explainable.serving.runtime.model;

import java.util.Collections;
import java.util.List;

import dev.explainable.serving.runtime.explain.ScoreFunction;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * The score of an instance's top class as attribution methods see it, the class chosen by the explanation's own
 * first run instead of a forward run before it: that run carries the instance as one more row and the graph gives
 * every point the top class at that row ({@link ExplanationOps}), so choosing the label costs a row of a run the
 * explanation makes anyway rather than a TensorFlow call of its own (a third of the tabular model's explanation;
 * about even on image models, where the row and its copies cost what the call did). The class chosen first is kept
 * for every later run; a run that chose another (equal scores computed in another batch) is run again with it.
 *
 * <p>Where the first runs are handed in at once (points that do not fit one run), or one run has no room for the
 * extra row, a run of the instance alone chooses the class first, as the forward run did: an extra row in each of
 * two runs of a large model costs more than that run.
 */
public final class TopClassScores implements ScoreFunction {

    private final ModelRunner runner;
    private final ForwardResult instance;
    private final ExplainedOutput output;
    private final int batchSize;
    /** The function of the chosen class, null until a run has chosen it. */
    private volatile ScoreFunction chosen;

    private LabelTarget label;

    TopClassScores(ModelRunner runner, ForwardResult instance, ExplainedOutput output, int batchSize) {
        this.runner = runner;
        this.instance = instance;
        this.output = output;
        this.batchSize = batchSize;
    }

    @Override
    public Scores at(List<float[]> points, int n, boolean withGradients) {
        ScoreFunction known = chosen;
        if (known != null) {
            return known.at(points, n, withGradients);
        }
        if (n + 1 > runner.rowsPerRun(instance, batchSize)) {
            return choose().at(points, n, withGradients);
        }
        ModelRunner.ChosenScores run;
        try {
            run = runner.evaluateChoosing(instance, output, points, n, withGradients);
        } catch (ResourceExhaustedException e) {
            // out of memory with the extra row: the chosen class's function halves its runs as it must
            return choose().at(points, n, withGradients);
        }
        return keep(run.label()) ? run.scores() : chosen.at(points, n, withGradients);
    }

    @Override
    public List<Scores> atEach(List<List<float[]>> points, int[] n, boolean withGradients) {
        if (chosen == null && points.size() == 1) {
            return List.of(at(points.get(0), n[0], withGradients));
        }
        return choose().atEach(points, n, withGradients);
    }

    @Override
    public int maxPointsPerCall() {
        ScoreFunction known = chosen;
        int rows = runner.rowsPerRun(instance, batchSize);
        // until the class is chosen a run also carries the instance
        return known != null ? known.maxPointsPerCall() : Math.max(1, rows - 1);
    }

    @Override
    public int concurrentCalls() {
        return runner.callsAtOnce();
    }

    /** The explained class: the one a run chose, or, where no run has yet, the one a run of the instance chooses. */
    public LabelTarget label() {
        choose();
        synchronized (this) {
            return label;
        }
    }

    /** The function of the chosen class, a run of the instance alone choosing it where none has yet. */
    private ScoreFunction choose() {
        ScoreFunction known = chosen;
        if (known != null) {
            return known;
        }
        List<float[]> none = Collections.nCopies(instance.explainedValues().size(), new float[0]);
        keep(runner.evaluateChoosing(instance, output, none, 0, false).label());
        return chosen;
    }

    /** Keeps {@code label} where no class was chosen yet; true when it is the kept one. */
    private synchronized boolean keep(int index) {
        if (label == null) {
            label = LabelTargets.at(output.info(), index);
            chosen = runner.scoreFunction(instance, output.info(), label, batchSize);
        }
        return label.labelIndex() == index;
    }
}
