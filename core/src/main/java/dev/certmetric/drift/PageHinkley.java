package dev.certmetric.drift;

/**
 * The Page-Hinkley test for an increase of the mean error (Page 1954; Gama et al. 2013): with e_t the
 * error, mean_t its running mean and {@code delta} the tolerated change,
 * {@code m_T = sum_t (e_t - mean_t - delta)}; a drift is reported once {@code m_T - min_t m_t > threshold}
 * after at least {@code minEvents} outcomes. The time of the minimum estimates when the change began.
 * O(1) time and memory per outcome.
 */
public final class PageHinkley implements DriftDetector {
    public static final String NAME = "page-hinkley";
    /**
     * 30 outcomes before the first alarm, as MOA. delta = 0.01 rather than MOA's 0.005: with a 0/1 error of
     * variance s2 the statistic's excursions above its minimum are about exponential with mean
     * s2 / (2 delta), i.e. at most 6 here, so a threshold of 100 makes false alarms on a stationary stream
     * vanishingly rare (MOA's 0.005 and 50 raise one within 15k events at a 20% error), while a jump of the
     * error by 0.2 is still caught within about 500 events.
     */
    public static final int DEFAULT_MIN_EVENTS = 30;
    public static final double DEFAULT_DELTA = 0.01;
    public static final double DEFAULT_THRESHOLD = 100;

    private final int minEvents;
    private final double delta;
    private final double threshold;
    private long n;
    private double mean;
    private double sum;
    private double min;
    private long minAt;
    private long changeAge = Long.MAX_VALUE;

    public PageHinkley(int minEvents, double delta, double threshold) {
        if (minEvents < 1 || !(delta >= 0) || !(threshold > 0)) {
            throw new IllegalArgumentException("Page-Hinkley needs minEvents >= 1, delta >= 0, threshold > 0");
        }
        this.minEvents = minEvents;
        this.delta = delta;
        this.threshold = threshold;
    }

    public static PageHinkley withDefaults(double threshold) {
        return new PageHinkley(DEFAULT_MIN_EVENTS, DEFAULT_DELTA, threshold);
    }

    @Override
    public boolean add(boolean error) {
        double e = error ? 1 : 0;
        n++;
        mean += (e - mean) / n;
        sum += e - mean - delta;
        if (sum < min) {
            min = sum;
            minAt = n;
        }
        if (n >= minEvents && sum - min > threshold) {
            changeAge = n - minAt;
            n = 0;
            minAt = 0;
            mean = 0;
            sum = 0;
            min = 0;
            return true;
        }
        return false;
    }

    @Override
    public long changeAge() {
        return changeAge;
    }

    @Override
    public double[] state() {
        return new double[] {minEvents, delta, threshold, n, mean, sum, min, minAt, changeAge};
    }

    static PageHinkley restore(double[] s) {
        if (s.length != 9) {
            throw new IllegalArgumentException("Page-Hinkley state has " + s.length + " values, expected 9");
        }
        PageHinkley d = new PageHinkley((int) s[0], s[1], s[2]);
        d.n = (long) s[3];
        d.mean = s[4];
        d.sum = s[5];
        d.min = s[6];
        d.minAt = (long) s[7];
        d.changeAge = (long) s[8];
        return d;
    }

    @Override
    public String name() {
        return NAME;
    }
}
