package io.streamdl.schemas.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry API that the pipeline uses. Implementations cache
 * what cannot change (an id's schema, a subject's id for a schema) so that after warm-up the
 * serde's hot path makes no remote call.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers {@code schema} under {@code subject}, or returns the id it already has. */
    int register(String subject, Schema schema);

    /** The schema with the given global id; throws {@link RegistryException} 40403 if none. */
    Schema getById(int id);

    /** The version and id of {@code schema} under {@code subject}; 40401/40403 if absent. */
    RegisteredSchema lookup(String subject, Schema schema);

    /** The newest version registered under {@code subject}. */
    RegisteredSchema latest(String subject);

    /** A given version ({@code "latest"} or a number) registered under {@code subject}. */
    RegisteredSchema version(String subject, String version);

    /** Whether {@code schema} could be registered after {@code version} of {@code subject}. */
    boolean isCompatible(String subject, String version, Schema schema);

    List<String> subjects();

    List<Integer> versions(String subject);

    /** Deletes a subject, returning the versions it had. */
    List<Integer> deleteSubject(String subject);

    /** The global compatibility level, or the subject's when {@code subject} is not null. */
    CompatibilityLevel compatibility(String subject);

    void setCompatibility(String subject, CompatibilityLevel level);

    @Override
    default void close() {}
}
