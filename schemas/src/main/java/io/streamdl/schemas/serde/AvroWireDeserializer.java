package io.streamdl.schemas.serde;

import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads Confluent wire-format values into specific records of one class, or into generic records.
 * The writer schema comes from the registry by the id in the header and is cached; data written
 * with an older or newer schema is resolved to the reader schema by Avro's rules. Every failure is
 * a {@link SerdeException} naming the topic, partition, offset and reason. Thread-safe.
 */
public final class AvroWireDeserializer<T> {
    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final boolean specific;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    private AvroWireDeserializer(
            SchemaRegistryClient registry, Schema readerSchema, boolean specific) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.specific = specific;
    }

    /** Reads into instances of a generated class. */
    public static <T extends SpecificRecord> AvroWireDeserializer<T> specific(
            SchemaRegistryClient registry, Class<T> type) {
        return new AvroWireDeserializer<>(registry, SpecificData.get().getSchema(type), true);
    }

    /** Reads generic records, resolved to {@code readerSchema}, or as written when it is null. */
    public static <T> AvroWireDeserializer<T> generic(
            SchemaRegistryClient registry, Schema readerSchema) {
        return new AvroWireDeserializer<>(registry, readerSchema, false);
    }

    public T deserialize(String topic, byte[] data) {
        return deserialize(topic, -1, -1L, data);
    }

    public T deserialize(String topic, int partition, long offset, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0 || data[0] != WireFormat.MAGIC_BYTE) {
            throw new SerdeException(
                    topic,
                    partition,
                    offset,
                    SerdeException.Reason.NO_MAGIC_BYTE,
                    data.length == 0
                            ? "empty value"
                            : String.format(
                                    "first byte is 0x%02x, not the magic byte 0x00", data[0]),
                    null);
        }
        if (data.length < WireFormat.HEADER_SIZE) {
            throw new SerdeException(
                    topic,
                    partition,
                    offset,
                    SerdeException.Reason.TRUNCATED,
                    data.length + " bytes is shorter than the 5-byte header",
                    null);
        }
        int id = WireFormat.readSchemaId(data);
        DatumReader<T> reader = readerFor(topic, partition, offset, id);
        BinaryDecoder decoder =
                DecoderFactory.get()
                        .binaryDecoder(
                                data,
                                WireFormat.HEADER_SIZE,
                                data.length - WireFormat.HEADER_SIZE,
                                decoders.get());
        decoders.set(decoder);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new SerdeException(
                    topic,
                    partition,
                    offset,
                    SerdeException.Reason.TRUNCATED,
                    "the Avro body (schema id "
                            + id
                            + ") ends early after "
                            + data.length
                            + " bytes",
                    e);
        } catch (IOException
                | AvroRuntimeException
                | IndexOutOfBoundsException
                | NegativeArraySizeException
                | ClassCastException
                | OutOfMemoryError e) {
            throw new SerdeException(
                    topic,
                    partition,
                    offset,
                    SerdeException.Reason.MALFORMED_AVRO,
                    "the Avro body does not decode with schema id " + id + ": " + e,
                    e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new SerdeException(
                        topic,
                        partition,
                        offset,
                        SerdeException.Reason.TRAILING_BYTES,
                        "bytes remain after the Avro body (schema id " + id + ")",
                        null);
            }
        } catch (IOException e) {
            throw new SerdeException(
                    topic,
                    partition,
                    offset,
                    SerdeException.Reason.MALFORMED_AVRO,
                    e.toString(),
                    e);
        }
        return value;
    }

    private DatumReader<T> readerFor(String topic, int partition, long offset, int id) {
        DatumReader<T> cached = readers.get(id);
        if (cached != null) {
            return cached;
        }
        Schema writer;
        try {
            writer = registry.getById(id);
        } catch (RegistryException e) {
            SerdeException.Reason reason =
                    e.errorCode() == RegistryException.SCHEMA_NOT_FOUND || e.httpStatus() == 404
                            ? SerdeException.Reason.UNKNOWN_SCHEMA_ID
                            : SerdeException.Reason.REGISTRY_UNAVAILABLE;
            throw new SerdeException(
                    topic, partition, offset, reason, "schema id " + id + ": " + e.getMessage(), e);
        }
        Schema reader = readerSchema == null ? writer : readerSchema;
        if (reader != writer) {
            SchemaCompatibility.SchemaPairCompatibility compat =
                    SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                // Not cached: a later registry change cannot make it compatible, but the record
                // still has to be rejected with its own offset.
                throw new SerdeException(
                        topic,
                        partition,
                        offset,
                        SerdeException.Reason.INCOMPATIBLE_SCHEMA,
                        "data written with schema id "
                                + id
                                + " ("
                                + writer.getFullName()
                                + ") cannot be read as "
                                + reader.getFullName()
                                + ": "
                                + compat.getDescription(),
                        null);
            }
        }
        DatumReader<T> created;
        try {
            created =
                    specific
                            ? new SpecificDatumReader<>(writer, reader)
                            : new GenericDatumReader<>(writer, reader);
        } catch (AvroTypeException e) {
            throw new SerdeException(
                    topic,
                    partition,
                    offset,
                    SerdeException.Reason.INCOMPATIBLE_SCHEMA,
                    e.getMessage(),
                    e);
        }
        DatumReader<T> previous = readers.putIfAbsent(id, created);
        return previous != null ? previous : created;
    }
}
