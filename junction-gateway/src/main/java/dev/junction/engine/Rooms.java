package dev.junction.engine;

/** What routing asks about self-hosted engines: which providers are engines, and whether each has room. */
public interface Rooms {

  /** No engines: every provider is hosted, none is ever full. */
  Rooms NONE = new Rooms() {
    @Override
    public boolean engine(String provider) {
      return false;
    }

    @Override
    public Room room(String provider) {
      return Room.UNKNOWN;
    }
  };

  /** Whether the provider is a self-hosted engine whose load is polled. */
  boolean engine(String provider);

  /** Its room for a new request; {@link Room#UNKNOWN} for a provider that is not an engine. */
  Room room(String provider);
}
