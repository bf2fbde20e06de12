package io.streamdl.schemas.serde;

import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes generic or specific Avro records in the Confluent wire format. The writer schema is
 * registered (or looked up) once per subject; after that, writing touches only local caches.
 * Thread-safe.
 */
public final class AvroWireSerializer<T> {
    private final SchemaRegistryClient registry;
    private final SerdeConfig config;
    private final Map<String, SubjectCache> subjects = new ConcurrentHashMap<>();
    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);

    public AvroWireSerializer(SchemaRegistryClient registry, SerdeConfig config) {
        this.registry = registry;
        this.config = config;
    }

    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (!(record instanceof GenericContainer container)) {
            throw new SerdeException(
                    topic,
                    -1,
                    -1,
                    SerdeException.Reason.NOT_AVRO,
                    "cannot write a " + record.getClass().getName() + " as Avro",
                    null);
        }
        Schema schema = container.getSchema();
        Writer writer = writerFor(topic, schema, record instanceof SpecificRecord);
        Buffer buffer = buffers.get();
        buffer.out.reset();
        buffer.out.reserve(WireFormat.HEADER_SIZE);
        buffer.encoder = EncoderFactory.get().directBinaryEncoder(buffer.out, buffer.encoder);
        try {
            writer.datumWriter.write(record, buffer.encoder);
            buffer.encoder.flush();
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new SerdeException(
                    topic,
                    -1,
                    -1,
                    SerdeException.Reason.RECORD_SCHEMA_MISMATCH,
                    "the "
                            + schema.getFullName()
                            + " record does not match its schema: "
                            + e.getMessage(),
                    e);
        }
        byte[] bytes = buffer.out.toByteArray();
        WireFormat.writeHeader(bytes, writer.id);
        return bytes;
    }

    @SuppressWarnings("unchecked")
    private Writer writerFor(String topic, Schema schema, boolean specific) {
        SubjectCache cache = subjects.computeIfAbsent(topic, t -> new SubjectCache());
        // Specific records share one Schema instance, so an identity check usually answers.
        Writer last = cache.last;
        if (last != null && last.schema == schema) {
            return last;
        }
        Writer writer = cache.bySchema.get(schema);
        if (writer == null) {
            int id = registerOrLookup(topic, schema);
            DatumWriter<Object> datumWriter =
                    specific ? new SpecificDatumWriter<>(schema) : new GenericDatumWriter<>(schema);
            writer = new Writer(schema, id, datumWriter);
            cache.bySchema.put(schema, writer);
        }
        cache.last = writer;
        return writer;
    }

    private int registerOrLookup(String topic, Schema schema) {
        String subject = config.subject(topic);
        try {
            return config.autoRegister()
                    ? registry.register(subject, schema)
                    : registry.lookup(subject, schema).id();
        } catch (RegistryException e) {
            SerdeException.Reason reason =
                    e.httpStatus() == 0 || e.httpStatus() >= 500
                            ? SerdeException.Reason.REGISTRY_UNAVAILABLE
                            : SerdeException.Reason.REGISTRATION_REFUSED;
            throw new SerdeException(
                    topic,
                    -1,
                    -1,
                    reason,
                    "schema "
                            + schema.getFullName()
                            + " under subject "
                            + subject
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private record Writer(Schema schema, int id, DatumWriter<Object> datumWriter) {}

    private static final class SubjectCache {
        final Map<Schema, Writer> bySchema = new ConcurrentHashMap<>();
        volatile Writer last;
    }

    /** A per-thread buffer, reused across records; its bytes are copied out once per record. */
    private static final class Buffer {
        final HeaderedBuffer out = new HeaderedBuffer();
        BinaryEncoder encoder;
    }

    private static final class HeaderedBuffer extends ByteArrayOutputStream {
        HeaderedBuffer() {
            super(1024);
        }

        /** Leaves room for {@code n} header bytes that are filled in after the body. */
        void reserve(int n) {
            for (int i = 0; i < n; i++) {
                write(0);
            }
        }
    }
}
