package dev.certmetric.preprocess;

import java.util.List;

/**
 * The last step of preprocessing: how a standardised row z (every feature centred and divided by its standard
 * deviation) is scaled. One class per kind; {@link #of} maps a configuration name ({@code learner.rows}) to it.
 *
 * <p>Both kinds give rows of squared norm 1 on average, so radii (certificates, tau) mean about the same under
 * either: {@link UnitNormRows} makes every row exactly 1 long and so throws away its magnitude, which some streams
 * need; {@link ScaledRows} keeps it.
 */
public sealed interface RowScaling permits UnitNormRows, ScaledRows {
    RowScaling UNIT_NORM = new UnitNormRows();
    RowScaling SCALED = new ScaledRows();

    /** Accepted names, for validation messages. */
    List<String> NAMES = List.of(UnitNormRows.NAME, ScaledRows.NAME);

    /** The configuration name. */
    String name();

    /** Scales the standardised row {@code z} in place. */
    void scale(double[] z);

    /**
     * Turns a scaled row {@code y} in place into a standardised row that {@link #scale} maps back to {@code y}
     * (up to rounding).
     */
    void unscale(double[] y);

    /** The other kind: what a race of row scalings runs beside this one. */
    RowScaling other();

    static RowScaling of(String name) {
        for (RowScaling r : List.of(UNIT_NORM, SCALED)) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("row scaling '" + name + "' is unknown; accepted: " + String.join(" | ", NAMES));
    }
}
