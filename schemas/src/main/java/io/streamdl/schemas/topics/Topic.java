package io.streamdl.schemas.topics;

import org.apache.kafka.common.serialization.Serde;

/** A topic bound to its serdes: what producers, consumers, jobs and tests pass around. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {}
