package io.streamdl.schemas.serde;

/** Confluent's framing: magic byte 0, a 4-byte big-endian schema id, then Avro binary. */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    static int readSchemaId(byte[] data) {
        return ((data[1] & 0xff) << 24)
                | ((data[2] & 0xff) << 16)
                | ((data[3] & 0xff) << 8)
                | (data[4] & 0xff);
    }
}
