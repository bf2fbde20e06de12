package io.streamdl.ingest.interactions;

import io.streamdl.schemas.avro.Interaction;

/**
 * One interaction a {@link UserSimulator} generated, with its ground truth: its position in the
 * stream, the user's and item's indices, its kind and its event time.
 *
 * @param index position in the stream, from 0
 * @param user the user's index ({@link UserSimulator#userId})
 * @param item the item's index in the catalogue ({@link ItemCatalogue#itemId})
 * @param kind view, click or purchase
 * @param ts event time, epoch milliseconds
 */
public record SimulatedInteraction(long index, int user, int item, InteractionKind kind, long ts) {

    public String userId() {
        return UserSimulator.userId(user);
    }

    public String itemId() {
        return ItemCatalogue.itemId(item);
    }

    /** The record sent to {@code interactions}. */
    public Interaction toAvro() {
        return new Interaction(userId(), itemId(), kind.wireName(), ts);
    }
}
