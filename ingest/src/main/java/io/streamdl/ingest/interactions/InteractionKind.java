package io.streamdl.ingest.interactions;

import java.util.Locale;

/**
 * What a user did with an item, as written in {@code Interaction.kind}: the simulator draws each
 * interaction's kind with {@link #probability()}, independently of the user and the item, and the
 * implicit-feedback weight of each kind, {@link #weight()}, is here next to it so a trainer of
 * these interactions weighs them the way they were meant.
 */
public enum InteractionKind {
    /** The user looked at the item: 3 interactions in 4, weight 1. */
    VIEW(0.75, 1),
    /** The user clicked on it: 1 in 5, weight 2. */
    CLICK(0.20, 2),
    /** The user bought it: 1 in 20, weight 5. */
    PURCHASE(0.05, 5);

    private final double probability;
    private final double weight;

    InteractionKind(double probability, double weight) {
        this.probability = probability;
        this.weight = weight;
    }

    /** The probability that a simulated interaction is of this kind. */
    public double probability() {
        return probability;
    }

    /** The weight of an interaction of this kind as implicit feedback. */
    public double weight() {
        return weight;
    }

    /** The name in {@code Interaction.kind}: {@code view}, {@code click}, {@code purchase}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind written as {@code wireName}, or null for any other text. */
    public static InteractionKind fromWireName(String wireName) {
        for (InteractionKind k : values()) {
            if (k.wireName().equals(wireName)) {
                return k;
            }
        }
        return null;
    }
}
