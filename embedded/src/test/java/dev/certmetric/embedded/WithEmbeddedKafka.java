package dev.certmetric.embedded;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Base of test classes that run against a real broker: one embedded KRaft broker per test class. Subclasses
 * inherit the {@code integration} tag, which {@code -DexcludedGroups=integration} leaves out.
 */
@Tag("integration")
public abstract class WithEmbeddedKafka {
    protected static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startEmbeddedBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopEmbeddedBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
