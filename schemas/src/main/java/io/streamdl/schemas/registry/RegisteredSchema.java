package io.streamdl.schemas.registry;

import org.apache.avro.Schema;

/** A schema as the registry holds it: under a subject, at a version, with a global id. */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {}
