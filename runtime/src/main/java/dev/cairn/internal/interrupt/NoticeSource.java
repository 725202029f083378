package dev.cairn.internal.interrupt;

import java.util.Optional;

/** Somewhere a stop request can come from, polled. */
public interface NoticeSource extends AutoCloseable {

  /**
   * The current notice, if any.
   *
   * @throws NoticeSourceUnavailableException when the source cannot be reached at all (not on EC2):
   *     the watcher stops polling it
   */
  Optional<Notice> poll();

  @Override
  void close();

  /**
   * The source cannot be used; polling it again is pointless. {@link #unexpected()} says whether
   * that deserves a warning: something answered at its address, or it was configured explicitly (a
   * misconfigured Spot node), as opposed to nothing listening (not on EC2).
   */
  final class NoticeSourceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean unexpected;

    public NoticeSourceUnavailableException(String message, boolean unexpected, Throwable cause) {
      super(message, cause);
      this.unexpected = unexpected;
    }

    /** Whether the source answered or was configured, so its absence is worth a warning. */
    public boolean unexpected() {
      return unexpected;
    }
  }
}
