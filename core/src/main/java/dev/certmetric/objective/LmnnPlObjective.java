package dev.certmetric.objective;

/**
 * The objective of docs/ALGORITHM.md, section 4: pull + triplet hinge (LMNN) + perturbation loss.
 *
 * <pre>
 * F = mu/|P| sum_P d2(i,j) + (1-mu)/|T| sum_T max(0, 1 - Delta) + lambda/|T| sum_T psi
 * psi = max(0, tau^2 - gamma^2) if Delta >= 0, else tau^2 (constant)
 * </pre>
 *
 * @param mu weight of the pull term, in [0, 1]
 * @param lambda weight of the perturbation loss, >= 0 (0 gives plain LMNN)
 * @param tau desired adversarial margin in preprocessed input units, >= 0
 */
public record LmnnPlObjective(double mu, double lambda, double tau) {
    public LmnnPlObjective {
        if (!(mu >= 0 && mu <= 1)) {
            throw new IllegalArgumentException("mu must be in [0, 1], got " + mu);
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
        if (!(tau >= 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("tau must be finite and >= 0, got " + tau);
        }
    }

    /** Plain LMNN with the same triplets: the baseline. */
    public LmnnPlObjective withoutPerturbation() {
        return new LmnnPlObjective(mu, 0, tau);
    }

    /** Hinge part of one triplet, before weighting. */
    public static double hinge(double delta) {
        return Math.max(0, 1 - delta);
    }

    /** psi of one triplet, given Delta and gamma^2. */
    public double psi(double delta, double gammaSquared) {
        double tau2 = tau * tau;
        return delta >= 0 ? Math.max(0, tau2 - gammaSquared) : tau2;
    }

    /** Whether the perturbation term of a triplet has a gradient. */
    public boolean perturbationActive(double delta, double gammaSquared) {
        return lambda > 0 && delta >= 0 && gammaSquared < tau * tau;
    }
}
