package io.streamdl.models.codec;

import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.AutoencoderParams;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * An update written by the codec before it was split (commit 834c6da): a tiny autoencoder, {@code
 * Architectures.build(TINY)} as it initialises itself, version 3 from parent 2, signed with {@link
 * #KEY}. Verifying it pins the wire format; its checksum and signature were printed by that code.
 */
final class LegacyUpdate {
    static final byte[] KEY = "a-test-key-of-32-bytes-length!!!".getBytes(StandardCharsets.UTF_8);

    static final ModelSpec TINY =
            new ModelSpec(
                    ModelSpec.CURRENT_SPEC_VERSION,
                    "tiny",
                    ArchitectureKind.AUTOENCODER,
                    List.of(TensorSpec.of("input", DType.FLOAT32, 1, 2, 2)),
                    1,
                    List.of(),
                    new AutoencoderParams(List.of(3), 2),
                    7L,
                    0.01);

    static final long VERSION = 3;
    static final long PARENT_VERSION = 2;
    static final long CREATED_TS = 1_700_000_000_000L;

    static final String SHA256 = "63d286ef1f46cc54474e5db1fc194bd86faadc0f7e59a00468316f570a42b978";
    static final String SIGNATURE =
            "f22267aa8835cefb40f3fab6bb394efa93de86af5cd252437f6f6eaa78fd5a06";

    /** The Avro binary encoding of the update, in base64. */
    private static final String AVRO_BASE64 =
            """
                    CHRpbnkGAgSsA3sic3BlY1ZlcnNpb24iOjEsIm5hbWUiOiJ0aW55Iiwia2luZCI6IkFVVE9FTkNPREVSIiwiaW5w
                    dXRzIjpbeyJuYW1lIjoiaW5wdXQiLCJkdHlwZSI6ImZsb2F0MzIiLCJzaGFwZSI6WzEsMiwyXX1dLCJvdXRwdXRT
                    aXplIjoxLCJsYWJlbHMiOltdLCJwYXJhbXMiOnsiaGlkZGVuVW5pdHMiOlszXSwiYm90dGxlbmVjayI6Mn0sInNl
                    ZWQiOjcsImxlYXJuaW5nUmF0ZSI6MC4wMX0gZGw0ai1wYXJhbXMrb25ueAKeGAgHEg9zdHJlYW1kbC1tb2RlbHM6
                    igoKQgoFaW5wdXQSCmlucHV0X2ZsYXQaF25vZGVfRmxhdHRlbl9pbnB1dF9mbGF0IgdGbGF0dGVuKgsKBGF4aXMY
                    AaABAgpICgppbnB1dF9mbGF0CgplbmNvZGVyMS5XCgplbmNvZGVyMS5iEghlbmNvZGVyMRoSbm9kZV9HZW1tX2Vu
                    Y29kZXIxIgRHZW1tCjYKCGVuY29kZXIxEgxlbmNvZGVyMV9hY3QaFm5vZGVfUmVsdV9lbmNvZGVyMV9hY3QiBFJl
                    bHUKOgoMZW5jb2RlcjFfYWN0CgZjb2RlLlcKBmNvZGUuYhIEY29kZRoObm9kZV9HZW1tX2NvZGUiBEdlbW0KKgoE
                    Y29kZRIIY29kZV9hY3QaEm5vZGVfUmVsdV9jb2RlX2FjdCIEUmVsdQpGCghjb2RlX2FjdAoKZGVjb2RlcjEuVwoK
                    ZGVjb2RlcjEuYhIIZGVjb2RlcjEaEm5vZGVfR2VtbV9kZWNvZGVyMSIER2VtbQo2CghkZWNvZGVyMRIMZGVjb2Rl
                    cjFfYWN0GhZub2RlX1JlbHVfZGVjb2RlcjFfYWN0IgRSZWx1CkYKDGRlY29kZXIxX2FjdAoIb3V0cHV0LlcKCG91
                    dHB1dC5iEghvdXRwdXRfMRoSbm9kZV9HZW1tX291dHB1dF8xIgRHZW1tCjgKCG91dHB1dF8xEgpvdXRwdXRfYWN0
                    Ghdub2RlX1NpZ21vaWRfb3V0cHV0X2FjdCIHU2lnbW9pZApECgpvdXRwdXRfYWN0Eg5yZWNvbnN0cnVjdGlvbhoc
                    bm9kZV9JZGVudGl0eV9yZWNvbnN0cnVjdGlvbiIISWRlbnRpdHkKNAoKb3V0cHV0X2FjdAoKaW5wdXRfZmxhdBIF
                    ZXJyb3IaDm5vZGVfU3ViX2Vycm9yIgNTdWIKOgoFZXJyb3IKBWVycm9yEg1zcXVhcmVkX2Vycm9yGhZub2RlX011
                    bF9zcXVhcmVkX2Vycm9yIgNNdWwKWgoNc3F1YXJlZF9lcnJvchIGb3V0cHV0GhZub2RlX1JlZHVjZU1lYW5fb3V0
                    cHV0IgpSZWR1Y2VNZWFuKgwKBGF4ZXNCAQGgAQcqDwoIa2VlcGRpbXMYAaABAhIEdGlueSpECgIEAxABQgplbmNv
                    ZGVyMS5XSjDvIb8/UE2fv8tX4L8+6BI/J0kyP/7AhD4SZ1Q/qBq6vmF/fD9fhkm/s/l7PnfiA7wqHwoBAxABQgpl
                    bmNvZGVyMS5iSgwAAAAAAAAAAAAAAAAqKAoCAwIQAUIGY29kZS5XShi9xI4+QbMMvkuKhD7T+s0+F8LyPws7WT8q
                    FwoBAhABQgZjb2RlLmJKCAAAAAAAAAAAKiwKAgIDEAFCCmRlY29kZXIxLldKGKlKSz+TlzC/AgSuPir6LUBuM4G/
                    KQaKvyofCgEDEAFCCmRlY29kZXIxLmJKDAAAAAAAAAAAAAAAACpCCgIDBBABQghvdXRwdXQuV0owFPj7Peq2yL4E
                    ZUe+lCU1P4H/UD/Gmga+FVSgviZO+L5jTZO/EJ4PvY8eM79flUo/KiEKAQQQAUIIb3V0cHV0LmJKEAAAAAAAAAAA
                    AAAAAAAAAABaIAoFaW5wdXQSFwoVCAESEQoDEgFOCgIIAQoCCAIKAggCYiEKDnJlY29uc3RydWN0aW9uEg8KDQgB
                    EgkKAxIBTgoCCARiGQoGb3V0cHV0Eg8KDQgBEgkKAxIBTgoCCAFCAhANcugBCg1zdHJlYW1kbC5zcGVjEtYBeyJz
                    cGVjVmVyc2lvbiI6MSwibmFtZSI6InRpbnkiLCJraW5kIjoiQVVUT0VOQ09ERVIiLCJpbnB1dHMiOlt7Im5hbWUi
                    OiJpbnB1dCIsImR0eXBlIjoiZmxvYXQzMiIsInNoYXBlIjpbMSwyLDJdfV0sIm91dHB1dFNpemUiOjEsImxhYmVs
                    cyI6W10sInBhcmFtcyI6eyJoaWRkZW5Vbml0cyI6WzNdLCJib3R0bGVuZWNrIjoyfSwic2VlZCI6NywibGVhcm5p
                    bmdSYXRlIjowLjAxfYAD7yG/Pz7oEj8SZ1Q/X4ZJv1BNn78nSTI/qBq6vrP5ez7LV+C//sCEPmF/fD934gO8AAAA
                    AAAAAAAAAAAAvcSOPkuKhD4XwvI/QbMMvtP6zT4LO1k/AAAAAAAAAACpSks/KvotQJOXML9uM4G/AgSuPikGir8A
                    AAAAAAAAAAAAAAAU+Ps9gf9QP2NNk7/qtsi+xpoGvhCeD70EZUe+FVSgvo8eM7+UJTU/Jk74vl+VSj8AAAAAAAAA
                    AAAAAAAAAAAAgAE2M2QyODZlZjFmNDZjYzU0NDc0ZTVkYjFmYzE5NGJkODZmYWFkYzBmN2U1OWEwMDQ2ODMxNmY1
                    NzBhNDJiOTc4AoABZjIyMjY3YWE4ODM1Y2VmYjQwZjNmYWI2YmIzOTRlZmE5M2RlODZhZjVjZDI1MjQzN2Y2ZjZl
                    YWE3OGZkNWEwNgIIbG9zcwAAAAAAAOA/AICgq/75Yg==
            """;

    /** ModelUpdate's schema as it was when the record was written: without signerKeyId. */
    private static final Schema WRITER_SCHEMA = withoutField(ModelUpdate.getClassSchema());

    private LegacyUpdate() {}

    private static Schema withoutField(Schema current) {
        List<Schema.Field> fields = new java.util.ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            if (!f.name().equals("signerKeyId")) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return Schema.createRecord(
                current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    /** A fresh copy of the update, read from its Avro bytes. */
    static ModelUpdate read() {
        byte[] avro = Base64.getMimeDecoder().decode(AVRO_BASE64);
        try {
            // written before ModelUpdate had signerKeyId: read with the schema it was written in
            return new SpecificDatumReader<ModelUpdate>(WRITER_SCHEMA, ModelUpdate.getClassSchema())
                    .read(null, DecoderFactory.get().binaryDecoder(avro, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
