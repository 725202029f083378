package dev.cairn.internal.store;

/**
 * A driver's hold on a run. Every checkpoint write made with it is conditional on the run still
 * being at {@code epoch} and held by {@code holder}: a driver that lost the lease (a zombie) can
 * move nothing.
 */
public record Lease(String runId, long epoch, LeaseHolder holder) {}
