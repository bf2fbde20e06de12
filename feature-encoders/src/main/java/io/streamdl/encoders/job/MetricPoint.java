package io.streamdl.encoders.job;

import io.streamdl.schemas.avro.MetricPayload;
import io.streamdl.schemas.flink.RawRecord;

/**
 * A decoded metric event on its way to its series' window: the record as it arrived (for a dead
 * letter) and what the window needs. A Flink POJO (public fields, no-argument constructor), keyed
 * by {@link #series}.
 */
public final class MetricPoint {
    public RawRecord raw;
    public String eventId;
    public long ts;
    public String series;
    public MetricPayload payload;

    public MetricPoint() {}

    public MetricPoint(RawRecord raw, String eventId, long ts, MetricPayload payload) {
        this.raw = raw;
        this.eventId = eventId;
        this.ts = ts;
        this.series = payload.getSeries() == null ? "" : payload.getSeries();
        this.payload = payload;
    }
}
