package io.streamdl.scoring;

import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.inference.InferenceBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Score;
import java.util.ArrayList;
import java.util.List;

/** One model version ready to score: its backend, spec and version number. */
public record LoadedModel(long version, ModelSpec spec, InferenceBackend backend)
        implements AutoCloseable {

    /**
     * Scores a batch of features that fit the spec: a classifier's label is its most probable class
     * and its score that probability; any other model's score is its first output.
     */
    public List<Score> score(List<Features> events, long now) {
        Tensor out = backend.infer(FeatureTensors.batch(events, spec));
        List<Score> scores = new ArrayList<>(events.size());
        boolean classifier = !spec.labels().isEmpty();
        for (int i = 0; i < events.size(); i++) {
            float[] row = out.row(i);
            int best = 0;
            for (int j = 1; j < row.length; j++) {
                if (row[j] > row[best]) {
                    best = j;
                }
            }
            List<Float> probabilities = new ArrayList<>(row.length);
            for (float p : row) {
                probabilities.add(p);
            }
            Features f = events.get(i);
            scores.add(
                    Score.newBuilder()
                            .setEventId(f.getEventId())
                            .setModel(spec.name())
                            .setModelVersion(version)
                            .setLabel(classifier ? spec.labels().get(best) : null)
                            .setProbabilities(probabilities)
                            .setScore(classifier ? row[best] : row[0])
                            .setEventTs(f.getTs())
                            .setSeries(f.getSeries())
                            .setScoredTs(now)
                            .build());
        }
        return scores;
    }

    @Override
    public void close() {
        backend.close();
    }
}
