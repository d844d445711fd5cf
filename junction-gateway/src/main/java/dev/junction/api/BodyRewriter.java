package dev.junction.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * Produces the body sent upstream from the client's bytes, without parsing them again: the
 * top-level fields are copied as they are, except that the model is replaced by the provider's id,
 * usage reporting is switched on for streams, and fields the provider refuses are left out, as are
 * the gateway's own fields ({@code provider}, {@code models}).
 */
public final class BodyRewriter {

  private static final byte[] USAGE_OPTIONS =
      "{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USAGE_FIELD =
      "\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);

  private BodyRewriter() {}

  /**
   * @param quotedModel the provider's model id as a JSON string literal, quotes included
   * @param askUsage whether to request {@code stream_options.include_usage} from the provider
   * @param drop top-level fields to leave out
   */
  public static byte[] rewrite(InspectedRequest r, byte[] quotedModel, boolean askUsage, Set<String> drop) {
    byte[] in = r.body;
    Out out = new Out(in.length + quotedModel.length + USAGE_FIELD.length + 2);
    out.append(in, 0, r.objectStart + 1);
    boolean needUsageField = askUsage && r.stream && !r.clientWantsUsage && r.streamOptionsStart < 0;
    boolean first = true;
    if (needUsageField) {
      out.append(USAGE_FIELD, 0, USAGE_FIELD.length);
      first = false;
    }
    for (int i = 0; i < r.fieldCount; i++) {
      if (drop.contains(r.fieldNames[i]) || RequestInspector.GATEWAY_FIELDS.contains(r.fieldNames[i])) {
        continue;
      }
      if (!first) {
        out.append((byte) ',');
      }
      first = false;
      int start = r.fieldStarts[i];
      int end = valueEnd(in, r.fieldStarts[i + 1], i + 1 == r.fieldCount);
      if (start < r.modelStart && r.modelStart < end) {
        out.splice(in, start, end, r.modelStart, r.modelEnd, quotedModel);
      } else if (askUsage && !r.clientWantsUsage && start < r.streamOptionsStart && r.streamOptionsStart < end) {
        out.splice(in, start, end, r.streamOptionsStart, r.streamOptionsEnd, USAGE_OPTIONS);
      } else {
        out.append(in, start, end);
      }
    }
    out.append(in, r.objectEnd, in.length);
    return out.toArray();
  }

  /**
   * Where a field's value ends, given where the next field (or the closing brace) starts: just past
   * the last byte that is neither white space nor the separating comma.
   */
  private static int valueEnd(byte[] in, int next, boolean last) {
    int i = next - 1;
    while (isSpace(in[i])) {
      i--;
    }
    if (!last) {
      i--; // the comma
      while (isSpace(in[i])) {
        i--;
      }
    }
    return i + 1;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  /** A growable byte array; the body is copied once. */
  private static final class Out {
    private byte[] bytes;
    private int size;

    Out(int capacity) {
      bytes = new byte[capacity];
    }

    void append(byte b) {
      ensure(1);
      bytes[size++] = b;
    }

    void append(byte[] from, int start, int end) {
      int length = end - start;
      ensure(length);
      System.arraycopy(from, start, bytes, size, length);
      size += length;
    }

    void splice(byte[] from, int start, int end, int cutStart, int cutEnd, byte[] replacement) {
      append(from, start, cutStart);
      append(replacement, 0, replacement.length);
      append(from, cutEnd, end);
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    byte[] toArray() {
      return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
  }
}
