package dev.cairn;

import java.nio.file.Path;

/**
 * What a job may know of where it runs, to compute parameter defaults.
 *
 * @param dataCache the directory where fetched datasets are cached ({@code CAIRN_DATA_CACHE})
 */
public record JobEnvironment(Path dataCache) {}
