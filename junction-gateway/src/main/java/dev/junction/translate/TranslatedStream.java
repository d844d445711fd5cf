package dev.junction.translate;

import dev.junction.api.AnswerStream;
import dev.junction.api.ApiError;
import dev.junction.api.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A provider's stream read event by event into neutral events, and written in the client's family as
 * each arrives: nothing is held beyond the event being read. Without an encoder (an Anthropic client
 * of an Anthropic provider) the provider's bytes go through unchanged and the events are only read,
 * for the commit point and the usage.
 */
final class TranslatedStream implements AnswerStream {

  private static final byte[] NOTHING = new byte[0];

  /** How a provider's stream is cut into events: SSE, or Bedrock's binary event stream. */
  interface Frames {
    /** The events completed by this chunk, in order. */
    List<SseFrames.Frame> feed(byte[] chunk);

    /** Why the bytes stopped being a stream of this framing, or null while they are one. */
    default @Nullable String broken() {
      return null;
    }
  }

  private final Frames frames;
  private final Codec.StreamDecoder decoder;
  private final Codec.@Nullable StreamEncoder encoder;
  private final StringBuilder out = new StringBuilder(256);
  private boolean done;
  private boolean content;
  private int contentEvents;
  private @Nullable String error;
  private Chat.@Nullable Tokens tokens;

  /** @param encoder the client's family, or null to pass the provider's bytes through */
  TranslatedStream(Codec.StreamDecoder decoder, Codec.@Nullable StreamEncoder encoder) {
    this(new SseFrames(encoder == null), decoder, encoder);
  }

  TranslatedStream(Frames frames, Codec.StreamDecoder decoder, Codec.@Nullable StreamEncoder encoder) {
    this.decoder = decoder;
    this.encoder = encoder;
    this.frames = frames;
  }

  @Override
  public byte[] feed(byte[] chunk) {
    out.setLength(0);
    ByteArrayOutputStream raw = encoder == null ? new ByteArrayOutputStream(chunk.length) : null;
    for (SseFrames.Frame frame : frames.feed(chunk)) {
      if (error != null || done) {
        break;
      }
      if (frame.data() == null) {
        if (raw != null) raw.writeBytes(frame.raw()); // comments and keep-alives, as sent
        continue;
      }
      List<Chat.Event> events;
      try {
        events = decoder.decode(frame.event(), frame.data());
      } catch (RuntimeException e) {
        error = "the provider sent a malformed stream event";
        break;
      }
      boolean failed = false;
      for (Chat.Event event : events) {
        failed |= read(event);
        if (!failed && encoder != null) {
          encoder.encode(event, out);
        }
      }
      if (failed) {
        break;
      }
      if (raw != null) raw.writeBytes(frame.raw());
    }
    if (error == null && frames.broken() != null) {
      error = "the provider sent a malformed stream frame (" + frames.broken() + ")";
    }
    if (raw != null) {
      return raw.size() == 0 ? NOTHING : raw.toByteArray();
    }
    return out.isEmpty() ? NOTHING : out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Notes what the relay needs to know of an event; true when it reports a failure. */
  private boolean read(Chat.Event event) {
    switch (event) {
      case Chat.BlockDelta d -> {
        content = true;
        contentEvents++;
      }
      case Chat.BlockStart b -> {
        if (b.block() instanceof Chat.ToolUse) content = true;
      }
      case Chat.Finish f -> {
        content = true;
        tokens = f.tokens();
      }
      case Chat.End e -> done = true;
      case Chat.Failure f -> {
        error = "the provider reported an error mid-stream";
        return true;
      }
      default -> {}
    }
    return false;
  }

  @Override
  public boolean done() {
    return done;
  }

  @Override
  public boolean sawContent() {
    return content;
  }

  @Override
  public int contentEvents() {
    return contentEvents;
  }

  @Override
  public @Nullable String error() {
    return error;
  }

  @Override
  public @Nullable Usage usage() {
    return tokens == null || tokens.equals(Chat.Tokens.NONE) ? null : tokens.usage();
  }

  @Override
  public byte @Nullable [] errorEvent(ApiError error) {
    String frames = encoder == null ? null : encoder.failure(error);
    return frames == null ? null : frames.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte @Nullable [] answer() {
    String answer = encoder == null ? null : encoder.answer();
    return answer == null ? null : answer.getBytes(StandardCharsets.UTF_8);
  }
}
