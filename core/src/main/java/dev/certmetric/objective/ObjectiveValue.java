package dev.certmetric.objective;

/**
 * The value of the objective split into its weighted terms.
 *
 * @param pull weighted pull term
 * @param hinge weighted triplet hinge
 * @param perturbation weighted perturbation loss
 * @param violated triplets with Delta < 0
 * @param triplets number of triplets evaluated
 */
public record ObjectiveValue(double pull, double hinge, double perturbation, int violated, int triplets) {
    public double total() {
        return pull + hinge + perturbation;
    }
}
