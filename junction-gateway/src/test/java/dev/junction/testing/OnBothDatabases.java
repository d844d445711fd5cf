package dev.junction.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A test run once on each kind of ledger database, given the kind as its {@code String} parameter:
 * {@code sqlite}, then {@code postgresql}, as {@link TestDatabases#fresh} takes it.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest
@ValueSource(strings = {"sqlite", "postgresql"})
public @interface OnBothDatabases {}
