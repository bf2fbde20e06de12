package io.streamdl.scoring.recs;

/**
 * A user profile as the model's input: the weighted mean of the content embeddings of the profile's
 * items (weights as {@link RecommenderConfig} says), over the items that have one.
 *
 * @param values the vector, {@code profileDim} long; zeros when no item has an embedding
 * @param embedded how many of the profile's interactions had an embedding
 * @param version the oldest embedding version among them, 0 when none
 * @param items those items, newest first
 * @param weights their weights, normalised to sum 1
 */
record ProfileVector(float[] values, int embedded, long version, int[] items, double[] weights) {

    static ProfileVector of(UserProfile p, ItemMatrix items, RecommenderConfig config) {
        int dim = config.profileDim();
        double[] sum = new double[dim];
        double total = 0;
        int embedded = 0;
        long version = Long.MAX_VALUE;
        long newest = p.newestTs();
        double decay = 1;
        int[] used = new int[p.recent];
        double[] weights = new double[p.recent];
        for (int k = p.recent - 1; k >= 0; k--) {
            int item = p.items[k];
            double w = p.weights[k] * decay;
            decay *= config.recencyDecay();
            if (config.halfLifeMillis() > 0) {
                w *= Math.pow(0.5, (double) (newest - p.times[k]) / config.halfLifeMillis());
            }
            if (!items.has(item) || !(w > 0)) {
                continue;
            }
            items.addTo(item, w, sum);
            total += w;
            used[embedded] = item;
            weights[embedded] = w;
            embedded++;
            version = Math.min(version, items.version(item));
        }
        float[] values = new float[dim];
        if (total > 0) {
            for (int d = 0; d < dim; d++) {
                values[d] = (float) (sum[d] / total);
            }
            for (int k = 0; k < embedded; k++) {
                weights[k] /= total;
            }
        }
        return new ProfileVector(
                values,
                embedded,
                embedded == 0 ? 0 : version,
                java.util.Arrays.copyOf(used, embedded),
                java.util.Arrays.copyOf(weights, embedded));
    }
}
