package io.robustml.crds;

/**
 * Decimal numbers in this API are strings (Kubernetes API conventions avoid floats in specs: they do
 * not round-trip exactly through JSON, YAML and Go). Write {@code "0.05"}, not {@code 0.05}.
 */
public final class Decimals {
    /** A non-negative decimal with up to 6 fractional digits, e.g. "0.05", "1", "12.5". */
    public static final String NON_NEGATIVE = "^(0|[1-9][0-9]{0,5})(\\.[0-9]{1,6})?$";
    /** A fraction in [0, 1] with up to 6 fractional digits, e.g. "0", "0.05", "1". */
    public static final String FRACTION = "^(0(\\.[0-9]{1,6})?|1(\\.0{1,6})?)$";
    /** A possibly negative decimal, e.g. "-1", "0.5", "255". */
    public static final String SIGNED = "^-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,6})?$";
    /** A duration such as "90s", "15m", "168h". */
    public static final String DURATION = "^[1-9][0-9]{0,5}(s|m|h)$";

    private Decimals() {
    }
}
