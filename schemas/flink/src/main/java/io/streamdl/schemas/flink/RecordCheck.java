package io.streamdl.schemas.flink;

import java.io.Serializable;

/**
 * What a job checks of a decoded record before using it. A record written by anyone can be
 * schema-valid and still unusable (an empty id, a label for no class, a tensor that disagrees with
 * itself); the check says so with a stable reason, and {@link DecodeRecords} sends it to the
 * dead-letter topic with the record's coordinates and bytes, or counts it as meant for another
 * consumer.
 */
@FunctionalInterface
public interface RecordCheck<T> extends Serializable {
    /** The verdict on {@code record}: null to accept it. */
    Verdict check(T record);

    /** Accepts every record. */
    static <T> RecordCheck<T> acceptAll() {
        return record -> null;
    }

    /**
     * A record not accepted.
     *
     * @param reason a stable name, the dead letter's {@code error}
     * @param message what was wrong, for a person
     * @param deadLetter whether it goes to the dead-letter topic; false for a record that is fine
     *     but meant for another consumer of the same topic (it is only counted)
     */
    record Verdict(String reason, String message, boolean deadLetter) {
        public static Verdict refuse(String reason, String message) {
            return new Verdict(reason, message, true);
        }

        public static Verdict skip(String reason, String message) {
            return new Verdict(reason, message, false);
        }
    }
}
