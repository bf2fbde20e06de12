/**
 * Pure-Java encoders that turn raw event payloads into tensors, with no Flink or Kafka code.
 *
 * <p>{@link io.streamdl.encoders.EncoderRegistry#encode} routes a {@code RawEvent} to the encoder
 * for its payload type and returns the encoder's name (the topic suffix of {@code features.<name>})
 * and a {@code Features} record stamped with {@code name@version}:
 *
 * <ul>
 *   <li>{@code image}: float32 {@code [1, C, H, W]} (NCHW, batch of one), see {@link
 *       io.streamdl.encoders.image.ImageEncoder};
 *   <li>{@code audio}: float32 {@code [frames, nMels]} log-mel, see {@link
 *       io.streamdl.encoders.audio.AudioEncoder};
 *   <li>{@code text}: int32 {@code [maxLength]} token ids plus a mask, see {@link
 *       io.streamdl.encoders.text.TextEncoder}.
 * </ul>
 *
 * <p>Every refused input raises {@link io.streamdl.encoders.EncodeException}, whose {@link
 * io.streamdl.encoders.EncodeException.Reason} name is meant for {@code DeadLetter.error} and whose
 * {@link io.streamdl.encoders.EncodeException#detail()} for {@code DeadLetter.message}.
 * Configuration comes from {@code image.*}, {@code audio.*} and {@code text.*} keys, each validated
 * with errors that name the key ({@link io.streamdl.schemas.config.ConfigException}).
 */
package io.streamdl.encoders;
