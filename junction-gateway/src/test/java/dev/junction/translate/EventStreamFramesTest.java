package dev.junction.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** AWS's binary event stream, as Bedrock's converse-stream sends it, read message by message. */
class EventStreamFramesTest {

  /** One message as the event-stream encoding lays it out, string headers only. */
  static byte[] message(List<String> headers, String payload) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    for (int i = 0; i < headers.size(); i += 2) {
      byte[] name = headers.get(i).getBytes(StandardCharsets.UTF_8);
      byte[] value = headers.get(i + 1).getBytes(StandardCharsets.UTF_8);
      h.write(name.length);
      h.writeBytes(name);
      h.write(7);
      h.write(value.length >> 8);
      h.write(value.length & 0xff);
      h.writeBytes(value);
    }
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    int total = 12 + h.size() + body.length + 4;
    ByteBuffer out = ByteBuffer.allocate(total).putInt(total).putInt(h.size());
    out.putInt(crc(out.array(), 8)).put(h.toByteArray()).put(body);
    return out.putInt(crc(out.array(), total - 4)).array();
  }

  static byte[] event(String type, String payload) {
    return message(List.of(":event-type", type, ":content-type", "application/json", ":message-type", "event"), payload);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  private static final byte[] STREAM = concat(
      event("messageStart", "{\"role\":\"assistant\"}"),
      event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Bonjour ☃\"}}"),
      event("contentBlockStop", "{\"contentBlockIndex\":0}"),
      event("messageStop", "{\"stopReason\":\"end_turn\"}"),
      event("metadata", "{\"usage\":{\"inputTokens\":5,\"outputTokens\":2,\"totalTokens\":7},\"metrics\":{\"latencyMs\":9}}"));

  @Test
  void messagesSplitAtEveryByteBoundaryComeOutWholeAndInOrder() {
    for (int cut = 0; cut <= STREAM.length; cut++) {
      EventStreamFrames frames = new EventStreamFrames();
      List<SseFrames.Frame> out = new ArrayList<>(frames.feed(Arrays.copyOfRange(STREAM, 0, cut)));
      out.addAll(frames.feed(Arrays.copyOfRange(STREAM, cut, STREAM.length)));
      assertThat(out).as("cut at %d", cut).extracting(SseFrames.Frame::event)
          .containsExactly("messageStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata");
      assertThat(out.get(1).data()).contains("Bonjour ☃");
    }
  }

  @Test
  void aStreamFedOneByteAtATimeGivesEachMessageOnItsLastByte() {
    EventStreamFrames frames = new EventStreamFrames();
    int seen = 0;
    int first = event("messageStart", "{\"role\":\"assistant\"}").length;
    for (int i = 0; i < STREAM.length; i++) {
      int got = frames.feed(new byte[] {STREAM[i]}).size();
      if (i == first - 1) assertThat(got).isEqualTo(1);
      seen += got;
    }
    assertThat(seen).isEqualTo(5);
  }

  @Test
  void theMessagesBeforeOneWhoseChecksumDoesNotHoldAreGivenAndNothingAfter() {
    byte[] good = event("messageStart", "{\"role\":\"assistant\"}");
    byte[] bad = event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"x\"}}");
    bad[bad.length - 6] ^= 1; // a payload byte: the message CRC no longer matches
    EventStreamFrames frames = new EventStreamFrames();
    assertThat(frames.feed(concat(good, bad, good))).extracting(SseFrames.Frame::event).containsExactly("messageStart");
    assertThat(frames.broken()).contains("message checksum");
    assertThat(frames.feed(good)).isEmpty();

    byte[] prelude = event("messageStart", "{}");
    prelude[3] ^= 1; // the total length: the prelude CRC no longer matches
    EventStreamFrames other = new EventStreamFrames();
    assertThat(other.feed(prelude)).isEmpty();
    assertThat(other.broken()).contains("prelude checksum");
  }

  @Test
  void anExceptionMessageBecomesAFailureNamingItsType() {
    byte[] exception = message(List.of(":exception-type", "throttlingException", ":content-type", "application/json",
        ":message-type", "exception"), "{\"message\":\"Too many tokens, please wait before trying again.\"}");
    List<SseFrames.Frame> frames = new EventStreamFrames().feed(exception);
    assertThat(frames).hasSize(1);
    assertThat(frames.getFirst().event()).isEqualTo(EventStreamFrames.EXCEPTION);
    List<Chat.Event> events = Codecs.of(dev.junction.api.Family.BEDROCK).decoder(null)
        .decode(frames.getFirst().event(), frames.getFirst().data());
    assertThat(events).containsExactly(new Chat.Failure("throttlingException",
        "Too many tokens, please wait before trying again."));
    assertThat(Json.MAPPER.readTree(frames.getFirst().data()).path("type").asString()).isEqualTo("throttlingException");
  }

  @Test
  void aBrokenFrameEndsATranslatedStreamWithAnErrorAndNoEndMarker() {
    byte[] bad = event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"x\"}}");
    bad[bad.length - 1] ^= 1;
    TranslatedStream stream = new TranslatedStream(new EventStreamFrames(), Codecs.of(dev.junction.api.Family.BEDROCK)
        .decoder(null), Codecs.of(dev.junction.api.Family.ANTHROPIC).encoder(
            Codecs.of(dev.junction.api.Family.ANTHROPIC).decodeRequest(
                "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                    .getBytes(StandardCharsets.UTF_8))));
    stream.feed(event("messageStart", "{\"role\":\"assistant\"}"));
    stream.feed(bad);
    assertThat(stream.error()).contains("malformed stream frame");
    assertThat(stream.done()).isFalse();
  }
}
