package dev.certmetric.train;

/**
 * An adaptive step-size rule applied to the parameters of L. Mutable; its whole state is exposed
 * through its accessors so learners can be checkpointed.
 */
public final class StepRule {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final String name;
    private final double rate;
    private final double[] first;
    private final double[] second;
    private long steps;

    private StepRule(String name, double rate, double[] first, double[] second, long steps) {
        this.name = name;
        this.rate = rate;
        this.first = first;
        this.second = second;
        this.steps = steps;
    }

    public static StepRule create(String name, double rate, int parameters) {
        return new StepRule(name, rate, new double[parameters], new double[parameters], 0);
    }

    /** Restores a rule from {@link #state()}. */
    public static StepRule restore(String name, double rate, double[] first, double[] second, long steps) {
        if (first.length != second.length) {
            throw new IllegalArgumentException("step-rule state arrays differ in length");
        }
        return new StepRule(name, rate, first.clone(), second.clone(), steps);
    }

    /** params -= step(gradient). */
    public void apply(double[] params, double[] gradient) {
        steps++;
        if ("adagrad".equals(name)) {
            for (int e = 0; e < params.length; e++) {
                double g = gradient[e];
                second[e] += g * g;
                params[e] -= rate * g / (Math.sqrt(second[e]) + EPSILON);
            }
            return;
        }
        double c1 = 1 - Math.pow(BETA1, steps);
        double c2 = 1 - Math.pow(BETA2, steps);
        double stepSize = rate * Math.sqrt(c2) / c1;
        for (int e = 0; e < params.length; e++) {
            double g = gradient[e];
            first[e] = BETA1 * first[e] + (1 - BETA1) * g;
            second[e] = BETA2 * second[e] + (1 - BETA2) * g * g;
            params[e] -= stepSize * first[e] / (Math.sqrt(second[e]) + EPSILON);
        }
    }

    public String name() {
        return name;
    }

    public double rate() {
        return rate;
    }

    public long steps() {
        return steps;
    }

    /** Live views of the moment arrays (first is unused by AdaGrad), for serializers. */
    public double[] firstMoments() {
        return first;
    }

    public double[] secondMoments() {
        return second;
    }
}
