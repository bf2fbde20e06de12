// Confluent's own JavaScript schema-registry client and Avro serde, driven by
// ConfluentJsInteropITCase against our registry and our Java serde.
//   node interop.mjs URL write TOPIC SCHEMA_FILE MESSAGE_JSON  -> {"id":..,"hex":".."}
//   node interop.mjs URL read TOPIC HEX                        -> the message as JSON
import { readFileSync } from 'node:fs';
import {
  SchemaRegistryClient,
  AvroSerializer,
  AvroDeserializer,
  SerdeType,
} from '@confluentinc/schemaregistry';

const [url, mode, topic, ...rest] = process.argv.slice(2);
const client = new SchemaRegistryClient({ baseURLs: [url], maxRetries: 0 });

function jsonOut(value) {
  return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? Number(v) : v));
}

try {
  if (mode === 'write') {
    const [schemaFile, messageJson] = rest;
    const schema = readFileSync(schemaFile, 'utf8');
    const id = await client.register(`${topic}-value`, { schemaType: 'AVRO', schema });
    const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    const bytes = await serializer.serialize(topic, JSON.parse(messageJson));
    process.stdout.write(jsonOut({ id, hex: Buffer.from(bytes).toString('hex') }));
  } else if (mode === 'read') {
    const deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});
    const message = await deserializer.deserialize(topic, Buffer.from(rest[0], 'hex'));
    process.stdout.write(jsonOut(message));
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (e) {
  process.stderr.write(`interop failed: ${e?.stack ?? e}\n`);
  process.exit(1);
}
