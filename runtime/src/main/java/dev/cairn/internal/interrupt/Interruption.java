package dev.cairn.internal.interrupt;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Whether this driver has been asked to stop. The first notice wins; later ones are ignored.
 * Thread-safe: watchers request from their threads, the executor reads from its own.
 */
public final class Interruption {
  private final AtomicReference<Notice> notice = new AtomicReference<>();
  private final List<Consumer<Notice>> listeners = new CopyOnWriteArrayList<>();

  /** Records {@code request} if none came before and tells the listeners. */
  public void request(Notice request) {
    if (notice.compareAndSet(null, request)) {
      listeners.forEach(listener -> listener.accept(request));
    }
  }

  /** The notice, once one came. */
  public Optional<Notice> requested() {
    return Optional.ofNullable(notice.get());
  }

  /** Calls {@code listener} with the notice when it comes (at once if it already came). */
  public void onRequest(Consumer<Notice> listener) {
    listeners.add(listener);
    Notice already = notice.get();
    if (already != null) {
      listener.accept(already);
    }
  }

  /** Stops calling {@code listener}. */
  public void remove(Consumer<Notice> listener) {
    listeners.remove(listener);
  }
}
